"""Write operations through /v1/: each calls the same service as the page (AP-3); bad input,
wrong role, other partners' ids, idempotency (MS-RequestId), and the stable error codes."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Customer, CustomerRelationship, Tenant
from customers.models import McaAcceptance, Subscription
from enrollment.models import DirectBillEnrollment
from tests import factories as f

from .test_contract import assert_error


def customer_body(domain="fabrikam.example", **extra):
    return {
        "companyProfile": {"domain": domain},
        "billingProfile": {
            "email": f"admin@{domain}",
            "companyName": "Fabrikam",
            "culture": "en-US",
            "language": "en",
            "defaultAddress": {
                "country": "US",
                "city": "Redmond",
                "addressLine1": "1 Microsoft Way",
                "postalCode": "98052",
                "firstName": "Pat",
                "lastName": "Admin",
                "phoneNumber": "4255550101",
            },
        },
        **extra,
    }


# --- POST /v1/customers --------------------------------------------------------------------


@pytest.mark.rule("DB-2")
def test_create_customer_active_direct_bill_DB2(direct_api, direct_partner):
    r = direct_api.post("/v1/customers", customer_body())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["companyProfile"]["domain"] == "fabrikam.example"
    assert body["billingProfile"]["defaultAddress"]["city"] == "Redmond"
    assert body["relationshipKind"] == "direct"
    customer = Customer.objects.get(tenant__domain="fabrikam.example")
    assert body["id"] == str(customer.tenant_id)
    assert CustomerRelationship.objects.filter(partner=direct_partner, customer=customer).exists()


@pytest.mark.rule("AP-3")
@pytest.mark.rule("DB-2")
def test_restricted_refusal_same_through_page_and_api_AP3_DB2(
    direct_api, direct_user, direct_partner, login
):
    """AP-3: DB-2 refuses a Restricted partner's new customer with the same sentence on the
    page and in the API body, with the stable code direct_bill_restricted; nothing created."""
    DirectBillEnrollment.objects.filter(partner=direct_partner).update(status="restricted")
    r = direct_api.post("/v1/customers", customer_body("api.example"))
    body = assert_error(r, 403, "direct_bill_restricted")
    page = login(direct_user).post(
        reverse("customer_create"),
        {
            "company_name": "Fabrikam",
            "domain": "page.example",
            "email": "admin@page.example",
            "country": "US",
        },
    )
    assert page.status_code == 200
    assert body["description"] in page.content.decode().replace("&#x27;", "'")
    assert not Tenant.objects.filter(domain__in=["api.example", "page.example"]).exists()


@pytest.mark.rule("CU-3")
def test_reseller_cannot_create_customer_CU3(api, make_token):
    """CU-3 through the API: a provider creates the tenant naming an eligible reseller (an
    active indirect reseller in partnership with it)."""
    provider = f.ProviderFactory()
    raw = make_token(f.UserFactory(partner=provider))
    r = api(raw).post("/v1/customers", customer_body())
    assert_error(r, 400, "invalid_input")  # the provider must name the reseller
    not_reseller = f.PartnerFactory()
    r = api(raw).post(
        "/v1/customers", customer_body(associatedPartnerId=str(not_reseller.tenant_id))
    )
    assert_error(r, 409, "reseller_not_eligible")
    reseller = f.IndirectEnrollmentFactory().partner
    f.PartnershipFactory(provider=provider, reseller=reseller)
    r = api(raw).post("/v1/customers", customer_body(associatedPartnerId=reseller.partner_id))
    assert r.status_code == 201, r.content
    assert r.json()["associatedPartnerId"] == str(reseller.tenant_id)
    r = api(raw).post("/v1/customers", customer_body("x.example", associatedPartnerId="nobody"))
    assert_error(r, 400, "unknown_partner")


def test_direct_partner_cannot_name_associated_partner(direct_api):
    r = direct_api.post("/v1/customers", customer_body(associatedPartnerId="1234567"))
    assert_error(r, 400, "invalid_input")


@pytest.mark.parametrize(
    "raw,code",
    [
        ("{not json", "malformed_request"),
        ("[1, 2]", "invalid_input"),
        ('{"companyProfile": "x", "billingProfile": {}}', "invalid_input"),
        ('{"companyProfile": {"domain": 5}, "billingProfile": {"email": "nope"}}', "invalid_input"),
    ],
)
def test_bad_input_is_400(direct_api, raw, code):
    body = assert_error(direct_api.post("/v1/customers", raw=raw), 400, code)
    if code == "invalid_input":
        assert body["data"] and {"field", "message"} <= set(body["data"][0])
    assert Customer.objects.count() == 0


def test_wrong_content_type_is_415(direct_api):
    r = direct_api.post(
        "/v1/customers", raw="a=b", content_type="application/x-www-form-urlencoded"
    )
    assert_error(r, 415, "unsupported_media_type")


@pytest.mark.rule("AC-1")
def test_wrong_role_is_403_AC1(api, direct_partner, make_token):
    raw = make_token(f.UserFactory(partner=direct_partner, roles=["billing_admin"]))
    assert_error(api(raw).post("/v1/customers", customer_body()), 403, "role_required")
    assert Customer.objects.count() == 0


def test_duplicate_domain_is_refused(direct_api):
    assert direct_api.post("/v1/customers", customer_body()).status_code == 201
    assert_error(direct_api.post("/v1/customers", customer_body()), 400, "domain_taken")


# --- idempotency ---------------------------------------------------------------------------


@pytest.mark.rule("AP-1")
def test_repeated_request_id_returns_first_response(direct_api, direct_partner):
    headers = {"MS-RequestId": "create-fabrikam-1"}
    first = direct_api.post("/v1/customers", customer_body(), headers=headers)
    second = direct_api.post("/v1/customers", customer_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["MS-Idempotent-Replay"] == "true"
    assert Customer.objects.count() == 1
    # Without the header, a retry is a new request (here refused: the domain is taken).
    assert direct_api.post("/v1/customers", customer_body()).status_code == 400


def test_request_id_is_per_partner_and_refusals_replay(direct_api, api, make_token):
    headers = {"MS-RequestId": "same-id"}
    other = api(make_token(f.UserFactory(partner=f.DirectBillEnrollmentFactory().partner)))
    assert (
        direct_api.post("/v1/customers", customer_body("a.example"), headers=headers).status_code
        == 201
    )
    assert (
        other.post("/v1/customers", customer_body("b.example"), headers=headers).status_code == 201
    )
    assert Customer.objects.count() == 2
    bad = {"MS-RequestId": "bad-1"}
    first = direct_api.post("/v1/customers", customer_body("a.example"), headers=bad)
    assert first.status_code == 400
    again = direct_api.post("/v1/customers", customer_body("a.example"), headers=bad)
    assert again.status_code == 400 and again.json() == first.json()
    assert again["MS-Idempotent-Replay"] == "true"
    # Another body under the used id is another call: refused, not run (tests/api/test_replays.py).
    other = direct_api.post("/v1/customers", customer_body("c.example"), headers=bad)
    assert_error(other, 409, "request_id_reused")
    assert not Customer.objects.filter(tenant__domain="c.example").exists()


# --- relationship request link -------------------------------------------------------------


@pytest.mark.rule("MV-7")
@pytest.mark.rule("CU-2")
def test_relationship_request_links_MV7_CU2(direct_api, direct_partner, api, make_token):
    r = direct_api.get("/v1/customers/relationshiprequests")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {
        "url",
        "indirectResellerId",
        "indirectCloudSolutionProviderId",
        "attributes",
    }
    assert body["url"].startswith("http") and body["indirectResellerId"] is None
    assert body["attributes"]["objectType"] == "RelationshipRequest"  # the docs' sample
    # Indirect: a reseller (still direct-bill, so TX-2 allows it) names its provider.
    partnership = f.PartnershipFactory(reseller=direct_partner)
    f.IndirectEnrollmentFactory(partner=direct_partner)
    r = direct_api.get(
        "/v1/customers/relationshiprequests?indirectCloudSolutionProviderId="
        f"{partnership.provider.tenant_id}"
    )
    assert r.status_code == 200, r.content
    assert r.json()["indirectCloudSolutionProviderId"] == str(partnership.provider.tenant_id)
    assert r.json()["indirectResellerId"] == str(direct_partner.tenant_id)
    # A provider with no partnership: refused by the same service as the page.
    stranger = f.ProviderFactory()
    r = direct_api.get(
        f"/v1/customers/relationshiprequests?indirectCloudSolutionProviderId={stranger.partner_id}"
    )
    assert_error(r, 409, "invitation_refused")


@pytest.mark.rule("CU-2")
def test_provider_requests_the_link_for_its_reseller_CU2(api, make_token):
    """CU-2 through the provider: `indirectResellerId` gives the reseller's indirect invitation
    naming the provider, made by the same service as the reseller's own. A reseller that isn't
    the provider's, and a direct partner sending indirectResellerId, are refused and no
    invitation is made."""
    from relationships.models import CustomerInvitation
    from relationships.services import invitation_drafts as invitation_draft_services

    partnership = f.PartnershipFactory()
    provider, reseller = partnership.provider, partnership.reseller
    f.IndirectEnrollmentFactory(partner=reseller)
    provider_user = f.UserFactory(partner=provider, roles=["admin_agent"])
    provider_api = api(make_token(provider_user))
    r = provider_api.get(
        f"/v1/customers/relationshiprequests?indirectResellerId={reseller.tenant_id}"
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["indirectResellerId"] == str(reseller.tenant_id)
    assert body["indirectCloudSolutionProviderId"] == str(provider.tenant_id)
    invitation = CustomerInvitation.objects.get()
    assert (invitation.partner, invitation.provider, invitation.kind) == (
        reseller,
        provider,
        "indirect",
    )
    assert body["url"] == invitation_draft_services.link_url(invitation)
    # By PartnerID too.
    r = provider_api.get(
        f"/v1/customers/relationshiprequests?indirectResellerId={reseller.partner_id}"
    )
    assert r.status_code == 200, r.content

    count = CustomerInvitation.objects.count()
    other_reseller = f.IndirectEnrollmentFactory().partner
    r = provider_api.get(
        f"/v1/customers/relationshiprequests?indirectResellerId={other_reseller.tenant_id}"
    )
    body = assert_error(r, 409, "invitation_refused")
    assert "not one of your indirect resellers" in body["description"]
    direct_partner = f.DirectBillEnrollmentFactory().partner
    direct_api = api(make_token(f.UserFactory(partner=direct_partner, roles=["admin_agent"])))
    r = direct_api.get(
        f"/v1/customers/relationshiprequests?indirectResellerId={reseller.tenant_id}"
    )
    body = assert_error(r, 409, "invitation_refused")
    assert "Only an indirect provider" in body["description"]
    assert CustomerInvitation.objects.count() == count


@pytest.mark.rule("DB-2")
def test_relationship_request_refused_while_restricted_DB2(direct_api, direct_partner):
    DirectBillEnrollment.objects.filter(partner=direct_partner).update(status="restricted")
    assert_error(
        direct_api.get("/v1/customers/relationshiprequests"), 403, "direct_bill_restricted"
    )


# --- MCA -----------------------------------------------------------------------------------


@pytest.fixture
def my_customer(direct_partner):
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=direct_partner)
    return customer


def agreement(date):
    return {
        "primaryContact": {
            "email": "cio@fabrikam.example",
            "firstName": "Chris",
            "lastName": "Officer",
            "phoneNumber": "",
        },
        "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9",
        "dateAgreed": date,
        "type": "MicrosoftCustomerAgreement",
    }


@pytest.mark.rule("MCA-2")
def test_mca_attest_and_read_MCA2(direct_api, my_customer):
    path = f"/v1/customers/{my_customer.tenant_id}/agreements"
    today = timezone.now().date().isoformat()
    r = direct_api.post(path, agreement(today))
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["type"] == "MicrosoftCustomerAgreement" and body["dateAgreed"] == f"{today}T00:00:00Z"
    )
    assert body["primaryContact"]["firstName"] == "Chris"
    assert body["acceptanceMethod"] == "PartnerAttestation"
    assert McaAcceptance.objects.filter(customer=my_customer).count() == 1
    listed = direct_api.get(path + "?agreementType=MicrosoftCustomerAgreement").json()
    assert listed["totalCount"] == 1
    assert_error(direct_api.get(path + "?agreementType=Other"), 400, "invalid_input")


@pytest.mark.rule("MCA-2")
def test_mca_future_date_refused_MCA2(direct_api, my_customer):
    future = (timezone.now().date() + timedelta(days=5)).isoformat()
    r = direct_api.post(f"/v1/customers/{my_customer.tenant_id}/agreements", agreement(future))
    assert_error(r, 400, "mca_date_in_future")
    assert not McaAcceptance.objects.exists()
    r = direct_api.post(f"/v1/customers/{my_customer.tenant_id}/agreements", {"type": "x"})
    assert_error(r, 400, "invalid_input")


@pytest.mark.rule("MCA-3")
def test_other_partners_attestation_not_listed_MCA3(direct_api, my_customer):
    other = f.PartnerFactory()
    f.McaAcceptanceFactory(customer=my_customer, method="attestation", partner=other)
    path = f"/v1/customers/{my_customer.tenant_id}/agreements"
    assert direct_api.get(path).json()["items"] == []
    f.McaAcceptanceFactory(customer=my_customer)  # admin center: holds for everyone
    assert direct_api.get(path).json()["items"][0]["acceptanceMethod"] == "CustomerAdminCenter"


# --- TR-5 migration ------------------------------------------------------------------------


@pytest.mark.rule("TR-5")
def test_migrate_legacy_to_new_commerce_TR5(
    direct_api, direct_partner, my_customer, django_capture_on_commit_callbacks
):
    legacy = f.SubscriptionFactory(
        customer=my_customer,
        billing_partner=direct_partner,
        product_type="legacy_license",
        offer_id="796B6B5F-613C-4E24-A17C-EBA730D49C02",
        offer_name="Office 365 E3 (legacy)",
        quantity=7,
    )
    path = f"/v1/customers/{my_customer.tenant_id}/migrations/newcommerce"
    with django_capture_on_commit_callbacks(execute=True):
        r = direct_api.post(path, {"currentSubscriptionId": str(legacy.pk)})
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "Processing"
    body = direct_api.get(f"{path}/{r.json()['id']}").json()
    assert body["currentSubscriptionId"] == str(legacy.pk)
    assert body["status"] == "Completed" and body["quantity"] == 7
    new = Subscription.objects.get(pk=body["newCommerceSubscriptionId"])
    assert new.product_type == "license"
    legacy.refresh_from_db()
    assert legacy.status == "deleted"
    # Not legacy (the new one): refused with the service's code.
    assert_error(
        direct_api.post(path, {"currentSubscriptionId": str(new.pk)}),
        409,
        "not_legacy_subscription",
    )
    assert_error(direct_api.post(path, {"currentSubscriptionId": "nope"}), 400, "invalid_input")


@pytest.mark.rule("AC-2")
def test_migrate_other_partners_subscription_404_AC2(direct_api, my_customer):
    theirs = f.SubscriptionFactory(customer=my_customer, product_type="legacy_license")
    path = f"/v1/customers/{my_customer.tenant_id}/migrations/newcommerce"
    r = direct_api.post(path, {"currentSubscriptionId": str(theirs.pk)})
    assert_error(r, 404, "subscription_not_found")
    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_json_body_must_be_object(direct_api, my_customer):
    r = direct_api.post(
        f"/v1/customers/{my_customer.tenant_id}/agreements", raw=json.dumps("string")
    )
    assert_error(r, 400, "invalid_input")
