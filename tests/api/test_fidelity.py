"""API fidelity (API.md, Fidelity; AP-1): what Microsoft's SDKs and samples parse works —
date-times with a time part and a zone, `productType` as an object, MpnProfile's names, paths
without regard to case or a trailing slash, every error as Partner Center's JSON body with a
numeric code, and every `links` URI resolvable."""

import json
from datetime import datetime

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from api.error_codes import PROTOCOL_ERRORS, rule_violations
from api.numeric_codes import NUMERIC_CODES, OURS, PARTNER_CENTER
from tests import factories as f

from .test_contract import assert_error


@pytest.fixture
def world(api, make_token):
    """A customer of two direct-bill partners: the source bills a subscription, the target
    (the caller) bills a legacy one it migrates, attests the MCA and takes the first over with
    a completed transfer, so every date property of every resource has a value."""
    source = f.DirectBillEnrollmentFactory().partner
    target = f.DirectBillEnrollmentFactory().partner
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=source)
    f.RelationshipFactory(customer=customer, partner=target)
    f.McaAcceptanceFactory(customer=customer)
    moved = f.SubscriptionFactory(customer=customer, billing_partner=source, quantity=5)
    legacy = f.SubscriptionFactory(
        customer=customer,
        billing_partner=target,
        product_type="legacy_license",
        offer_id="796B6B5F-613C-4E24-A17C-EBA730D49C02",
        offer_name="Office 365 E3 (legacy)",
        quantity=3,
    )
    source_api = api(make_token(f.UserFactory(partner=source, roles=["admin_agent"])))
    target_api = api(
        make_token(f.UserFactory(partner=target, roles=["admin_agent", "global_admin"]))
    )
    base = f"/v1/customers/{customer.tenant_id}"
    r = target_api.post(
        f"{base}/transfers",
        {
            "customerEmailId": customer.email,
            "sourcePartnerTenantId": str(source.tenant_id),
            "targetProductTypes": ["OnlineServicesNCE"],
            "transferType": "NewCommerce",
        },
    )
    assert r.status_code == 201, r.content
    transfer_id = r.json()["id"]
    r = source_api.patch(
        f"{base}/transfers/{transfer_id}", {"lineItems": [{"subscriptionId": str(moved.pk)}]}
    )
    assert r.status_code == 200, r.content
    today = timezone.localdate().isoformat()
    contact = {"email": "cio@example.com", "firstName": "Chris", "lastName": "Officer"}
    agreement = {
        "primaryContact": contact,
        "dateAgreed": today,
        "type": "MicrosoftCustomerAgreement",
    }
    r = target_api.post(f"{base}/agreements", agreement)
    assert r.status_code == 201, r.content
    migration = target_api.post(
        f"{base}/migrations/newcommerce", {"currentSubscriptionId": str(legacy.pk)}
    )
    assert migration.status_code == 201, migration.content
    return {
        "api": target_api,
        "base": base,
        "customer": customer,
        "transfer_id": transfer_id,
        "migration": migration.json(),
        "agreement": r.json(),
    }


def main_responses(world) -> dict[str, dict]:
    """The bodies of the main read endpoints for the caller of `world`, by path."""
    api, base = world["api"], world["base"]
    paths = [
        "/v1/profiles/mpn",
        "/v1/customers",
        base,
        f"{base}/relationships",
        f"{base}/subscriptions",
        f"{base}/agreements?agreementType=MicrosoftCustomerAgreement",
        f"{base}/transfers",
        f"{base}/transfers/{world['transfer_id']}",
        "/v1/auditrecords",
    ]
    subs = api.get(f"{base}/subscriptions").json()["items"]
    paths += [f"{base}/subscriptions/{s['id']}" for s in subs]
    bodies = {}
    for path in paths:
        r = api.get(path)
        assert r.status_code == 200, (path, r.content)
        bodies[path] = r.json()
    bodies["POST migrations/newcommerce"] = world["migration"]
    bodies["POST agreements"] = world["agreement"]
    return bodies


