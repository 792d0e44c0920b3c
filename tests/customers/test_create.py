"""CU-3 and DB-2: who can create a customer tenant."""

import pytest

from core.exceptions import RoleRequired, RuleViolation
from core.models import AuditEvent, Customer, CustomerRelationship, Tenant
from customers import hooks, services
from customers.exceptions import ResellerCannotCreateTenant, ResellerNotEligible
from enrollment.exceptions import DirectBillRestricted
from tests import factories as f

from .conftest import restrict

FIELDS = {
    "company_name": "Fabrikam Hotels",
    "domain": "fabrikamhotels.example",
    "email": "it@fabrikamhotels.example",
}


@pytest.mark.rule("DB-2")
def test_db2_direct_bill_active_partner_creates_customer_tenant(direct):
    customer = services.customer_create(actor=direct.admin, **FIELDS)
    rel = CustomerRelationship.objects.get(customer=customer)
    assert (rel.partner, rel.kind, rel.origin) == (direct.partner, "direct", "created")
    assert customer.tenant.domain == "fabrikamhotels.example"
    assert AuditEvent.objects.filter(operation="customer.create", outcome="success").exists()


@pytest.mark.rule("DB-2")
def test_db2_restricted_partner_cannot_create_customer_tenant(direct):
    restrict(direct.enrollment)
    before = Customer.objects.count()
    with pytest.raises(DirectBillRestricted, match="restricted"):
        services.customer_create(actor=direct.admin, **FIELDS)
    assert Customer.objects.count() == before
    assert not Tenant.objects.filter(domain=FIELDS["domain"]).exists()
    assert AuditEvent.objects.filter(operation="customer.create", outcome="refused").exists()


@pytest.mark.rule("CU-3")
def test_cu3_indirect_reseller_cannot_create_customer_tenant(db):
    reseller = f.IndirectEnrollmentFactory().partner
    user = f.UserFactory(partner=reseller, roles=["admin_agent"])
    with pytest.raises(ResellerCannotCreateTenant, match="your provider creates the tenant"):
        services.customer_create(actor=user, **FIELDS)
    assert not Tenant.objects.filter(domain=FIELDS["domain"]).exists()


@pytest.mark.rule("CU-3")
def test_cu3_provider_creates_tenant_naming_reseller_and_it_shows_in_resellers_list(db, client):
    provider = f.ProviderFactory()
    reseller = f.IndirectEnrollmentFactory().partner
    f.PartnershipFactory(provider=provider, reseller=reseller)  # PV-2 (checked by relationships)
    user = f.UserFactory(partner=provider, roles=["admin_agent"])
    customer = services.customer_create(actor=user, reseller=reseller, **FIELDS)
    rels = {r.partner_id: r for r in CustomerRelationship.objects.filter(customer=customer)}
    assert rels[provider.pk].kind == "indirect_provider"
    assert rels[provider.pk].reseller == reseller
    assert rels[provider.pk].origin == "provider_created"
    assert rels[reseller.pk].kind == "indirect_reseller"
    client.force_login(f.UserFactory(partner=reseller, roles=["sales_agent"]))
    page = client.get("/customers/")
    assert "Fabrikam Hotels" in page.content.decode()
    assert f"Indirect via {provider.legal_name}" in page.content.decode()


@pytest.mark.rule("CU-3")
def test_cu3_provider_cannot_name_a_partner_that_is_not_an_active_indirect_reseller(db):
    provider = f.ProviderFactory()
    not_reseller = f.PartnerFactory()
    user = f.UserFactory(partner=provider, roles=["admin_agent"])
    with pytest.raises(ResellerNotEligible, match="not an active indirect reseller"):
        services.customer_create(actor=user, reseller=not_reseller, **FIELDS)
    assert not Tenant.objects.filter(domain=FIELDS["domain"]).exists()


