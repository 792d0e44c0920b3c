"""TR-10: subscriptions move only between transacting partners — a direct-bill partner (Active
or Restricted) or an indirect provider. An indirect reseller or a partner whose direct-bill
enrollment is Closed is refused as the target of a transfer (page, API, bulk; checked again at
submit) and never becomes the billing partner of a subscription (services, admin)."""

import json

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from api import services as api_services
from api.numeric_codes import NUMERIC_CODES
from core.models import AuditEvent, Notification, OutboundEmail, RelationshipKind, Role
from customers import services as customer_services
from customers.models import Order, ProductType, Subscription
from enrollment.capabilities import not_transacting_reasons
from enrollment.exceptions import NotTransactingPartner
from enrollment.models import DirectBillEnrollment, DirectBillStatus
from tests import factories as f
from transfers import services
from transfers.models import TransferRequest, TransferStatus

from .conftest import direct_customer

REFUSAL = "Only a transacting partner can"


def _reseller():
    """An indirect reseller with no direct-bill business."""
    return f.IndirectEnrollmentFactory(partner=f.PartnerFactory(legal_name="Reseller Only")).partner


def _closed():
    """A partner whose direct-bill enrollment is Closed."""
    partner = f.PartnerFactory(legal_name="Closed Direct")
    f.DirectBillEnrollmentFactory(partner=partner, status=DirectBillStatus.CLOSED)
    return partner


def _direct(status):
    partner = f.PartnerFactory(legal_name=f"Direct {status}")
    f.DirectBillEnrollmentFactory(partner=partner, status=status)
    return partner


NOT_TRANSACTING = {
    "reseller": (_reseller, "is an indirect reseller"),
    "closed": (_closed, "has closed its direct-bill enrollment"),
}


def _related(customer, partner):
    """`partner` has a relationship with `customer` (so only TR-10 can refuse it)."""
    kind = RelationshipKind.DIRECT
    if not DirectBillEnrollment.objects.filter(partner=partner).exists():
        kind = RelationshipKind.INDIRECT_RESELLER
    f.RelationshipFactory(customer=customer, partner=partner, kind=kind)


def _agent(partner):
    return f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT])


def _nothing_written():
    return (
        not TransferRequest.objects.exists()
        and not Notification.objects.exists()
        and not OutboundEmail.objects.exists()
    )


# --- the one definition ------------------------------------------------------------------------


@pytest.mark.rule("TR-10")
def test_tr10_who_is_transacting(db):
    """TR-10: providers and Active/Restricted direct-bill partners transact (even a direct-bill
    partner that is also an indirect reseller, mid-transition); resellers, Closed direct-bill
    partners and partners with neither don't — each with its reason."""
    provider = f.ProviderFactory()
    active, restricted = _direct(DirectBillStatus.ACTIVE), _direct(DirectBillStatus.RESTRICTED)
    transitioning = _direct(DirectBillStatus.RESTRICTED)
    f.IndirectEnrollmentFactory(partner=transitioning)
    reseller, closed, nobody = _reseller(), _closed(), f.PartnerFactory()
    reasons = not_transacting_reasons(
        partners=[provider, active, restricted, transitioning, reseller, closed, nobody]
    )
    assert reasons == {
        reseller.pk: "is an indirect reseller (its provider bills its customers)",
        closed.pk: "has closed its direct-bill enrollment",
        nobody.pk: "has no direct-bill enrollment and is not an indirect provider",
    }


# --- transfer creation: the target -------------------------------------------------------------


@pytest.mark.rule("TR-10")
@pytest.mark.parametrize("kind", NOT_TRANSACTING)
def test_tr10_create_refuses_a_non_transacting_target_and_writes_nothing(setup, kind):
    make, why = NOT_TRANSACTING[kind]
    target = make()
    _related(setup.customer, target)
    with pytest.raises(NotTransactingPartner) as refusal:
        services.transfer_create(
            actor=_agent(target),
            customer=setup.customer,
            source_partner_id=setup.source.partner_id,
            customer_email=setup.customer.email,
        )
    assert refusal.value.rule == "TR-10" and refusal.value.code == "not_transacting_partner"
    assert f"{target.legal_name} {why}" in str(refusal.value)
    assert "be the target of a transfer" in str(refusal.value) and REFUSAL in str(refusal.value)
    assert _nothing_written()
    assert AuditEvent.objects.filter(operation="transfer.create", outcome="refused").count() == 1