def walk(value, key=None):
    """Every (key, value) pair of a JSON document, depth first."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, key)


def is_date_property(name) -> bool:
    return isinstance(name, str) and (
        name.endswith(("Date", "Time")) or name in ("dateAgreed", "startDate", "endDate")
    )


@pytest.mark.rule("AP-1")
def test_every_date_property_is_an_iso_utc_date_time_AP1(world):
    """customers, subscriptions, transfers, agreements, migrations: every date property is an
    ISO-8601 date-time with a time part and a zone (the SDK models hold DateTime)."""
    seen = set()
    for path, body in main_responses(world).items():
        for name, value in walk(body):
            if not is_date_property(name) or value is None:
                continue
            seen.add(name)
            assert isinstance(value, str) and "T" in value, (path, name, value)
            parsed = datetime.fromisoformat(value)
            assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0, (
                path,
                name,
                value,
            )
    assert {
        "commitmentEndDate",
        "effectiveStartDate",
        "creationDate",
        "dateAgreed",
        "createdTime",
        "expirationTime",
        "completedTime",
        "lastModifiedTime",
        "operationDate",
        "startedTime",
        "subscriptionEndDate",
    } <= seen


@pytest.mark.rule("AP-1")
def test_subscription_product_type_is_an_object_AP1(world):
    """Subscription resources: `productType` is a ProductType {id, displayName}."""
    items = world["api"].get(f"{world['base']}/subscriptions").json()["items"]
    by_name = {i["offerName"]: i["productType"] for i in items}
    assert by_name["Microsoft 365 Business Premium"] == {
        "id": "OnlineServicesNCE",
        "displayName": "New commerce license-based",
    }
    assert by_name["Office 365 E3 (legacy)"]["id"] == "OnlineServices"


@pytest.mark.rule("AP-1")
def test_mpn_profile_has_microsofts_names_AP1(direct_api, direct_partner):
    body = direct_api.get("/v1/profiles/mpn").json()
    assert body["mpnId"] == direct_partner.partner_id
    assert body["partnerName"] == direct_partner.legal_name
    assert body["profileType"] == "MpnProfile"
    assert "partnerId" not in body


@pytest.mark.rule("AP-1")
def test_every_links_uri_resolves_AP1(world):
    """Every `links.*.uri` (self, next, and the nested profiles' links) of every main response
    answers 200 when followed with its method and headers, as a client does."""
    api = world["api"]
    followed = set()
    for path, body in main_responses(world).items():
        for name, value in walk(body):
            if name != "links":
                continue
            for relation, target in value.items():
                assert target["method"] == "GET", (path, relation)
                uri = target["uri"]
                assert uri.startswith("/"), (path, relation, uri)
                headers = {h["key"]: h["value"] for h in target["headers"]}
                r = api.get(f"/v1{uri}", headers=headers)
                assert r.status_code == 200, (path, relation, uri, r.content)
                followed.add(uri.split("?")[0])
    base = world["base"][len("/v1") :]
    assert {
        "/profiles/mpn",
        "/customers",
        base,
        f"{base}/profiles/company",
        f"{base}/profiles/billing",
        f"{base}/subscriptions",
        f"{base}/transfers/{world['transfer_id']}",
    } <= followed
    assert any(uri.startswith(f"{base}/subscriptions/") for uri in followed)


@pytest.mark.rule("AP-1")
def test_a_page_link_with_a_date_time_query_resolves_AP1(world):
    """`startDate=...+00:00` survives into `links.self` percent-encoded, so following it asks
    for the same window (an unencoded `+` would read as a space)."""
    api = world["api"]
    start = "2020-01-01T00:00:00+00:00"
    r = api.get("/v1/auditrecords", data={"startDate": start, "size": 1})
    assert r.status_code == 200, r.content
    links = r.json()["links"]
    assert "%2B00%3A00" in links["self"]["uri"]
    for target in links.values():
        headers = {h["key"]: h["value"] for h in target["headers"]}
        assert api.get(f"/v1{target['uri']}", headers=headers).status_code == 200


# --- routes --------------------------------------------------------------------------------


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("/v1/Customers", "/v1/customers"),
        ("/v1/customers/", "/v1/customers"),
        ("/V1/CUSTOMERS/", "/v1/customers"),
        ("/v1/Profiles/MPN", "/v1/profiles/mpn"),
        ("/v1/profiles/mpn/", "/v1/profiles/mpn"),
        ("{base}/Subscriptions/", "{base}/subscriptions"),
        ("{base}/TRANSFERS/{transfer}/", "{base}/transfers/{transfer}"),
    ],
)
def test_paths_match_without_case_or_trailing_slash_AP1(world, spelling, canonical):
    """The same resource, byte for byte, however the path is spelt."""
    names = {"base": world["base"], "transfer": world["transfer_id"]}
    r = world["api"].get(spelling.format(**names))
    assert r.status_code == 200, (spelling, r.content)
    assert r.json() == world["api"].get(canonical.format(**names)).json()


@pytest.mark.rule("TR-5")
def test_migration_path_matches_new_commerce_spelling_TR5(world):
    """`migrations/newCommerce`, as the samples write it, reaches the migration endpoint."""
    r = world["api"].post(
        f"{world['base']}/migrations/newCommerce/", {"currentSubscriptionId": "nope"}
    )
    assert_error(r, 400, "invalid_input")


def test_url_names_still_reverse():
    assert reverse("api_customers") == "/v1/customers"
    assert reverse("api_migrations", args=["x"]) == "/v1/customers/x/migrations/newcommerce"


# --- errors --------------------------------------------------------------------------------


@pytest.mark.rule("AP-1")
def test_unknown_path_is_json_404_AP1(direct_api):
    body = assert_error(direct_api.get("/v1/nothing/here"), 404, "not_found")
    assert body["code"] == 1000  # Partner Center: NotFound
    assert body["data"][-1] == {"errorName": "not_found", "rule": "AC-2"}


@pytest.mark.rule("AP-1")
def test_wrong_method_is_json_405_AP1(direct_api):
    r = direct_api.patch("/v1/profiles/mpn", {})
    assert_error(r, 405, "method_not_allowed")


@pytest.mark.rule("AP-1")
def test_too_large_body_is_json_413_AP1(direct_api, settings):
    settings.API_MAX_BODY_BYTES = 1024
    r = direct_api.post("/v1/customers", raw=json.dumps({"pad": "x" * 4096}))
    assert_error(r, 413, "request_too_large")


@pytest.mark.rule("AP-1")
def test_wrong_content_type_is_json_415_AP1(direct_api):
    r = direct_api.post("/v1/customers", raw="companyName=x", content_type="text/plain")
    assert_error(r, 415, "unsupported_media_type")


@pytest.mark.rule("AP-1")
def test_database_down_is_json_503_for_the_api_AP1(direct_api, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("api.views.profiles.MpnProfileSerializer", broken)
    r = direct_api.get("/v1/profiles/mpn")
    body = assert_error(r, 503, "service_unavailable")
    assert r["Retry-After"] == "30"
    assert "temporarily unavailable" in body["description"]


@pytest.mark.rule("AC-2")
def test_partner_center_numbers_for_documented_refusals_AC2(world, direct_api):
    """Partner Center's documented numbers: 20003 an unknown subscription, 900100 an unknown
    transfer, 1000 an unknown customer, 400056 invalid input."""
    api, base = world["api"], world["base"]
    body = assert_error(api.get(f"{base}/subscriptions/nope"), 404, "subscription_not_found")
    assert body["code"] == 20003
    body = assert_error(api.get(f"{base}/transfers/999999"), 404, "transfer_not_found")
    assert body["code"] == 900100 and body["data"][-1]["rule"] == "AC-2"
    assert assert_error(direct_api.get(base), 404, "not_found")["code"] == 1000
    assert assert_error(api.get("/v1/customers?size=x"), 400, "invalid_input")["code"] == 400056


@pytest.mark.rule("TR-7")
def test_a_rule_refusal_carries_its_number_name_and_rule_TR7(world):
    """A completed transfer can't be cancelled: 900102 (TransferNotAllowedIfStatusIsCompleted),
    errorName transfer_not_pending, rule TR-7 in data."""
    r = world["api"].patch(
        f"{world['base']}/transfers/{world['transfer_id']}", {"status": "Cancel"}
    )
    body = assert_error(r, 409, "transfer_not_pending")
    assert body["code"] == 900102
    assert body["data"][-1] == {"errorName": "transfer_not_pending", "rule": "TR-7"}


def test_every_error_name_has_one_stable_number(db):
    """Every RuleViolation code and protocol error has a number; Partner Center's and ours
    never overlap in meaning, ours stay in 710000–719999 and are unique."""
    names = {cls.code for cls in rule_violations()} | {row[0] for row in PROTOCOL_ERRORS}
    missing = sorted(names - set(NUMERIC_CODES))
    assert not missing, f"add these to api/numeric_codes.py: {missing}"
    assert all(710000 <= n <= 719999 for n in OURS.values())
    assert len(set(OURS.values())) == len(OURS)
    assert not set(OURS) & set(PARTNER_CENTER)
