"""Staff stay inside the rules in the admin (AC-5): status and rule-relevant fields are
read-only, rows that only a service may create or remove can't be added or deleted there, and
every admin save and delete is audited (AC-4). Generated over `admin.site._registry` where it
can be, so a new ModelAdmin is covered as soon as it is registered."""

from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from core.audited_admin import AuditedAdmin
from core.models import (
    AuditEvent,
    Customer,
    CustomerRelationship,
    Partner,
    RelationshipKind,
    Tenant,
    User,
)
from customers.models import (
    CustomerUser,
    McaAcceptance,
    McaMethod,
    Order,
    OrderRequest,
    ProductType,
    ServiceRequest,
    Subscription,
)
from enrollment.models import DirectBillEnrollment, IndirectResellerEnrollment
from relationships.models import GdapRelationship, ProviderPartnership
from tests import factories as f
from transfers.models import TransferRequest

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
AUDITED_EDITS = {Partner, User, Customer, Tenant, Order, ApiToken}
# AC-5: rows only a service creates and that history needs: never added or deleted here.
SERVICE_ONLY = [
    Subscription,
    McaAcceptance,
    CustomerRelationship,
    AuditEvent,
    DirectBillEnrollment,
    IndirectResellerEnrollment,
    GdapRelationship,
    ProviderPartnership,
    TransferRequest,
    Order,
    ApiToken,
]

# Factories of the models whose admin lets staff save or delete (a new one needs its entry).
FACTORIES = {
    User: f.UserFactory,
    Tenant: f.TenantFactory,
    Partner: f.PartnerFactory,
    Customer: f.CustomerFactory,
    Group: lambda: Group.objects.create(name="Support leads"),
    Subscription: f.SubscriptionFactory,
    Order: f.OrderLineFactory,
    OrderRequest: f.OrderRequestFactory,
    ServiceRequest: f.ServiceRequestFactory,
    CustomerUser: f.CustomerUserFactory,
    ApiToken: f.ApiTokenFactory,
    AccessAttempt: lambda: AccessAttempt.objects.create(
        username="locked@contoso.example",
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/signin/",
        get_data="",
        post_data="",
        failures_since_start=5,
    ),
}


def make(model):
    obj = FACTORIES[model]()
    return obj.order if model is Order else obj  # an order with a line (the inline)


def superuser_request(staff):
    request = RequestFactory().get("/admin/")
    request.user = staff
    return request


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def posted_back(response, **changes) -> dict:
    """The data the change form shows, as its browser would post it back, with `changes`."""
    admin_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        admin_forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in admin_forms:
        for name, field in form.fields.items():
            value, key = form[name].value(), form.add_prefix(name)
            if field.disabled or value is None or value is False:
                continue
            if isinstance(field.widget, forms.MultiWidget):
                data.update({f"{key}_{i}": v for i, v in enumerate(field.widget.decompress(value))})
            else:
                data[key] = "on" if value is True else value
    return {**data, **changes}


@pytest.mark.rule("AC-5")
def test_ac5_every_registered_model_admin_is_audited():
    """AC-5: every ModelAdmin audits its saves and deletes (through AuditedAdmin)."""
    unaudited = [m._meta.label for m, a in REGISTRY if not isinstance(a, AuditedAdmin)]
    assert unaudited == []


@pytest.mark.rule("AC-5")
@pytest.mark.parametrize("model", SERVICE_ONLY, ids=lambda m: m._meta.label)
def test_ac5_service_only_rows_cannot_be_added_or_deleted_in_admin(staff, model):
    model_admin = admin.site._registry[model]
    request = superuser_request(staff)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.rule("AC-4")
@pytest.mark.parametrize(
    "model",
    [m for m, a in REGISTRY if a.has_change_permission(superuser_request(f.StaffFactory.build()))],
    ids=lambda m: m._meta.label,
)
def test_ac4_every_admin_save_writes_an_audit_event(client, staff, model):
    """AC-4/AC-5: a staff save in the admin's change form records who changed what."""
    obj = make(model)
    client.force_login(staff)
    response = client.get(change_url(obj))
    assert response.status_code == 200
    response = client.post(change_url(obj), posted_back(response))
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(
        operation=f"admin.{model._meta.model_name}.change", object_id=str(obj.pk)
    )
    assert event.actor == staff and event.outcome == "success"


