"""Input is checked at the edge (docs/security.md, "Input validation"): each input that once
answered a 500 is refused with a clear message (or matches nothing), and changes nothing."""

import json
import uuid

import pytest
from django.core import mail
from django.test import Client

from api import services as api_services
from api.numeric_codes import NUMERIC_CODES
from core import notifications
from core.models import Customer, OutboundEmail, Partner, Tenant
from core.validators import parse_id, parse_int
from enrollment.forms import IndirectEnrollmentForm, ProfileForm
from tests import factories as f


@pytest.fixture
def page_client():
    return Client(raise_request_exception=False)


@pytest.fixture
def direct_admin(db):
    partner = f.DirectBillEnrollmentFactory().partner
    customer = f.CustomerFactory(company_name="Fabrikam")
    f.RelationshipFactory(customer=customer, partner=partner)
    return f.UserFactory(partner=partner, roles=["global_admin", "admin_agent"])


@pytest.fixture
def provider_admin(db):
    provider = f.ProviderFactory()
    f.DirectBillEnrollmentFactory(partner=provider)
    return f.UserFactory(partner=provider, roles=["global_admin", "admin_agent"])


# --- query strings ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/customers/", "/transition/"])
def test_nul_in_a_search_box_is_a_400_that_names_it(page_client, direct_admin, url):
    page_client.force_login(direct_admin)
    r = page_client.get(url, {"q": "Fab\x00"})
    assert r.status_code == 400
    assert "“q” parameter contains a control character" in r.content.decode()
    assert page_client.get(url, {"q": "Fab"}).status_code == 200


def test_nul_in_the_resellers_search_is_a_400(page_client, provider_admin):
    page_client.force_login(provider_admin)
    r = page_client.get("/providers/resellers/", {"q": "\x00"})
    assert r.status_code == 400
    assert "control character" in r.content.decode()


def test_nul_in_an_api_query_string_is_invalid_input(page_client, direct_admin):
    raw = api_services.api_token_create(actor=direct_admin, name="t")[1]
    r = page_client.get(
        "/v1/customers", {"size": "1\x00"}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert r.status_code == 400
    assert r.json()["code"] == NUMERIC_CODES["invalid_input"]
    assert r.json()["errorName"] == "invalid_input"


def test_superscript_digit_in_customer_ids_selects_nothing(page_client, direct_admin):
    """`"²".isdigit()` is true but `int("²")` fails: ids are ASCII digits or nothing."""
    page_client.force_login(direct_admin)
    r = page_client.get("/customers/transfer-to-provider/", {"customer_ids": ["²", "١"]})
    assert r.status_code == 200
    assert parse_id("²") is None and parse_id("١") is None and parse_id("12") == 12


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "-1", " 7"])
def test_ids_out_of_bigint_or_not_plain_digits_are_not_found(page_client, direct_admin, value):
    page_client.force_login(direct_admin)
    r = page_client.get("/transfers/new/", {"customer": value})
    assert r.status_code == 404
    assert parse_int(value) is None


def test_audit_filter_with_year_9999_is_a_form_error(page_client, direct_admin):
    page_client.force_login(direct_admin)
    r = page_client.get("/audit/", {"start": "9999-12-31", "end": "9999-12-31"})
    assert r.status_code == 200
    assert "Enter a date between 1900-01-01 and 2999-12-31." in r.content.decode()


# --- API bodies ------------------------------------------------------------------------------


@pytest.fixture
def api_client(page_client, direct_admin):
    raw = api_services.api_token_create(actor=direct_admin, name="t")[1]
    page_client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return page_client


def customer_body(**overrides):
    address = {"country": "US", "city": "Redmond", "firstName": "Pat", "lastName": "Lee"}
    address.update(overrides.pop("address", {}))
    return {
        "companyProfile": {"domain": overrides.pop("domain", "fabrikam.example")},
        "billingProfile": {
            "email": "admin@fabrikam.example",
            "companyName": overrides.pop("companyName", "Fabrikam"),
            "defaultAddress": address,
        },
    }


