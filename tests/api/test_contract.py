"""Contract tests of the read endpoints (AP-1): status codes, Partner Center's exact property
names, the collection envelope, paging, request-id echo and error bodies; AC-2 isolation."""

import uuid

import pytest

from api.numeric_codes import NUMERIC_CODES
from tests import factories as f

ENVELOPE = {"totalCount", "items", "continuationToken", "links", "attributes"}
ERROR_KEYS = {"code", "description", "data", "source", "errorName"}
CUSTOMER_KEYS = {
    "id",
    "commerceId",
    "companyProfile",
    "billingProfile",
    "relationshipToPartner",
    "allowDelegatedAccess",
    "userCredentials",
    "customDomains",
    "associatedPartnerId",
    "relationshipKind",
    "links",
    "attributes",
}
SUBSCRIPTION_KEYS = {
    "id",
    "scheduledNextTermInstructions",
    "offerId",
    "entitlementId",
    "offerName",
    "friendlyName",
    "quantity",
    "unitType",
    "parentSubscriptionId",
    "creationDate",
    "effectiveStartDate",
    "commitmentEndDate",
    "status",
    "autoRenewEnabled",
    "billingType",
    "billingCycle",
    "termDuration",
    "isTrial",
    "partnerId",
    "contractType",
    "orderId",
    "productType",
    "isLegacy",
    "hasPurchasableAddons",
    "cancellationAllowedUntilDate",
    "renewalTermDuration",
    "refundOptions",
    "isMicrosoftProduct",
    "attentionNeeded",
    "actionTaken",
    "publisherName",
    "links",
    "attributes",
}


def assert_error(response, status, name):
    """The error body of Partner Center: the numeric code of the error named `name`
    (api.numeric_codes), the name as `errorName` and as the last item of `data`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert type(body["code"]) is int and body["code"] == NUMERIC_CODES[name]
    assert body["errorName"] == name
    assert body["source"] == "PartnerFD"
    assert body["description"]
    assert isinstance(body["data"], list) and body["data"][-1]["errorName"] == name
    return body


def assert_collection(body):
    assert set(body) == ENVELOPE
    assert body["attributes"] == {"objectType": "Collection"}
    assert body["totalCount"] == len(body["items"])
    assert set(body["links"]["self"]) == {"uri", "method", "headers"}
    return body["items"]


@pytest.fixture
def world(direct_partner):
    mine = f.CustomerFactory(company_name="Alpha Inc", contact_name="Ann Smith")
    f.RelationshipFactory(customer=mine, partner=direct_partner)
    theirs = f.CustomerFactory(company_name="Beta Inc")
    other = f.DirectBillEnrollmentFactory().partner
    f.RelationshipFactory(customer=theirs, partner=other)
    sub = f.SubscriptionFactory(customer=mine, billing_partner=direct_partner)
    their_sub = f.SubscriptionFactory(customer=theirs, billing_partner=other)
    return {"mine": mine, "theirs": theirs, "other": other, "sub": sub, "their_sub": their_sub}


@pytest.mark.rule("AP-1")
def test_mpn_profile_AP1(direct_api, direct_partner):
    r = direct_api.get("/v1/profiles/mpn")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"mpnId", "partnerName", "profileType", "links", "attributes"}
    assert body["mpnId"] == direct_partner.partner_id
    assert body["partnerName"] == direct_partner.legal_name
    assert body["attributes"]["objectType"] == "MpnProfile"
    assert body["attributes"]["etag"]


@pytest.mark.rule("AP-1")
@pytest.mark.rule("AC-2")
def test_customers_list_envelope_and_isolation_AP1_AC2(direct_api, world):
    r = direct_api.get("/v1/customers")
    assert r.status_code == 200
    items = assert_collection(r.json())
    assert [i["companyProfile"]["companyName"] for i in items] == ["Alpha Inc"]
    item = items[0]
    assert set(item) == CUSTOMER_KEYS
    assert item["id"] == str(world["mine"].tenant_id)
    assert item["attributes"]["objectType"] == "Customer"
    assert item["links"]["self"]["uri"] == f"/customers/{world['mine'].tenant_id}"
    assert item["relationshipToPartner"] == "reseller"
    assert set(item["companyProfile"]) == {
        "tenantId",
        "domain",
        "companyName",
        "address",
        "email",
        "links",
        "attributes",
    }
    assert set(item["billingProfile"]) == {
        "id",
        "firstName",
        "lastName",
        "email",
        "culture",
        "language",
        "companyName",
        "defaultAddress",
        "links",
        "attributes",
    }
    assert item["billingProfile"]["firstName"] == "Ann"
    assert item["billingProfile"]["defaultAddress"]["addressLine1"] == "1 Main Street"
    assert item["billingProfile"]["defaultAddress"]["region"] is None  # documented, no value


@pytest.mark.rule("AP-1")
def test_customers_paging_with_continuation_AP1(direct_api, direct_partner):
    for name in ("C1", "C2", "C3"):
        f.RelationshipFactory(customer=f.CustomerFactory(company_name=name), partner=direct_partner)
    first = direct_api.get("/v1/customers?size=2").json()
    assert [i["companyProfile"]["companyName"] for i in assert_collection(first)] == ["C1", "C2"]
    nxt = first["links"]["next"]
    assert nxt["uri"] == "/customers?size=2&seekOperation=Next"
    assert nxt["headers"][0]["key"] == "MS-ContinuationToken"
    token = nxt["headers"][0]["value"]
    assert first["continuationToken"] == token
    second = direct_api.get("/v1" + nxt["uri"], headers={"MS-ContinuationToken": token}).json()
    assert [i["companyProfile"]["companyName"] for i in assert_collection(second)] == ["C3"]
    assert "next" not in second["links"]
    assert second["continuationToken"] is None


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize("size", ["501", "abc", "-1"])
def test_paging_size_bounds_AP1(direct_api, size):
    body = assert_error(direct_api.get(f"/v1/customers?size={size}"), 400, "invalid_input")
    assert body["data"][0]["field"] == "size"


@pytest.mark.rule("AP-1")
def test_size_zero_is_the_default_page_size_AP1(direct_api, direct_partner, settings):
    """The SDKs' simple queries send size=0 (Get customers of an indirect reseller)."""
    settings.API_PAGE_SIZE = 2
    for _ in range(3):
        f.RelationshipFactory(partner=direct_partner)
    body = direct_api.get("/v1/customers?size=0").json()
    assert body["totalCount"] == 2 and body["links"]["self"]["uri"] == "/customers?size=2"


