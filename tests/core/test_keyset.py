"""Keyset pagination (no OFFSET) for the list pages and the /v1 continuation tokens: pages in
order with no duplicates or gaps while rows are inserted between requests, "Previous" links,
ties on the sort key, and a changed or foreign cursor refused with a clear 400."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import keyset
from core.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


def _tamper(token: str) -> str:
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


@pytest.fixture
def partner_user():
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    return f.UserFactory(partner=partner, roles=["global_admin"])


def _add(partner, names):
    for name in names:
        f.RelationshipFactory(partner=partner, customer=f.CustomerFactory(company_name=name))


def test_customers_list_pages_follow_the_key_across_inserts(client, partner_user):
    partner = partner_user.partner
    _add(partner, [f"M{i:03d}" for i in range(0, 120, 2)])  # M000, M002, ... M118: 60 rows
    client.force_login(partner_user)
    seen, query, inserted = [], "", False
    while True:
        page = client.get("/customers/" + query)
        rows = page.context["page"].object_list
        seen += [r["company_name"] for r in rows]
        if not inserted:
            # Between two pages: one row before the cursor (already passed), one after it.
            _add(partner, ["A-before", "M999-after"])
            inserted = True
        query = page.context["page"].next_url
        if query is None:
            break
    original = [f"M{i:03d}" for i in range(0, 120, 2)]
    assert seen == sorted(seen), "pages out of order"
    assert len(seen) == len(set(seen)), "a row shown twice"
    assert set(original) <= set(seen), "a row skipped"
    assert "M999-after" in seen and "A-before" not in seen


def test_previous_goes_back_to_the_same_rows(client, partner_user):
    _add(partner_user.partner, [f"P{i:03d}" for i in range(120)])
    client.force_login(partner_user)
    first = client.get("/customers/").context["page"]
    assert first.previous_url is None and first.count == 120
    second = client.get("/customers/" + first.next_url).context["page"]
    third = client.get("/customers/" + second.next_url).context["page"]
    assert [r["company_name"] for r in third] == [f"P{i:03d}" for i in range(100, 120)]
    assert third.next_url is None
    back = client.get("/customers/" + third.previous_url).context["page"]
    assert [r["company_name"] for r in back] == [r["company_name"] for r in second]
    back = client.get("/customers/" + back.previous_url).context["page"]
    assert [r["company_name"] for r in back] == [r["company_name"] for r in first]
    assert back.previous_url is None


def test_a_later_page_is_read_by_key_not_offset(client, partner_user):
    _add(partner_user.partner, [f"K{i:03d}" for i in range(60)])
    client.force_login(partner_user)
    first = client.get("/customers/").context["page"]
    with CaptureQueriesContext(connection) as ctx:
        client.get("/customers/" + first.next_url)
    listing = [q["sql"] for q in ctx.captured_queries if "company_name" in q["sql"]]
    assert listing and not any("OFFSET" in sql for sql in listing)
    assert any('"company_name" >= ' in sql for sql in listing)  # the leading key bounds the scan


def test_ties_on_the_sort_key_are_broken_by_id():
    user = f.UserFactory()
    at = timezone.now()
    made = [f.NotificationFactory(user=user, created_at=at) for _ in range(7)]
    made += [f.NotificationFactory(user=user, created_at=at - timedelta(hours=1)) for _ in range(3)]
    qs = Notification.objects.filter(user=user)  # ordered -created_at, -id
    seen, token = [], None
    while True:
        rows, token, _prev = keyset.window(qs, size=3, salt="t", after=token)
        seen += [n.pk for n in rows]
        if token is None:
            break
    assert seen == [n.pk for n in qs] and len(seen) == len(made) == len(set(seen))


@pytest.mark.parametrize(
    "url",
    ["/customers/", "/audit/", "/notifications/", "/transfers/", "/order-requests/"],
)
def test_a_changed_or_foreign_cursor_is_a_clear_400(client, partner_user, url):
    _add(partner_user.partner, [f"T{i:03d}" for i in range(3)])
    client.force_login(partner_user)
    token = keyset.encode(["T000", 1], salt="customers")
    bad = [_tamper(token), "garbage", "W10:1:x"]
    if url != "/customers/":
        bad.append(token)  # a token of the customers list, used on another list
    for cursor in bad:
        for param in ("after", "before"):
            response = client.get(url, {param: cursor})
            assert response.status_code == 400, (url, param, cursor)
            assert "This page link is not valid" in response.content.decode()


# --- the API's continuation tokens ------------------------------------------------------------


@pytest.fixture
def api(partner_user):
    from rest_framework.test import APIClient

    from api import services as api_services

    _token, raw = api_services.api_token_create(actor=partner_user, name="keyset")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.rule("AP-1")
def test_api_continuation_follows_the_key_across_inserts_AP1(api, partner_user):
    partner = partner_user.partner
    _add(partner, [f"N{i:03d}" for i in range(0, 40, 2)])
    seen, headers, inserted = [], {}, False
    url = "/v1/customers?size=7"
    while True:
        body = api.get(url, headers=headers).json()
        seen += [i["companyProfile"]["companyName"] for i in body["items"]]
        if not inserted:
            _add(partner, ["A-before", "N999-after"])
            inserted = True
        if "next" not in body["links"]:
            assert body["continuationToken"] is None
            break
        nxt = body["links"]["next"]
        url = "/v1" + nxt["uri"]
        headers = {"MS-ContinuationToken": nxt["headers"][0]["value"]}
        assert body["continuationToken"] == headers["MS-ContinuationToken"]
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert {f"N{i:03d}" for i in range(0, 40, 2)} <= set(seen)
    assert "N999-after" in seen and "A-before" not in seen


@pytest.mark.rule("AP-1")
def test_api_tampered_or_foreign_token_is_invalid_input_AP1(api, partner_user):
    _add(partner_user.partner, [f"Q{i}" for i in range(5)])
    customer = f.CustomerFactory()
    f.RelationshipFactory(partner=partner_user.partner, customer=customer)
    f.AuditEventFactory(partner=partner_user.partner, customer=customer)
    f.AuditEventFactory(partner=partner_user.partner, customer=customer)
    token = api.get("/v1/customers?size=2").json()["continuationToken"]
    audit_token = api.get("/v1/auditrecords?size=1").json()["continuationToken"]
    assert token and audit_token
    for url, bad in [
        ("/v1/customers?size=2", _tamper(token)),
        ("/v1/customers?size=2", audit_token),  # another collection's token
        ("/v1/auditrecords?size=1", token),
        ("/v1/auditrecords?size=1", _tamper(audit_token)),
        (f"/v1/customers/{customer.tenant_id}/relationships", token),
    ]:
        response = api.get(url, headers={"MS-ContinuationToken": bad})
        assert response.status_code == 400, (url, bad)
        body = response.json()
        assert body["errorName"] == "invalid_input"
        assert body["data"][0]["message"] == "The continuation token is not valid."
    nxt = api.get("/v1/customers?size=2", headers={"MS-ContinuationToken": token})
    assert nxt.status_code == 200 and len(nxt.json()["items"]) == 2


@pytest.mark.rule("IR-4")
def test_a_providers_rows_for_one_customer_are_each_paged_once_IR4(client):
    """A provider serving one customer for two resellers has two rows with the same customer
    key: the relationship breaks the tie, so a page boundary between them skips neither."""
    from rest_framework.test import APIClient

    from api import services as api_services

    provider = f.ProviderFactory()
    f.DirectBillEnrollmentFactory(partner=provider)
    user = f.UserFactory(partner=provider, roles=["global_admin"])
    customer = f.CustomerFactory(company_name="Shared Customer")
    for reseller in (f.PartnerFactory(), f.PartnerFactory()):
        f.RelationshipFactory(
            customer=customer, partner=provider, kind="indirect_provider", reseller=reseller
        )
    _token, raw = api_services.api_token_create(actor=user, name="ir4")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    first = api.get("/v1/customers?size=1").json()
    token = first["continuationToken"]
    second = api.get("/v1/customers?size=1", headers={"MS-ContinuationToken": token}).json()
    assert len(first["items"]) == len(second["items"]) == 1
    assert first["items"][0]["id"] == second["items"][0]["id"] == str(customer.tenant_id)
    assert second["continuationToken"] is None
    client.force_login(user)
    rows = client.get("/customers/").context["page"].object_list
    assert [r["pk"] for r in rows] == [customer.pk, customer.pk]
    assert len({r["rel_id"] for r in rows}) == 2
