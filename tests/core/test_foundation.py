"""The core: roles (AC-1), isolation (AC-2), the clock (AC-3), audit (AC-4), notifications,
email delivery and the sweep."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core import audit, clock, notifications, sweep
from core.exceptions import RoleRequired
from core.models import AuditEvent, EmailStatus, Notification, OutboundEmail, Role
from core.roles import customer_for, require_role
from core.services import clock_advance
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.rule("AC-1")
def test_ac1_role_check_allows_holder_and_refuses_others(make_user):
    agent = make_user(None, Role.ADMIN_AGENT)
    require_role(agent, Role.ADMIN_AGENT, Role.GLOBAL_ADMIN)  # allowed: no exception
    sales = make_user(None, Role.SALES_AGENT)
    with pytest.raises(RoleRequired) as refusal:
        require_role(sales, Role.ADMIN_AGENT)
    assert refusal.value.code == "role_required"
    assert str(refusal.value) == "Only a Global admin or an Admin agent can do this."


@pytest.mark.rule("AC-1")
def test_ac1_customer_admin_and_staff_hold_no_partner_role(staff):
    customer_admin = f.CustomerAdminFactory()
    for user in (customer_admin, staff):
        with pytest.raises(RoleRequired):
            require_role(user, *Role.values)


@pytest.mark.rule("AC-1")
def test_ac1_partner_pages_refuse_other_personas_with_403(client, staff):
    client.force_login(f.CustomerAdminFactory())
    response = client.get(reverse("audit_log"))
    assert response.status_code == 403
    assert b"This page is for partner users." in response.content
    client.force_login(staff)
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("clock")).status_code == 200


@pytest.mark.rule("AC-2")
def test_ac2_another_partners_customer_is_not_found(make_user):
    mine = f.RelationshipFactory()
    theirs = f.RelationshipFactory()
    assert customer_for(mine.partner, mine.customer_id) == mine.customer
    from django.http import Http404

    with pytest.raises(Http404):
        customer_for(mine.partner, theirs.customer_id)
    with pytest.raises(Http404):
        customer_for(mine.partner, "not-a-number")


@pytest.mark.rule("AC-2")
def test_ac2_ended_relationship_hides_the_customer():
    relationship = f.RelationshipFactory(ended_at=timezone.now())
    from django.http import Http404

    with pytest.raises(Http404):
        customer_for(relationship.partner, relationship.customer_id)


@pytest.mark.rule("AC-2")
def test_ac2_audit_log_shows_only_own_partner_events(client, make_user):
    user = make_user()
    other = f.PartnerFactory()
    audit.record(actor=user, operation="mine.op")
    audit.record(actor=None, partner=other, operation="theirs.op")
    client.force_login(user)
    body = client.get(reverse("audit_log")).content.decode()
    assert "mine.op" in body
    assert "theirs.op" not in body


@pytest.mark.rule("AC-3")
def test_ac3_clock_advances_and_shows_in_header(client, staff):
    before = clock.now()
    clock_advance(actor=staff, delta=timedelta(days=3))
    assert clock.now() - before >= timedelta(days=3)
    assert clock.now() - before < timedelta(days=3, minutes=1)
    client.force_login(staff)
    page = client.get(reverse("home")).content.decode()
    assert clock.now().strftime("%d %b %Y") in page
    assert 'data-testid="sim-clock"' in page


@pytest.mark.rule("AC-3")
def test_ac3_clock_refuses_to_move_backwards(staff):
    with pytest.raises(clock.ClockError):
        clock_advance(actor=staff, delta=timedelta(hours=-1))
    with pytest.raises(clock.ClockError):
        clock_advance(actor=staff, delta=timezone.now() - timedelta(days=1) - clock.now())
    assert clock.offset() == timedelta(0)


@pytest.mark.rule("AC-3")
def test_ac3_staff_move_clock_from_page_and_admin(client, staff):
    client.force_login(staff)
    response = client.post(reverse("clock"), {"days": "2", "hours": "5"})
    assert response.status_code == 302
    assert timedelta(days=2, hours=5) <= clock.offset() < timedelta(days=2, hours=5, minutes=1)
    target = (clock.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("admin:clock_move"), {"to": target})
    assert clock.now().strftime("%Y-%m-%dT%H:%M") >= target
    # bad input changes nothing
    offset = clock.offset()
    response = client.post(reverse("clock"), {"days": "-4"})
    assert response.status_code == 200 and clock.offset() == offset
    response = client.post(reverse("clock"), {})
    assert b"Say how far to move the clock." in response.content


@pytest.mark.rule("AC-3")
def test_ac3_partner_cannot_move_the_clock(client, make_user):
    client.force_login(make_user())
    assert client.post(reverse("clock"), {"days": "1"}).status_code == 403
    assert clock.offset() == timedelta(0)


def test_business_days_skip_weekends():
    friday = timezone.make_aware(datetime(2026, 11, 27, 10, 0))
    assert clock.add_business_days(friday, 1).weekday() == 0  # Monday
    assert clock.add_business_days(friday, 5) == friday + timedelta(days=7)


@pytest.mark.rule("AC-4")
def test_ac4_clock_move_is_audited_with_old_and_new(staff):
    clock_advance(actor=staff, delta=timedelta(days=1))
    event = AuditEvent.objects.get(operation="clock.advance")
    assert event.actor == staff and event.actor_label == staff.email
    assert event.old_state and event.new_state and event.old_state < event.new_state
    assert event.outcome == "success"


@pytest.mark.rule("AC-4")
def test_ac4_audit_events_are_append_only():
    event = audit.record(actor=None, operation="x.y")
    with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(operation="tampered")
    with (
        pytest.raises(Exception, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM partnerportal_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).operation == "x.y"


@pytest.mark.rule("AC-4")
def test_ac4_refusals_are_recorded_after_rollback(make_user):
    user = make_user(None, Role.SALES_AGENT)

    @audit.refusals("demo.guarded")
    def guarded(*, actor):
        with transaction.atomic():
            audit.record(actor=actor, operation="demo.changed")
            require_role(actor, Role.ADMIN_AGENT)

    with pytest.raises(RoleRequired):
        guarded(actor=user)
    assert not AuditEvent.objects.filter(operation="demo.changed").exists()
    refused = AuditEvent.objects.get(operation="demo.guarded")
    assert refused.outcome == "refused" and "role_required" in refused.detail
    assert refused.partner == user.partner


@pytest.mark.rule("AC-4")
def test_ac4_audit_log_filters(client, make_user):
    user = make_user()
    customer = f.RelationshipFactory(partner=user.partner).customer
    audit.record(actor=user, operation="a.one", customer=customer)
    audit.record(actor=user, operation="b.two")
    old = audit.build(actor=user, operation="c.old", at=clock.now() - timedelta(days=120))
    old.save()
    client.force_login(user)
    url = reverse("audit_log")

    def rows(**params):
        return client.get(url, params).content.decode()

    assert "<code>a.one</code>" in rows(customer=customer.pk)
    assert "<code>b.two</code>" not in rows(customer=customer.pk)
    assert "<code>b.two</code>" in rows(operation="b.two")
    assert "<code>a.one</code>" not in rows(operation="b.two")
    assert "<code>c.old</code>" not in rows()  # older than 90 days
    response = client.get(url, {"start": "2026-12-10", "end": "2026-12-01"})
    assert response.status_code == 200
    assert b"The start date must be on or before the end date." in response.content
    assert client.get(url, {"customer": "999999"}).status_code == 200  # bad filter: no 500


def test_notifications_and_email_delivery(client, make_user):
    user = make_user()
    with transaction.atomic():
        notifications.notify_partner(
            partner=user.partner, roles=[Role.GLOBAL_ADMIN], subject="Hello", body="B", url="/x/"
        )
    assert Notification.objects.filter(user=user, subject="Hello").exists()
    email = OutboundEmail.objects.get(subject="Hello")
    assert notifications.deliver(email.pk) is True
    assert notifications.deliver(email.pk) is False  # exactly once
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert "/x/" in mail.outbox[0].body
    client.force_login(user)
    assert b"Hello" in client.get(reverse("notifications")).content
    client.post(reverse("notifications_mark_read"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_sweep_delivers_emails_whose_doorbell_was_lost():
    email = f.OutboundEmailFactory()
    fired = sweep.run_sweep()
    assert fired["core.tasks.deliver_queued_emails"] == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert sweep.run_sweep()["core.tasks.deliver_queued_emails"] == 0


def test_sent_mail_is_for_staff_only(client, staff, make_user):
    email = f.OutboundEmailFactory(subject="Visible to staff")
    client.force_login(staff)
    assert b"Visible to staff" in client.get(reverse("sent_mail")).content
    assert client.get(reverse("sent_mail_detail", args=[email.pk])).status_code == 200
    assert client.get(reverse("sent_mail_detail", args=[email.pk + 999])).status_code == 404
    client.force_login(make_user())
    assert client.get(reverse("sent_mail")).status_code == 403


def test_database_backs_up_core_rules():
    partner = f.PartnerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.PartnerFactory(partner_id=partner.partner_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.PartnerFactory(partner_id="12ab")
    relationship = f.RelationshipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.RelationshipFactory(customer=relationship.customer, partner=relationship.partner)


@pytest.mark.parametrize("persona", ["partner", "provider", "customer", "staff"])
def test_each_persona_reaches_its_dashboard(client, persona, staff):
    user = {
        "partner": lambda: f.UserFactory(),
        "provider": lambda: f.UserFactory(partner=f.ProviderFactory()),
        "customer": lambda: f.CustomerAdminFactory(),
        "staff": lambda: staff,
    }[persona]()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert f"core/home_{persona}.html" in [t.name for t in response.templates]


def test_sign_in_and_out(client):
    user = f.UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    assert response.status_code == 200 and b"didn't match" in response.content
    response = client.post(reverse("login"), {"username": user.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_error_pages(client, make_user):
    client.force_login(make_user())
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and b"Not found" in response.content


def test_apply_transition_checks_saves_and_audits(staff):
    from core.exceptions import InvalidTransition
    from core.fsm import apply_transition
    from enrollment.models import DIRECT_BILL_TRANSITIONS

    enrollment = f.DirectBillEnrollmentFactory()
    event = apply_transition(
        enrollment,
        DIRECT_BILL_TRANSITIONS,
        "restricted",
        actor=staff,
        operation="direct_bill.restrict",
        partner=enrollment.partner,
        status_reason="asked",
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "restricted" and enrollment.status_reason == "asked"
    assert (event.old_state, event.new_state, event.partner) == (
        "active",
        "restricted",
        enrollment.partner,
    )
    apply_transition(enrollment, DIRECT_BILL_TRANSITIONS, "closed", actor=staff, operation="x")
    with pytest.raises(InvalidTransition, match="cannot change from closed to active"):
        apply_transition(enrollment, DIRECT_BILL_TRANSITIONS, "active", actor=staff, operation="x")
    enrollment.refresh_from_db()
    assert enrollment.status == "closed"
    assert AuditEvent.objects.filter(operation="x").count() == 1


def test_apply_transition_many_checks_every_row_first_then_moves_all(staff):
    from core.exceptions import InvalidTransition
    from core.fsm import apply_transition_many
    from enrollment.models import DIRECT_BILL_TRANSITIONS

    first, second = f.DirectBillEnrollmentFactory(), f.DirectBillEnrollmentFactory()
    events = apply_transition_many(
        [first, second],
        DIRECT_BILL_TRANSITIONS,
        "restricted",
        actor=staff,
        operation="direct_bill.restrict",
        partner_of=lambda row: row.partner,
        status_reason="asked",
    )
    assert sorted((e.object_id, e.old_state, e.new_state) for e in events) == sorted(
        (str(row.pk), "active", "restricted") for row in (first, second)
    )
    assert {e.partner for e in events} == {first.partner, second.partner}
    for row in (first, second):
        row.refresh_from_db()
        assert (row.status, row.status_reason) == ("restricted", "asked")
    apply_transition_many([first], DIRECT_BILL_TRANSITIONS, "closed", actor=staff, operation="x")
    # one row can't move (closed → active): nothing moves, nothing is audited
    second.refresh_from_db()
    with pytest.raises(InvalidTransition, match="cannot change from closed to active"):
        apply_transition_many(
            [second, first], DIRECT_BILL_TRANSITIONS, "active", actor=staff, operation="y"
        )
    second.refresh_from_db()
    assert second.status == "restricted"
    assert not AuditEvent.objects.filter(operation="y").exists()