def test_the_audited_saves_cover_the_known_unaudited_models(staff):
    request = superuser_request(staff)
    editable = {m for m, a in REGISTRY if a.has_change_permission(request)}
    assert editable >= AUDITED_EDITS


@pytest.mark.rule("AC-4")
@pytest.mark.parametrize(
    "model",
    [m for m, a in REGISTRY if a.has_delete_permission(superuser_request(f.StaffFactory.build()))],
    ids=lambda m: m._meta.label,
)
def test_ac4_every_admin_delete_writes_an_audit_event(client, staff, model):
    obj = make(model)
    client.force_login(staff)
    response = client.post(delete_url(obj), {"post": "yes"})
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    event = AuditEvent.objects.get(operation=f"admin.{model._meta.model_name}.delete")
    assert event.object_id == str(obj.pk) and event.actor == staff


@pytest.mark.rule("AC-4")
def test_ac4_partner_edit_is_audited_with_the_partner_and_fields(client, staff):
    partner = f.PartnerFactory()
    client.force_login(staff)
    response = client.get(change_url(partner))
    client.post(change_url(partner), posted_back(response, legal_name="Renamed Ltd"))
    event = AuditEvent.objects.get(operation="admin.partner.change")
    assert event.partner == partner and "legal_name" in event.detail


@pytest.mark.rule("AC-5")
def test_ac5_subscription_product_type_and_billing_partner_are_read_only(client, staff):
    """AC-5: staff can't turn a legacy subscription into a licence or move who bills it; the
    posted values are ignored, the rest of the save goes through (audited)."""
    sub = f.SubscriptionFactory(product_type=ProductType.LEGACY_LICENSE)
    billing = sub.billing_partner
    other = f.PartnerFactory()
    client.force_login(staff)
    response = client.get(change_url(sub))
    data = posted_back(
        response,
        offer_name="Renamed offer",
        product_type=ProductType.LICENSE,
        billing_partner=other.pk,
        quantity=999,
        status="ended",
    )
    assert client.post(change_url(sub), data).status_code == 302
    sub.refresh_from_db()
    assert sub.offer_name == "Renamed offer"
    assert sub.product_type == ProductType.LEGACY_LICENSE
    assert sub.billing_partner == billing and sub.quantity == 10 and sub.status == "active"


@pytest.mark.rule("AC-5")
def test_ac5_staff_cannot_add_a_subscription_for_a_restricted_partner(client, staff):
    restricted = f.DirectBillEnrollmentFactory(status="restricted").partner
    customer = f.CustomerFactory()
    client.force_login(staff)
    data = {
        "customer": customer.pk,
        "billing_partner": restricted.pk,
        "offer_id": "CFQ7TTC0LCHC:0002",
        "offer_name": "Microsoft 365 Business Premium",
        "product_type": ProductType.LICENSE,
        "quantity": 5,
        "status": "active",
    }
    assert client.post(add_url(Subscription), data).status_code == 403
    assert not Subscription.objects.filter(billing_partner=restricted).exists()


@pytest.mark.rule("AC-5")
def test_ac5_staff_cannot_add_an_mca_attestation(client, staff):
    """AC-5 (MCA-2 through the admin): an attestation by an indirect reseller dated 2099."""
    rel = f.RelationshipFactory(kind=RelationshipKind.INDIRECT_RESELLER)
    client.force_login(staff)
    data = {
        "customer": rel.customer.pk,
        "method": McaMethod.ATTESTATION,
        "partner": rel.partner.pk,
        "signatory_name": "Pat Signer",
        "signatory_email": "pat@example.com",
        "accepted_on": date(2099, 1, 1).isoformat(),
        "recorded_at_0": "2026-01-01",
        "recorded_at_1": "10:00",
    }
    assert client.post(add_url(McaAcceptance), data).status_code == 403
    assert not McaAcceptance.objects.exists()