@pytest.mark.rule("CU-3")
def test_cu3_registered_reseller_check_can_refuse_and_nothing_is_created(db):
    provider = f.ProviderFactory()
    reseller = f.IndirectEnrollmentFactory().partner
    f.PartnershipFactory(provider=provider, reseller=reseller)
    user = f.UserFactory(partner=provider, roles=["admin_agent"])

    class NoPartnership(RuleViolation):
        code = "no_partnership"

    def check(p, r):
        assert (p, r) == (provider, reseller)
        raise NoPartnership("No accepted partnership.")

    hooks.register_reseller_check(check)
    try:
        with pytest.raises(NoPartnership):
            services.customer_create(actor=user, reseller=reseller, **FIELDS)
    finally:
        hooks.unregister_reseller_check(check)
    assert not Tenant.objects.filter(domain=FIELDS["domain"]).exists()


@pytest.mark.rule("AC-1")
def test_sales_agent_and_billing_admin_cannot_create_customers(direct, client):
    for user in (direct.sales, direct.billing):
        with pytest.raises(RoleRequired):
            services.customer_create(actor=user, **FIELDS)
        client.force_login(user)
        assert client.get("/customers/new/").status_code == 403
        assert client.post("/customers/new/", FIELDS | {"country": "US"}).status_code == 403
    assert not Tenant.objects.filter(domain=FIELDS["domain"]).exists()


@pytest.mark.rule("DB-2")
def test_create_page_creates_and_refuses_with_inline_error(direct, client):
    client.force_login(direct.admin)
    response = client.post("/customers/new/", FIELDS | {"country": "US"})
    assert response.status_code == 302
    customer = Customer.objects.get(tenant__domain=FIELDS["domain"])
    assert response["Location"] == f"/customers/{customer.pk}/"
    # same domain again: inline error, no 500
    response = client.post("/customers/new/", FIELDS | {"country": "US"})
    assert response.status_code == 200 and "already in use" in response.content.decode()
    restrict(direct.enrollment)
    response = client.post("/customers/new/", FIELDS | {"domain": "other.example", "country": "US"})
    assert response.status_code == 200
    assert "direct-bill account is restricted" in response.content.decode()
    assert not Tenant.objects.filter(domain="other.example").exists()
    # bad input
    response = client.post("/customers/new/", {"company_name": "", "domain": "NOT A DOMAIN"})
    assert response.status_code == 200


def test_provider_create_page_lists_only_active_indirect_resellers(db, client):
    provider = f.ProviderFactory()
    reseller = f.IndirectEnrollmentFactory().partner
    f.PartnershipFactory(provider=provider, reseller=reseller)
    other = f.PartnerFactory()
    client.force_login(f.UserFactory(partner=provider, roles=["admin_agent"]))
    body = client.get("/customers/new/").content.decode()
    assert reseller.legal_name in body and other.legal_name not in body
    response = client.post(
        "/customers/new/", FIELDS | {"country": "US", "reseller": str(reseller.pk)}
    )
    assert response.status_code == 302
    response = client.post(
        "/customers/new/", FIELDS | {"domain": "x2.example", "country": "US", "reseller": "99999"}
    )
    assert response.status_code == 200 and not Tenant.objects.filter(domain="x2.example").exists()


@pytest.mark.rule("CU-3")
@pytest.mark.rule("DB-2")
def test_create_page_explains_refusal_before_the_form(direct, client):
    client.force_login(direct.admin)
    assert 'data-testid="create-refusal"' not in client.get("/customers/new/").content.decode()
    restrict(direct.enrollment)
    body = client.get("/customers/new/").content.decode()
    assert 'data-testid="create-refusal"' in body and "restricted" in body
    reseller = f.IndirectEnrollmentFactory().partner
    client.force_login(f.UserFactory(partner=reseller, roles=["global_admin"]))
    body = client.get("/customers/new/").content.decode()
    assert "your provider creates the tenant and names you" in body


@pytest.mark.rule("CU-3")
def test_cu3_reseller_whose_direct_bill_closed_cannot_create(direct):
    f.IndirectEnrollmentFactory(partner=direct.partner)
    direct.enrollment.status = "closed"
    direct.enrollment.save()
    with pytest.raises(ResellerCannotCreateTenant):
        services.customer_create(actor=direct.admin, **FIELDS)