@pytest.mark.rule("TR-10")
@pytest.mark.parametrize("kind", NOT_TRANSACTING)
def test_tr10_bulk_create_refuses_a_non_transacting_target_and_writes_nothing(setup, kind):
    make, why = NOT_TRANSACTING[kind]
    target = make()
    customers = [setup.customer, direct_customer(setup.source)]
    for customer in customers:
        _related(customer, target)
    with pytest.raises(NotTransactingPartner, match=why):
        services.transfer_create_many(
            actor=_agent(target), source=setup.source, customers=customers
        )
    assert _nothing_written()


@pytest.mark.rule("TR-10")
@pytest.mark.parametrize("status", [DirectBillStatus.ACTIVE, DirectBillStatus.RESTRICTED])
def test_tr10_an_open_direct_bill_target_creates_and_receives(setup, status):
    """TR-10 allowed path: a direct-bill partner, Active or Restricted, is a target (the
    provider target is the `setup` default, used by the other transfer tests)."""
    target = _direct(status)
    f.RelationshipFactory(customer=setup.customer, partner=target)
    transfer = services.transfer_create(
        actor=_agent(target),
        customer=setup.customer,
        source_partner_id=setup.source.partner_id,
        customer_email=setup.customer.email,
    )
    services.transfer_submit(
        actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.azure.pk]
    )
    assert Subscription.objects.get(transferred_from=setup.azure).billing_partner == target


@pytest.mark.rule("TR-10")
def test_tr10_a_provider_target_creates_in_bulk(setup):
    outcomes = services.transfer_create_many(
        actor=setup.target_agent, source=setup.source, customers=[setup.customer]
    )
    assert outcomes[setup.customer.pk].target == setup.target


@pytest.mark.rule("TR-10")
@pytest.mark.parametrize("kind", NOT_TRANSACTING)
def test_tr10_create_page_refuses_a_non_transacting_target(client, setup, kind):
    make, why = NOT_TRANSACTING[kind]
    target = make()
    _related(setup.customer, target)
    client.force_login(_agent(target))
    response = client.post(
        reverse("transfer_create"),
        {
            "customer": setup.customer.pk,
            "customer_email": setup.customer.email,
            "source_partner_id": setup.source.partner_id,
        },
    )
    assert response.status_code == 200
    assert why in response.content.decode()
    assert _nothing_written()


# --- transfer submit: checked again at use -----------------------------------------------------


def _close(partner):
    enrollment = DirectBillEnrollment.objects.get(partner=partner)
    enrollment.status = DirectBillStatus.CLOSED
    enrollment.save(update_fields=["status"])


def _snapshot(customer):
    return sorted(
        Subscription.objects.filter(customer=customer).values_list(
            "pk", "status", "billing_partner_id"
        )
    )


@pytest.fixture
def direct_target_request(setup):
    """A request from an Active direct-bill target (allowed when created)."""
    target = _direct(DirectBillStatus.ACTIVE)
    f.RelationshipFactory(customer=setup.customer, partner=target)
    transfer = services.transfer_create(
        actor=_agent(target),
        customer=setup.customer,
        source_partner_id=setup.source.partner_id,
        customer_email=setup.customer.email,
    )
    return transfer


@pytest.mark.rule("TR-10")
def test_tr10_submit_refuses_when_the_target_closed_since_and_nothing_moves(
    setup, direct_target_request
):
    transfer = direct_target_request
    _close(transfer.target)
    before = _snapshot(setup.customer)
    with pytest.raises(NotTransactingPartner) as refusal:
        services.transfer_submit(
            actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.base.pk]
        )
    assert "has closed its direct-bill enrollment" in str(refusal.value)
    assert "receive transferred subscriptions" in str(refusal.value)
    assert _snapshot(setup.customer) == before
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING and not transfer.lines.exists()