@pytest.mark.rule("AC-5")
def test_ac5_staff_cannot_edit_an_mca_acceptance(client, staff):
    acceptance = f.McaAcceptanceFactory()
    client.force_login(staff)
    response = client.post(change_url(acceptance), {"accepted_on": "2099-01-01"})
    assert response.status_code == 403
    acceptance.refresh_from_db()
    assert acceptance.accepted_on != date(2099, 1, 1)


@pytest.mark.rule("AC-5")
def test_ac5_customer_relationship_cannot_be_deleted(client, staff):
    """AC-5: deleting a relationship would unblock closing a direct-bill enrollment."""
    rel = f.RelationshipFactory()
    client.force_login(staff)
    assert client.post(delete_url(rel), {"post": "yes"}).status_code == 403
    changelist = reverse("admin:partnerportal_customerrelationship_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [rel.pk]})
    assert CustomerRelationship.objects.filter(pk=rel.pk).exists()
    assert not AuditEvent.objects.filter(operation__startswith="admin.").exists()


@pytest.mark.rule("AC-5")
def test_ac5_audit_events_cannot_be_deleted_or_edited(client, staff):
    event = f.AuditEventFactory(operation="x.y")
    client.force_login(staff)
    assert client.post(delete_url(event), {"post": "yes"}).status_code == 403
    assert client.post(change_url(event), {"operation": "z"}).status_code == 403
    event.refresh_from_db()
    assert event.operation == "x.y"


@pytest.mark.rule("AC-5")
def test_ac5_partner_program_fields_are_read_only(client, staff):
    """AC-5: the profile date (EN-2), revenue (DB-5) and sandbox flag are not edited here."""
    partner = f.PartnerFactory()
    confirmed = partner.profile_confirmed_on
    client.force_login(staff)
    response = client.get(change_url(partner))
    data = posted_back(
        response,
        profile_confirmed_on="2099-01-01",
        revenue_12m_usd="5000000",
        is_sandbox="on",
        partner_id="9999999",
    )
    assert client.post(change_url(partner), data).status_code == 302
    partner.refresh_from_db()
    assert partner.profile_confirmed_on == confirmed
    assert partner.revenue_12m_usd == 250_000 and not partner.is_sandbox
    assert partner.partner_id != "9999999"


@pytest.mark.rule("AC-5")
def test_ac5_a_user_is_not_moved_to_another_partner(client, staff):
    user = f.UserFactory()
    home = user.partner
    other = f.PartnerFactory()
    client.force_login(staff)
    response = client.get(change_url(user))
    assert client.post(change_url(user), posted_back(response, partner=other.pk)).status_code == 302
    user.refresh_from_db()
    assert user.partner == home


@pytest.mark.rule("AC-5")
def test_ac5_api_token_revoked_through_the_service_action(client, staff):
    """AC-5: revocation is an admin action calling `api_token_revoke` (audited as such); the
    token's dates can't be edited in its change form."""
    token = f.ApiTokenFactory(expires_at=timezone.now() + timedelta(days=30))
    expires_at, user = token.expires_at, token.user
    client.force_login(staff)
    response = client.get(change_url(token))
    data = posted_back(
        response, expires_at_0="2099-01-01", expires_at_1="00:00", user=f.UserFactory().pk
    )
    assert client.post(change_url(token), data).status_code == 302
    token.refresh_from_db()
    assert token.expires_at == expires_at and token.user == user and token.revoked_at is None
    changelist = reverse("admin:api_apitoken_changelist")
    client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(operation="api_token.revoke", actor=staff).exists()


@pytest.mark.rule("AC-4")
def test_ac4_bulk_delete_in_the_admin_audits_each_row(client, staff):
    partners = [f.PartnerFactory(), f.PartnerFactory()]
    client.force_login(staff)
    changelist = reverse("admin:partnerportal_partner_changelist")
    data = {
        "action": "delete_selected",
        "post": "yes",
        "_selected_action": [p.pk for p in partners],
    }
    assert client.post(changelist, data).status_code == 302
    assert not Partner.objects.filter(pk__in=[p.pk for p in partners]).exists()
    events = AuditEvent.objects.filter(operation="admin.partner.delete", actor=staff)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(p.pk) for p in partners)
