"""Stage presets (issue 12, part 7): `seed_demo --stage X` and the staff "Demo world" page land
the demo world at each point of the transition journey through the services."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from core import clock
from core.models import AuditEvent, CustomerRelationship, RelationshipKind, User
from core.services import clock_advance
from customers.mca import mca_valid_for
from customers.models import LEGACY_TYPES, Subscription
from demo import stages
from demo.exceptions import StageError
from enrollment.models import (
    DirectBillEnrollment,
    IndirectResellerEnrollment,
    IndirectStatus,
    Sandbox,
)
from relationships.models import ProviderPartnership, RelationshipExtension
from transfers.models import TransferRequest

LIVE = ["active", "suspended"]


def _direct_bill(cast):
    return DirectBillEnrollment.objects.get(partner=cast.contoso).status


def _contoso_kinds(cast):
    return Counter(
        CustomerRelationship.objects.active()
        .filter(partner=cast.contoso)
        .values_list("kind", flat=True)
    )


def _served_by_fabrikam(cast):
    return (
        CustomerRelationship.objects.active()
        .filter(
            partner=cast.fabrikam, kind=RelationshipKind.INDIRECT_PROVIDER, reseller=cast.contoso
        )
        .count()
    )


# --- each stage, built from an empty database ------------------------------------------------


def test_start_is_contoso_direct_bill_with_twenty_customers_and_a_sandbox(demo_stage):
    cast = demo_stage("start")
    assert stages.current_stage() == "start"
    assert _direct_bill(cast) == "active"
    assert _contoso_kinds(cast) == {RelationshipKind.DIRECT: 20}
    assert Sandbox.objects.filter(partner=cast.contoso, deleted_at__isnull=True).count() == 1
    assert not IndirectResellerEnrollment.objects.filter(partner=cast.contoso).exists()


def test_restricted_by_support_with_a_reason(demo_stage):
    cast = demo_stage("restricted")
    assert stages.current_stage() == "restricted"
    enrollment = DirectBillEnrollment.objects.get(partner=cast.contoso)
    assert enrollment.status == "restricted" and enrollment.status_reason
    event = AuditEvent.objects.get(operation="direct_bill.restrict", outcome="success")
    assert event.actor_id == cast.support.pk


def test_enrolled_means_the_agreement_is_accepted_by_the_global_admin(demo_stage):
    cast = demo_stage("enrolled")
    assert stages.current_stage() == "enrolled"
    enrollment = IndirectResellerEnrollment.objects.get(partner=cast.contoso)
    assert enrollment.status == IndirectStatus.ACTIVE
    assert enrollment.agreement_accepted_by_id == cast.contoso_admin.pk
    assert _direct_bill(cast) == "restricted"


def test_partnered_with_fabrikam_by_its_invitation(demo_stage):
    cast = demo_stage("partnered")
    assert stages.current_stage() == "partnered"
    partnership = ProviderPartnership.objects.get(provider=cast.fabrikam, reseller=cast.contoso)
    assert partnership.status == "accepted"
    assert partnership.invited_by_id == cast.fabrikam_admin.pk
    assert partnership.accepted_by_id == cast.contoso_admin.pk
    assert _served_by_fabrikam(cast) == 0


def test_extended_every_customer_to_fabrikam_with_consent(demo_stage):
    cast = demo_stage("extended")
    assert stages.current_stage() == "extended"
    assert _served_by_fabrikam(cast) == 20
    extensions = RelationshipExtension.objects.filter(reseller=cast.contoso, provider=cast.fabrikam)
    assert extensions.count() == 20
    assert all(e.consent_given_by and e.bill_to_sharing_confirmed for e in extensions)
    assert {e.created_by_id for e in extensions} == {cast.contoso_agent.pk}
    assert _contoso_kinds(cast) == {RelationshipKind.DIRECT: 20}  # still billed by Contoso


def test_ready_no_legacy_left_and_every_mca_valid_for_fabrikam(demo_stage):
    cast = demo_stage("ready")
    assert stages.current_stage() == "ready"
    contoso_live = Subscription.objects.filter(billing_partner=cast.contoso, status__in=LIVE)
    assert not contoso_live.filter(product_type__in=LEGACY_TYPES).exists()
    assert Subscription.objects.filter(migrated_from__isnull=False).count() == 8
    assert all(
        mca_valid_for(customer=customer, partner=cast.fabrikam) for customer in cast.customers
    )
    assert not TransferRequest.objects.exists()


def test_transferred_fabrikam_bills_everything_with_contoso_partner_of_record(demo_stage):
    cast = demo_stage("transferred")
    assert stages.current_stage() == "transferred"
    assert TransferRequest.objects.filter(status="complete").count() == 20
    assert not TransferRequest.objects.exclude(status="complete").exists()
    live = Subscription.objects.filter(customer__in=cast.customers, status__in=LIVE)
    paid = live.filter(is_trial=False)
    assert paid.count() >= 2 * 20
    assert all(
        s.billing_partner_id == cast.fabrikam.pk and s.partner_of_record_id == cast.contoso.pk
        for s in paid
    )
    assert set(live.filter(is_trial=True).values_list("billing_partner", flat=True)) == {
        cast.contoso.pk
    }  # trials don't transfer; the close ends them (TX-2)
    assert _contoso_kinds(cast) == {RelationshipKind.INDIRECT_RESELLER: 20}  # IR-1
    assert _direct_bill(cast) == "restricted"


def test_closed_all_twenty_customers_are_indirect_and_billed_by_fabrikam(demo_stage):
    cast = demo_stage("closed")
    assert stages.current_stage() == "closed"
    assert _direct_bill(cast) == "closed"
    assert _contoso_kinds(cast) == {RelationshipKind.INDIRECT_RESELLER: 20}
    live = Subscription.objects.filter(customer__in=cast.customers, status__in=LIVE)
    assert not live.filter(billing_partner=cast.contoso).exists()
    assert set(live.values_list("billing_partner", flat=True)) == {cast.fabrikam.pk}
    assert live.values("customer").distinct().count() == 20
    assert not Sandbox.objects.filter(partner=cast.contoso, deleted_at__isnull=True).exists()


# --- idempotent, never backwards without a reset ---------------------------------------------


def test_advancing_to_the_current_stage_changes_nothing(demo_stage):
    demo_stage("partnered")
    events = AuditEvent.objects.count()
    stages.advance_to("partnered")
    assert AuditEvent.objects.count() == events
    assert ProviderPartnership.objects.count() == 1


def test_a_half_done_step_is_completed(demo_stage):
    """A trainer extended a few customers by hand; the preset extends the rest."""
    from relationships.services.extension import relationship_extend_many

    cast = demo_stage("partnered")
    relationship_extend_many(
        actor=cast.contoso_agent,
        customer_ids=[c.pk for c in cast.customers[:5]],
        provider=cast.fabrikam,
        consent_given_by="IT lead",
        consent_given_on=clock.today(),
        consent_method="Phone call",
        bill_to_sharing_confirmed=True,
    )
    assert stages.current_stage() == "partnered"
    stages.advance_to("extended")
    assert stages.current_stage() == "extended"
    assert RelationshipExtension.objects.count() == 20


def test_going_back_is_refused_and_changes_nothing(demo_stage):
    cast = demo_stage("extended")
    events = AuditEvent.objects.count()
    with pytest.raises(StageError, match="at stage 'extended', past 'restricted'"):
        stages.advance_to("restricted")
    assert AuditEvent.objects.count() == events
    assert stages.current_stage() == "extended"
    assert _served_by_fabrikam(cast) == 20


def test_command_lands_a_fresh_database_at_closed(db, capsys):
    call_command("seed_demo", stage="closed")
    assert "Demo world at stage 'closed'" in capsys.readouterr().out
    cast = stages.cast()
    assert _contoso_kinds(cast) == {RelationshipKind.INDIRECT_RESELLER: 20}
    live = Subscription.objects.filter(customer__in=cast.customers, status__in=LIVE)
    assert set(live.values_list("billing_partner", flat=True)) == {cast.fabrikam.pk}

    events = AuditEvent.objects.count()
    call_command("seed_demo", stage="closed")  # again: nothing left to do
    assert "Demo world at stage 'closed'" in capsys.readouterr().out
    assert AuditEvent.objects.count() == events


def test_command_refuses_going_back_without_reset(demo_stage):
    demo_stage("ready")
    with pytest.raises(CommandError, match="past 'enrolled'.*--reset"):
        call_command("seed_demo", stage="enrolled")
    assert stages.current_stage() == "ready"
    with pytest.raises(CommandError, match="give --stage too"):
        call_command("seed_demo", reset=True, interactive=False)
    assert stages.current_stage() == "ready"


def test_command_reset_rebuilds_the_world_at_an_earlier_stage(demo_stage, staff):
    old = demo_stage("transferred")
    clock_advance(actor=staff, delta=timedelta(days=3))
    offset = clock.offset()
    call_command("seed_demo", stage="enrolled", reset=True, interactive=False)
    assert stages.current_stage() == "enrolled"
    new = stages.cast()
    assert new.contoso.pk != old.contoso.pk  # rebuilt, ids never reused
    assert not TransferRequest.objects.exists()
    assert clock.offset() == offset  # business time never moves back (AC-6)
    kept = User.objects.get(email=staff.email)  # staff without an organisation are kept
    assert kept.is_staff and kept.password == staff.password
    reset = AuditEvent.objects.get(operation="demo.reset")
    assert reset.object_id == "enrolled" and reset.actor_id is None
    # The old world's audit log went with it (truncated); the new one is still append-only.
    assert not AuditEvent.objects.filter(operation="transfer.submit").exists()
    assert AuditEvent.objects.filter(operation="sandbox.create").count() == 1
    with pytest.raises(Exception, match="audit_events_append_only"), transaction.atomic():
        AuditEvent.objects.all().delete()


# --- the staff page ----------------------------------------------------------------------------


def test_staff_page_shows_the_current_stage(demo_stage, login, staff):
    demo_stage("partnered")
    response = login(staff).get("/staff/demo/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="step"' in html
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert "3. Partnered" in current
    assert "(current stage)" in current


def test_staff_reset_from_the_page_rebuilds_at_the_stage_and_stays_signed_in(
    demo_stage, client, staff
):
    demo_stage("partnered")
    client.force_login(staff)
    response = client.post("/staff/demo/", {"stage": "restricted", "confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert "rebuilt at stage “1. Restricted”" in response.content.decode()
    assert response.context["user"].email == staff.email  # still signed in
    assert stages.current_stage() == "restricted"
    assert not ProviderPartnership.objects.exists()
    assert AuditEvent.objects.get(operation="demo.reset").actor.email == staff.email


def test_staff_reset_needs_the_confirmation(demo_stage, login, staff):
    demo_stage("partnered")
    events = AuditEvent.objects.count()
    response = login(staff).post("/staff/demo/", {"stage": "start"})
    assert response.status_code == 200
    assert "Tick the box to confirm" in response.content.decode()
    assert stages.current_stage() == "partnered"
    assert AuditEvent.objects.count() == events


def test_non_staff_cannot_see_or_reset_the_demo_world(demo_stage, client):
    cast = demo_stage("partnered")
    events = AuditEvent.objects.count()
    client.force_login(cast.contoso_admin)
    assert client.get("/staff/demo/").status_code == 403
    response = client.post("/staff/demo/", {"stage": "start", "confirm": "on"})
    assert response.status_code == 403
    assert stages.current_stage() == "partnered"
    assert AuditEvent.objects.count() == events
    client.logout()
    anonymous = client.post("/staff/demo/", {"stage": "start", "confirm": "on"})
    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]
    assert stages.current_stage() == "partnered"


def test_staff_home_and_navigation_link_the_page(login, staff):
    html = login(staff).get("/").content.decode()
    assert html.count('href="/staff/demo/"') == 2


def test_a_refused_service_call_stops_the_stage_and_changes_nothing(demo_stage):
    """A world the journey can't continue from (here: a customer with no MCA and a provider
    that can't attest) stops with the refusal, and the stage's transaction rolls back."""
    cast = demo_stage("extended")
    cast.fabrikam_admin.roles = []
    cast.fabrikam_admin.save(update_fields=["roles"])
    events = AuditEvent.objects.filter(outcome="success").count()
    with pytest.raises(StageError, match="Stage 'ready' was refused: .*Admin agent"):
        stages.advance_to("ready")
    assert AuditEvent.objects.filter(outcome="success").count() == events
    assert Subscription.objects.filter(
        billing_partner=cast.contoso, product_type__in=LEGACY_TYPES, status="active"
    ).exists()


def test_stage_names_are_the_documented_ones():
    assert stages.NAMES == [
        "start",
        "restricted",
        "enrolled",
        "partnered",
        "extended",
        "ready",
        "transferred",
        "closed",
    ]
    with pytest.raises(StageError, match="Unknown stage 'done'"):
        stages.index_of("done")


def test_staff_page_builds_the_demo_world_in_an_empty_database(login, staff):
    client = login(staff)
    assert (
        "There is no demo world in the database yet" in client.get("/staff/demo/").content.decode()
    )
    response = client.post("/staff/demo/", {"stage": "start", "confirm": "on"})
    assert response.status_code == 302
    assert stages.current_stage() == "start"
    assert len(stages.cast().customers) == 20