def test_paging_bad_continuation_token(direct_api):
    r = direct_api.get("/v1/customers", headers={"MS-ContinuationToken": "%%%garbage"})
    assert_error(r, 400, "invalid_input")


def test_default_and_max_page_size(direct_api, direct_partner, settings):
    settings.API_PAGE_SIZE = 2
    for _ in range(3):
        f.RelationshipFactory(partner=direct_partner)
    body = direct_api.get("/v1/customers").json()
    assert body["totalCount"] == 2 and "next" in body["links"]
    assert direct_api.get("/v1/customers?size=500").status_code == 200


@pytest.mark.rule("AC-2")
def test_customer_by_id_and_other_partners_404_AC2(direct_api, world):
    r = direct_api.get(f"/v1/customers/{world['mine'].tenant_id}")
    assert r.status_code == 200
    assert set(r.json()) == CUSTOMER_KEYS
    assert r.json()["allowDelegatedAccess"] is True
    assert_error(direct_api.get(f"/v1/customers/{world['theirs'].tenant_id}"), 404, "not_found")
    assert_error(direct_api.get(f"/v1/customers/{uuid.uuid4()}"), 404, "not_found")
    assert_error(direct_api.get(f"/v1/customers/{world['mine'].pk}"), 404, "not_found")
    assert_error(direct_api.get("/v1/customers/not-an-id"), 404, "not_found")


@pytest.mark.rule("AC-2")
def test_ended_relationship_hides_customer_AC2(direct_api, direct_partner):
    from django.utils import timezone

    rel = f.RelationshipFactory(partner=direct_partner, ended_at=timezone.now())
    assert direct_api.get("/v1/customers").json()["items"] == []
    assert direct_api.get(f"/v1/customers/{rel.customer.tenant_id}").status_code == 404


@pytest.mark.rule("AP-1")
@pytest.mark.rule("MV-6")
def test_customer_relationships_lists_partners_of_customer_MV6(api, make_token):
    provider = f.ProviderFactory()
    reseller = f.DirectBillEnrollmentFactory().partner
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=reseller, kind="indirect_reseller")
    f.RelationshipFactory(
        customer=customer, partner=provider, kind="indirect_provider", reseller=reseller
    )
    token = make_token(f.UserFactory(partner=provider))
    r = api(token).get(f"/v1/customers/{customer.tenant_id}/relationships")
    items = assert_collection(r.json())
    assert {(i["name"], i["relationshipType"]) for i in items} == {
        (reseller.legal_name, "IsIndirectResellerOf"),
        (provider.legal_name, "IsIndirectCloudSolutionProviderOf"),
    }
    assert set(items[0]) == {
        "id",
        "name",
        "relationshipType",
        "state",
        "mpnId",
        "location",
        "attributes",
    }
    # The provider sees the reseller it serves the customer for.
    detail = api(token).get(f"/v1/customers/{customer.tenant_id}").json()
    assert detail["associatedPartnerId"] == str(reseller.tenant_id)