@pytest.mark.parametrize(
    "body, field",
    [
        (customer_body(domain="İ" * 200), "companyProfile.domain"),  # 400 letters lower-cased
        (customer_body(address={"country": "ﬃ"}), "billingProfile.defaultAddress.country"),
        (
            customer_body(address={"firstName": "P" * 100, "lastName": "L" * 100}),
            "billingProfile.defaultAddress.lastName",
        ),
        (customer_body(companyName="Fabrikam\nBcc: x@example.com"), "billingProfile.companyName"),
    ],
    ids=["domain-lowercased", "country-uppercased", "joined-contact-name", "line-break"],
)
def test_create_customer_refuses_names_that_overflow_once_normalised(api_client, body, field):
    tenants = Tenant.objects.count()
    r = api_client.post("/v1/customers", json.dumps(body), content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == NUMERIC_CODES["invalid_input"]
    assert r.json()["errorName"] == "invalid_input"
    assert field in [d.get("field") for d in r.json()["data"]]
    assert Tenant.objects.count() == tenants
    assert not Customer.objects.filter(company_name__startswith="Fabrikam\n").exists()


def test_deeply_nested_json_body_is_malformed_request(api_client):
    body = "[" * 60_000 + "]" * 60_000  # 120 KB, under the size limit
    tenants = Tenant.objects.count()
    r = api_client.post("/v1/customers", body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == NUMERIC_CODES["malformed_request"]
    assert r.json()["errorName"] == "malformed_request"
    assert "nests deeper than 32 levels" in r.json()["description"]
    assert Tenant.objects.count() == tenants


def test_deeply_nested_filter_query_is_invalid_input(api_client):
    r = api_client.get("/v1/customers", {"filter": "[" * 20_000 + "]" * 20_000})
    assert r.status_code == 400
    assert r.json()["code"] == NUMERIC_CODES["invalid_input"]
    assert r.json()["errorName"] == "invalid_input"
    assert "filter must be a URL-encoded JSON object" in r.json()["description"]


def test_json_nesting_within_the_limit_is_parsed(api_client):
    body = customer_body()
    body["billingProfile"]["defaultAddress"]["region"] = None
    r = api_client.post("/v1/customers", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("number", [2**63, 10**40, -1, 0])
def test_an_offset_continuation_token_is_invalid_input(api_client, number):
    """Tokens are signed sort keys now (keyset): the old unsigned offsets are refused."""
    import base64

    token = base64.urlsafe_b64encode(f"o:{number}".encode()).decode().rstrip("=")
    r = api_client.get("/v1/customers", HTTP_MS_CONTINUATIONTOKEN=token)
    assert r.status_code == 400
    assert r.json()["data"][0]["message"] == "The continuation token is not valid."


# --- names and email subjects ----------------------------------------------------------------


@pytest.mark.parametrize("form_class", [ProfileForm, IndirectEnrollmentForm])
def test_line_break_in_a_legal_name_is_refused(form_class):
    form = form_class(
        data={
            "legal_name": "Contoso\r\nBcc: all@example.com",
            "partner_id": "1234567",
            "country": "US",
            "primary_contact_email": "a@contoso.example",
        }
    )
    assert not form.is_valid()
    assert "control character" in form.errors["legal_name"][0]


def test_line_break_in_the_profile_page_changes_nothing(page_client, direct_admin):
    partner = direct_admin.partner
    page_client.force_login(direct_admin)
    r = page_client.post(
        "/account/profile/",
        {
            "legal_name": "Contoso\nLtd",
            "partner_id": partner.partner_id,
            "country": "US",
            "primary_contact_email": "a@contoso.example",
        },
    )
    assert r.status_code == 400
    assert "control character" in r.content.decode()
    assert Partner.objects.get(pk=partner.pk).legal_name == partner.legal_name


def test_email_subject_is_single_line_and_delivered(db):
    partner = f.PartnerFactory(legal_name="Old name")
    Partner.objects.filter(pk=partner.pk).update(legal_name="Contoso\r\nLtd")  # stored before
    partner.refresh_from_db()
    email = notifications.queue_email(
        to=["a@contoso.example"], subject=f"Welcome, {partner.legal_name}", body="Hi"
    )
    assert email.subject == "Welcome, Contoso Ltd"
    OutboundEmail.objects.filter(pk=email.pk).update(subject="Old\nsubject")
    mail.outbox.clear()
    assert notifications.deliver(email.pk)
    assert [m.subject for m in mail.outbox] == ["Old subject"]


def test_ids_are_parsed_strictly():
    assert [parse_id(v) for v in ("1", "007", "0", "1_0", "+1", "1.0", "", None, "²")] == [
        1,
        7,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    assert parse_id(str(uuid.uuid4().int)) is None
