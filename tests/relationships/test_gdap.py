"""GD-1, GD-2, CU-6: GDAP requests, the customer's decision, expiry, notices, auto-extend."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core import sweep
from core.exceptions import RoleRequired
from core.models import AuditEvent, Notification, Outcome, RelationshipKind, Role
from core.services import clock_advance
from relationships import gdap as gdap_queries
from relationships.exceptions import GdapRefused
from relationships.models import GdapRelationship, GdapStatus
from relationships.services import gdap as svc
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db

GA = "global_administrator"


@pytest.fixture
def setup():
    partner = f.PartnerFactory(legal_name="Contoso Cloud")
    agent = f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT])
    customer = rf.direct_customer(partner)
    admin = f.CustomerAdminFactory(customer=customer)
    return partner, agent, customer, admin


def _request(agent, customer, roles=("directory_readers",), days=365, auto_extend=False):
    return svc.gdap_request(
        actor=agent,
        customer=customer,
        roles=list(roles),
        duration_days=days,
        auto_extend=auto_extend,
    )


@pytest.mark.rule("GD-1")
def test_gd1_admin_agent_requests_named_roles_customer_approves(client, setup):
    partner, agent, customer, admin = setup
    client.force_login(agent)
    response = client.post(
        reverse("gdap_request"),
        {
            "customer": customer.pk,
            "roles": ["user_administrator", "license_administrator"],
            "duration_days": 30,
        },
    )
    assert response.status_code == 302
    gdap = GdapRelationship.objects.get()
    assert gdap.status == GdapStatus.PENDING
    assert gdap.request_expires_at - gdap.requested_at == timedelta(days=90)
    assert Notification.objects.filter(user=admin, subject__contains="GDAP").exists()
    client.force_login(admin)
    page = client.get(reverse("customer_gdap")).content.decode()
    assert "User Administrator" in page and "Contoso Cloud" in page
    client.post(reverse("customer_gdap_decide", args=[gdap.pk, "approve"]))
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.ACTIVE and gdap.decided_by == admin
    assert gdap.ends_at - gdap.starts_at == timedelta(days=30)
    assert AuditEvent.objects.filter(operation="gdap.approve", partner=partner).exists()


@pytest.mark.rule("GD-1")
def test_gd1_customer_rejects(client, setup):
    _, agent, customer, admin = setup
    gdap = _request(agent, customer)
    client.force_login(admin)
    client.post(reverse("customer_gdap_decide", args=[gdap.pk, "reject"]))
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.REJECTED
    with pytest.raises(GdapRefused, match="rejected"):
        svc.gdap_approve(actor=admin, gdap=gdap)


@pytest.mark.rule("GD-1")
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"roles": []}, "at least one"),
        ({"roles": ["root"]}, "Unknown role"),
        ({"days": 0}, "between 1 day and 730 days"),
        ({"days": 731}, "between 1 day and 730 days"),
    ],
)
def test_gd1_bad_requests_are_refused(setup, kwargs, message):
    _, agent, customer, _ = setup
    with pytest.raises(GdapRefused, match=message):
        _request(agent, customer, **kwargs)
    assert not GdapRelationship.objects.exists()
    assert AuditEvent.objects.filter(operation="gdap.request", outcome=Outcome.REFUSED).exists()


@pytest.mark.rule("GD-1")
def test_gd1_duration_bounds_allowed(setup):
    _, agent, customer, _ = setup
    assert _request(agent, customer, days=1).duration_days == 1
    assert _request(agent, customer, days=730).duration_days == 730


@pytest.mark.rule("GD-1")
def test_gd1_only_admin_agent_and_only_own_customers(client, setup):
    partner, _, customer, _ = setup
    sales = f.UserFactory(partner=partner, roles=[Role.SALES_AGENT])
    with pytest.raises(RoleRequired):
        _request(sales, customer)
    stranger = f.UserFactory(roles=[Role.ADMIN_AGENT])
    with pytest.raises(GdapRefused, match="reseller relationship with"):
        _request(stranger, customer)
    client.force_login(sales)
    assert client.get(reverse("gdap_request")).status_code == 403
    client.force_login(stranger)
    assert client.get(reverse("gdap_request") + f"?customer={customer.pk}").status_code == 404
    response = client.post(
        reverse("gdap_request"),
        {"customer": customer.pk, "roles": ["directory_readers"], "duration_days": 5},
    )
    assert response.status_code == 200
    assert "No customer of yours matches" in response.content.decode()
    assert not GdapRelationship.objects.exists()


@pytest.mark.rule("MV-5")
@pytest.mark.rule("GD-1")
def test_gd1_extension_relationship_gives_no_gdap(setup):
    _, _, customer, _ = setup
    provider = f.ProviderFactory()
    f.RelationshipFactory(
        partner=provider,
        customer=customer,
        kind=RelationshipKind.INDIRECT_PROVIDER,
        origin="extension",
        has_admin_privileges=False,
        reseller=f.PartnerFactory(),
    )
    agent = f.UserFactory(partner=provider, roles=[Role.ADMIN_AGENT])
    with pytest.raises(GdapRefused, match="indirect reseller invitation instead"):
        _request(agent, customer)


@pytest.mark.rule("GD-1")
def test_gd1_customer_isolation(client, setup):
    _, agent, customer, _ = setup
    gdap = _request(agent, customer)
    other_admin = f.CustomerAdminFactory()
    client.force_login(other_admin)
    assert (
        client.post(reverse("customer_gdap_decide", args=[gdap.pk, "approve"])).status_code == 404
    )
    assert client.post(reverse("customer_gdap_decide", args=[gdap.pk, "bogus"])).status_code == 404
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.PENDING
    with pytest.raises(GdapRefused):
        svc.gdap_approve(actor=agent, gdap=gdap)  # a partner user cannot approve its own request


@pytest.mark.rule("GD-1")
def test_gd1_unanswered_request_expires_after_90_days_by_the_clock(setup):
    _, agent, customer, admin = setup
    gdap = _request(agent, customer)
    clock_advance(actor=None, delta=timedelta(days=89))
    sweep.run_sweep()
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.PENDING
    clock_advance(actor=None, delta=timedelta(days=2))
    with pytest.raises(GdapRefused, match="expired"):
        svc.gdap_approve(actor=admin, gdap=gdap)
    sweep.run_sweep()
    sweep.run_sweep()
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.EXPIRED
    assert AuditEvent.objects.filter(operation="gdap.request_expire").count() == 1


@pytest.mark.rule("GD-2")
@pytest.mark.rule("CU-6")
def test_gd2_active_relationship_expires_at_its_end_with_notices(setup):
    partner, agent, customer, admin = setup
    gdap = _request(agent, customer, roles=["user_administrator", GA], days=60)
    # CU-6: pending gives none
    assert not gdap_queries.has_admin_permissions(partner=partner, customer=customer)
    svc.gdap_approve(actor=admin, gdap=gdap)
    assert gdap_queries.has_admin_permissions(partner=partner, customer=customer)
    assert gdap_queries.admin_roles(partner=partner, customer=customer) == [
        "User Administrator",
        "Global Administrator",
    ]
    clock_advance(actor=None, delta=timedelta(days=31))  # 29 days left: the 30-day notice
    sweep.run_sweep()
    sweep.run_sweep()
    gdap.refresh_from_db()
    assert gdap.notices_sent == [30]
    assert AuditEvent.objects.filter(operation="gdap.expiry_notice").count() == 1
    assert Notification.objects.filter(user=admin, subject__contains="ends in 30").count() == 1
    clock_advance(actor=None, delta=timedelta(days=23))  # 6 days left
    sweep.run_sweep()
    clock_advance(actor=None, delta=timedelta(days=5, hours=1))  # < 1 day left
    sweep.run_sweep()
    gdap.refresh_from_db()
    assert gdap.notices_sent == [30, 7, 1]
    assert AuditEvent.objects.filter(operation="gdap.expiry_notice").count() == 3
    clock_advance(actor=None, delta=timedelta(days=1))
    sweep.run_sweep()
    sweep.run_sweep()
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.EXPIRED  # Global Administrator: no auto-extend
    assert not gdap_queries.has_admin_permissions(partner=partner, customer=customer)
    assert AuditEvent.objects.filter(operation="gdap.expire").count() == 1


@pytest.mark.rule("GD-2")
def test_gd2_auto_extend_adds_180_days_unless_global_admin(setup):
    partner, agent, customer, admin = setup
    extending = _request(agent, customer, days=10, auto_extend=True)
    svc.gdap_approve(actor=admin, gdap=extending)
    end = GdapRelationship.objects.get(pk=extending.pk).ends_at
    clock_advance(actor=None, delta=timedelta(days=11))
    sweep.run_sweep()
    sweep.run_sweep()
    extending.refresh_from_db()
    assert extending.status == GdapStatus.ACTIVE
    assert extending.ends_at == end + timedelta(days=180) and extending.extensions == 1
    assert extending.notices_sent == []
    assert gdap_queries.has_admin_permissions(partner=partner, customer=customer)


@pytest.mark.rule("GD-2")
def test_gd2_auto_extend_with_global_admin_is_refused(setup):
    """GD-2: auto-extend is not allowed for a relationship that includes Global Administrator:
    the request is refused with the reason, nothing is created, the refusal is audited."""
    _, agent, customer, _ = setup
    with pytest.raises(GdapRefused) as refused:
        _request(agent, customer, roles=("directory_readers", GA), auto_extend=True)
    assert str(refused.value) == (
        "Auto-extend is not available for a relationship that includes Global Administrator."
    )
    assert refused.value.rule == "GD-2"
    assert not GdapRelationship.objects.exists()
    assert AuditEvent.objects.filter(operation="gdap.request", outcome=Outcome.REFUSED).exists()
    # The same request without auto-extend is allowed.
    assert _request(agent, customer, roles=("directory_readers", GA)).auto_extend is False


@pytest.mark.rule("GD-2")
def test_gd2_database_refuses_auto_extend_with_global_admin(setup):
    from django.db import IntegrityError, transaction

    _, agent, customer, _ = setup
    with pytest.raises(IntegrityError), transaction.atomic():
        f.GdapFactory(partner=agent.partner, customer=customer, roles=[GA], auto_extend=True)


@pytest.mark.rule("CU-6")
def test_cu6_partner_relationships_page_shows_admin_permissions_only_from_gdap(client, setup):
    partner, agent, customer, admin = setup
    client.force_login(admin)
    page = client.get(reverse("partner_relationships")).content.decode()
    assert "Contoso Cloud" in page and "No admin permissions" in page
    gdap = _request(agent, customer, roles=["helpdesk_administrator"])
    svc.gdap_approve(actor=admin, gdap=gdap)
    page = client.get(reverse("partner_relationships")).content.decode()
    assert "Helpdesk Administrator" in page and "No admin permissions" not in page
    svc.gdap_terminate(actor=admin, gdap=gdap)
    assert not gdap_queries.has_admin_permissions(partner=partner, customer=customer)
    page = client.get(reverse("partner_relationships")).content.decode()
    assert "No admin permissions" in page


@pytest.mark.rule("MV-6")
def test_mv6_extension_provider_shows_on_partner_relationships(client, setup):
    _, _, customer, admin = setup
    provider = f.ProviderFactory(legal_name="Northwind Supply")
    f.RelationshipFactory(
        partner=provider,
        customer=customer,
        kind=RelationshipKind.INDIRECT_PROVIDER,
        origin="extension",
        has_admin_privileges=False,
        reseller=f.PartnerFactory(legal_name="Reseller X"),
    )
    client.force_login(admin)
    page = client.get(reverse("partner_relationships")).content.decode()
    assert "Northwind Supply" in page and "Reseller relationship extension" in page


def test_partner_relationships_page_is_constant_query(client, setup, django_assert_max_num_queries):
    _, _, customer, admin = setup
    for _ in range(5):
        f.RelationshipFactory(customer=customer)
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("partner_relationships")).status_code == 200


def test_pages_for_wrong_persona(client, setup):
    _, agent, _, admin = setup
    client.force_login(agent)
    assert client.get(reverse("customer_gdap")).status_code == 403
    assert client.get(reverse("partner_relationships")).status_code == 403
    assert client.get(reverse("partner_gdap")).status_code == 200
    client.force_login(admin)
    assert client.get(reverse("partner_gdap")).status_code == 403