@pytest.mark.rule("TR-10")
def test_tr10_detail_page_says_before_submission_that_the_target_closed(
    client, setup, direct_target_request
):
    transfer = direct_target_request
    client.force_login(setup.source_agent)
    url = reverse("transfer_detail", args=[transfer.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="target-refusal"' not in page and "Submit transfer</button>" in page
    _close(transfer.target)
    page = client.get(url).content.decode()
    assert 'data-testid="target-refusal"' in page
    assert "has closed its direct-bill enrollment" in page
    # No button for what the page says can't be done.
    assert "Submit transfer</button>" not in page and 'data-testid="submit-not-offered"' in page


@pytest.mark.rule("TR-10")
def test_tr10_bulk_submit_refuses_a_request_whose_target_closed(setup, direct_target_request):
    transfer = direct_target_request
    _close(transfer.target)
    before = _snapshot(setup.customer)
    outcomes = services.transfer_submit_many(actor=setup.source_agent, transfer_ids=[transfer.pk])
    assert isinstance(outcomes[transfer.pk], NotTransactingPartner)
    assert _snapshot(setup.customer) == before
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


# --- the API -----------------------------------------------------------------------------------


def _api(client, user, method, path, body):
    """Call /v1/ as `user` with a fresh bearer token."""
    _token, raw = api_services.api_token_create(actor=user, name="test")
    return getattr(client, method)(
        path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


@pytest.mark.rule("TR-10")
@pytest.mark.parametrize("kind", NOT_TRANSACTING)
def test_tr10_api_create_refuses_a_non_transacting_target(client, setup, kind):
    """Through the API a non-transacting partner is refused before the service (TX-2 gives API
    access to the same partners TR-10 calls transacting); nothing is created."""
    make, _why = NOT_TRANSACTING[kind]
    target = make()
    _related(setup.customer, target)
    response = _api(
        client,
        _agent(target),
        "post",
        f"/v1/customers/{setup.customer.tenant_id}/transfers",
        {
            "customerEmailId": setup.customer.email,
            "sourcePartnerTenantId": str(setup.source.tenant_id),
            "targetProductTypes": ["OnlineServicesNCE"],
        },
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == NUMERIC_CODES["api_access_direct_bill_only"]
    assert response.json()["errorName"] == "api_access_direct_bill_only"
    assert _nothing_written()


@pytest.mark.rule("TR-10")
def test_tr10_api_submit_refuses_when_the_target_closed_since(client, setup, direct_target_request):
    transfer = direct_target_request
    _close(transfer.target)
    before = _snapshot(setup.customer)
    response = _api(
        client,
        setup.source_agent,
        "patch",
        f"/v1/customers/{setup.customer.tenant_id}/transfers/{transfer.pk}",
        {"lineItems": [{"subscriptionId": str(setup.base.pk)}]},
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == NUMERIC_CODES["not_transacting_partner"]
    assert body["errorName"] == "not_transacting_partner"
    assert "has closed its direct-bill enrollment" in body["description"]
    assert _snapshot(setup.customer) == before
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


# --- billing partner of new subscriptions ------------------------------------------------------


@pytest.mark.rule("TR-10")
def test_tr10_a_closed_partner_never_bills_a_migrated_subscription(setup):
    """A Closed partner still holding a legacy subscription (data from before the rule) can't
    migrate it: the new subscription would be billed by a non-transacting partner."""
    _close(setup.source)
    before = _snapshot(setup.customer)
    with pytest.raises(NotTransactingPartner, match="has closed its direct-bill enrollment"):
        customer_services.subscription_migrate_new_commerce(
            actor=setup.source_agent, subscription=setup.legacy
        )
    assert _snapshot(setup.customer) == before
    assert not Order.objects.exists()


@pytest.mark.rule("TR-10")
def test_tr10_a_restricted_partner_still_migrates(setup):
    enrollment = DirectBillEnrollment.objects.get(partner=setup.source)
    enrollment.status = DirectBillStatus.RESTRICTED
    enrollment.save(update_fields=["status"])
    new = customer_services.subscription_migrate_new_commerce(
        actor=setup.source_agent, subscription=setup.legacy
    )
    assert new.billing_partner == setup.source and new.product_type == ProductType.LICENSE


@pytest.mark.rule("TR-10")
def test_tr10_admin_cannot_make_anyone_the_billing_partner(setup, staff):
    """Staff can't edit who bills a subscription or what it is, nor add one, in the admin."""
    request = RequestFactory().get("/admin/")
    request.user = staff
    subscriptions = admin.site.get_model_admin(Subscription)
    form = subscriptions.get_form(request, setup.base)
    for field in ("billing_partner", "product_type", "parent", "customer"):
        assert field not in form.base_fields, field
    assert not subscriptions.has_add_permission(request)
    orders = admin.site.get_model_admin(Order)
    assert "billing_partner" not in orders.get_form(request, None).base_fields
    assert not orders.has_add_permission(request)


@pytest.mark.rule("TR-10")
def test_tr10_admin_keeps_a_billing_provider_a_provider(setup, staff):
    """Unticking "indirect provider" on a provider that bills would leave its subscriptions with
    a partner that may not transact: read-only while it bills, editable otherwise."""
    request = RequestFactory().get("/admin/")
    request.user = staff
    partners = admin.site.get_model_admin(type(setup.target))
    assert "is_indirect_provider" in partners.get_form(request, setup.target).base_fields
    f.SubscriptionFactory(customer=setup.customer, billing_partner=setup.target)
    assert "is_indirect_provider" not in partners.get_form(request, setup.target).base_fields