@pytest.mark.rule("AP-1")
@pytest.mark.rule("AC-2")
def test_subscriptions_list_and_detail_AC2(direct_api, world):
    mine = world["mine"].tenant_id
    r = direct_api.get(f"/v1/customers/{mine}/subscriptions")
    items = assert_collection(r.json())
    assert len(items) == 1
    assert set(items[0]) == SUBSCRIPTION_KEYS
    assert items[0]["attributes"]["objectType"] == "Subscription"
    sid = world["sub"].pk
    r = direct_api.get(f"/v1/customers/{mine}/subscriptions/{sid}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == str(sid) and body["quantity"] == 10 and body["billingCycle"] == "annual"
    assert body["termDuration"] == "P1Y" and body["autoRenewEnabled"] is True
    assert body["links"]["self"]["uri"] == f"/customers/{mine}/subscriptions/{sid}"
    # Another partner's subscription, by either path: 404.
    theirs = world["theirs"].tenant_id
    their_sid = world["their_sub"].pk
    assert_error(
        direct_api.get(f"/v1/customers/{mine}/subscriptions/{their_sid}"),
        404,
        "subscription_not_found",
    )
    assert_error(direct_api.get(f"/v1/customers/{theirs}/subscriptions"), 404, "not_found")
    nope = direct_api.get(f"/v1/customers/{mine}/subscriptions/nope")
    assert_error(nope, 404, "subscription_not_found")


@pytest.mark.rule("PV-2")
def test_relationships_provider_and_reseller_lists_PV2(api, make_token):
    """Retrieve a list of indirect resellers: the type names the caller's side."""
    partnership = f.PartnershipFactory()
    f.DirectBillEnrollmentFactory(partner=partnership.reseller)
    f.PartnershipFactory(status="invited", accepted_at=None)  # not accepted: not listed
    provider_api = api(make_token(f.UserFactory(partner=partnership.provider)))
    reseller_api = api(make_token(f.UserFactory(partner=partnership.reseller)))
    r = provider_api.get("/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf")
    items = assert_collection(r.json())
    assert [i["mpnId"] for i in items] == [partnership.reseller.partner_id]
    assert items[0]["relationshipType"] == "is_indirect_cloud_solution_provider_of"
    r = reseller_api.get("/v1/relationships?relationship_type=IsIndirectResellerOf")
    assert [i["id"] for i in r.json()["items"]] == [str(partnership.provider.tenant_id)]
    assert r.json()["items"][0]["relationshipType"] == "is_indirect_reseller_of"
    assert_error(provider_api.get("/v1/relationships"), 400, "invalid_input")
    assert_error(provider_api.get("/v1/relationships?relationship_type=x"), 400, "invalid_input")


@pytest.mark.rule("AC-4")
def test_auditrecords_own_only_and_dates_AC4(direct_api, direct_partner, world):
    from django.utils import timezone

    f.AuditEventFactory(partner=direct_partner, operation="customer.create", customer=world["mine"])
    f.AuditEventFactory(partner=world["other"], operation="transfer.create")
    f.AuditEventFactory(
        partner=direct_partner,
        operation="subscription.cancel",
        occurred_at=timezone.now().replace(year=2020),
    )
    r = direct_api.get("/v1/auditrecords")
    items = assert_collection(r.json())
    ops = [i["operationType"] for i in items]
    assert (
        "add_customer" in ops and "create_transfer" not in ops and "update_subscription" not in ops
    )
    record = next(i for i in items if i["operationType"] == "add_customer")
    assert record["customerName"] == "Alpha Inc"
    assert record["operationStatus"] == "succeeded"  # the SDK's enum writing
    assert record["attributes"]["objectType"] == "AuditRecord"
    today = timezone.now().date().isoformat()
    r = direct_api.get(f"/v1/auditrecords?startDate={today}&endDate={today}")
    assert "add_customer" in [i["operationType"] for i in r.json()["items"]]
    assert direct_api.get("/v1/auditrecords?startDate=2099-01-01").json()["items"] == []
    assert_error(direct_api.get("/v1/auditrecords?startDate=yesterday"), 400, "invalid_input")
    assert_error(
        direct_api.get("/v1/auditrecords?startDate=2026-05-02&endDate=2026-05-01"),
        400,
        "invalid_input",
    )


@pytest.mark.rule("AP-1")
def test_request_and_correlation_ids_echoed_or_generated_AP1(direct_api):
    r = direct_api.get(
        "/v1/profiles/mpn", headers={"MS-RequestId": "req-1", "MS-CorrelationId": "corr-1"}
    )
    assert r["MS-RequestId"] == "req-1" and r["MS-CorrelationId"] == "corr-1"
    r = direct_api.get("/v1/profiles/mpn")
    uuid.UUID(r["MS-RequestId"])
    uuid.UUID(r["MS-CorrelationId"])
    # Errors carry them too.
    r = direct_api.get("/v1/customers?size=abc", headers={"MS-RequestId": "req-2"})
    assert r.status_code == 400 and r["MS-RequestId"] == "req-2"


def test_unknown_v1_path_is_json_404(client, db):
    r = client.get("/v1/nothing/here")
    assert_error(r, 404, "not_found")
