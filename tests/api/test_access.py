"""Tokens (App management page, create_api_token), 401s, TX-2, throttling (AP-2), size limit."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, hash_token
from core.services import clock_advance
from enrollment.models import DirectBillEnrollment
from tests import factories as f

from .test_contract import assert_error

GET_PATHS = [
    "/v1/profiles/mpn",
    "/v1/customers",
    "/v1/customers/00000000-0000-0000-0000-000000000000",
    "/v1/customers/00000000-0000-0000-0000-000000000000/relationships",
    "/v1/customers/00000000-0000-0000-0000-000000000000/subscriptions",
    "/v1/customers/00000000-0000-0000-0000-000000000000/transfers",
    "/v1/customers/00000000-0000-0000-0000-000000000000/agreements",
    "/v1/customers/relationshiprequests",
    "/v1/relationships?relationship_type=IsIndirectResellerOf",
    "/v1/auditrecords",
]


# --- tokens --------------------------------------------------------------------------------


@pytest.mark.rule("AP-1")
def test_app_management_page_creates_shows_once_lists_and_revokes(login, direct_user, api):
    client = login(direct_user)
    page = client.get(reverse("api_tokens"))
    assert page.status_code == 200 and b"App management" in page.content
    r = client.post(reverse("api_tokens"), {"name": "billing sync"}, follow=True)
    assert r.status_code == 200 and r.redirect_chain == [(reverse("api_tokens"), 302)]
    raw = r.context["new_token"]
    assert raw and raw.encode() in r.content
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(raw) and raw not in (token.token_hash, token.prefix)
    assert token.user == direct_user and token.name == "billing sync"
    # Shown once: the list does not show it again.
    again = client.get(reverse("api_tokens"))
    assert raw.encode() not in again.content and b"billing sync" in again.content
    # It works, then revoke → 401.
    assert api(raw).get("/v1/profiles/mpn").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    r = client.post(reverse("api_token_revoke", args=[token.pk]), {"confirm": "on"})
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_error(api(raw).get("/v1/profiles/mpn"), 401, "invalid_token")


def test_app_management_empty_name_is_inline_error(login, direct_user):
    r = login(direct_user).post(reverse("api_tokens"), {"name": ""})
    assert r.status_code == 400 and ApiToken.objects.count() == 0
    assert r.context["form"].errors["name"]


@pytest.mark.rule("AC-2")
def test_cannot_revoke_another_users_token_AC2(login, direct_partner, make_token):
    owner = f.UserFactory(partner=direct_partner, roles=["admin_agent"])
    make_token(owner)
    token = ApiToken.objects.get()
    stranger = f.UserFactory(partner=f.PartnerFactory())
    r = login(stranger).post(reverse("api_token_revoke", args=[token.pk]))
    assert r.status_code == 404
    colleague = f.UserFactory(partner=direct_partner, roles=["sales_agent"])
    assert login(colleague).post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_global_admin_sees_and_revokes_partner_tokens(
    login, direct_user, direct_partner, make_token
):
    agent = f.UserFactory(partner=direct_partner, roles=["admin_agent"])
    make_token(agent, name="agent script")
    client = login(direct_user)
    assert b"agent script" in client.get(reverse("api_tokens")).content
    token = ApiToken.objects.get()
    client.post(reverse("api_token_revoke", args=[token.pk]), {"confirm": "on"})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_app_management_page_needs_partner_user(client, staff):
    client.force_login(staff)
    assert client.get(reverse("api_tokens")).status_code == 403


def test_create_api_token_command_prints_a_working_token(direct_user, api):
    out = StringIO()
    call_command("create_api_token", direct_user.email, stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("pp_")
    assert ApiToken.objects.get().token_hash == hash_token(raw)
    assert api(raw).get("/v1/customers").status_code == 200


def test_create_api_token_command_refuses_unknown_or_non_partner_user(staff):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody@example.com")
    with pytest.raises(CommandError):
        call_command("create_api_token", staff.email)
    assert ApiToken.objects.count() == 0


# --- 401 -----------------------------------------------------------------------------------


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize(
    "header,code",
    [
        (None, "unauthenticated"),
        ("Bearer nope", "invalid_token"),
        ("Basic dXNlcjpwYXNz", "invalid_token"),
        ("Bearer", "invalid_token"),
    ],
)
def test_missing_or_invalid_token_is_401(db, client, header, code):
    headers = {"Authorization": header} if header else {}
    r = client.get("/v1/customers", headers=headers)
    assert_error(r, 401, code)
    assert r["WWW-Authenticate"] == "Bearer"


def test_deactivated_user_token_is_401(api, direct_user, make_token):
    raw = make_token(direct_user)
    direct_user.is_active = False
    direct_user.save()
    assert_error(api(raw).get("/v1/customers"), 401, "invalid_token")


# --- TX-2 ----------------------------------------------------------------------------------


@pytest.mark.rule("TX-2")
@pytest.mark.parametrize("path", GET_PATHS)
def test_partner_without_direct_bill_is_refused_everywhere_TX2(api, make_token, path):
    """TX-2: an indirect reseller with no direct-bill enrollment gets a clear 403."""
    reseller = f.IndirectEnrollmentFactory().partner
    raw = make_token(f.UserFactory(partner=reseller))
    body = assert_error(api(raw).get(path), 403, "api_access_direct_bill_only")
    assert "direct-bill" in body["description"]


@pytest.mark.rule("TX-2")
def test_post_is_refused_too_TX2(api, make_token):
    raw = make_token(f.UserFactory(partner=f.PartnerFactory()))
    assert_error(api(raw).post("/v1/customers", {}), 403, "api_access_direct_bill_only")


@pytest.mark.rule("TX-2")
def test_provider_without_direct_bill_is_allowed_TX2(api, make_token):
    raw = make_token(f.UserFactory(partner=f.ProviderFactory()))
    assert api(raw).get("/v1/customers").status_code == 200


@pytest.mark.rule("TX-2")
def test_tokens_stop_working_when_direct_bill_closes_TX2(direct_api, direct_partner):
    assert direct_api.get("/v1/customers").status_code == 200
    DirectBillEnrollment.objects.filter(partner=direct_partner).update(status="restricted")
    assert direct_api.get("/v1/customers").status_code == 200  # Restricted: still open
    DirectBillEnrollment.objects.filter(partner=direct_partner).update(
        status="closed", status_changed_at=timezone.now()
    )
    assert_error(direct_api.get("/v1/customers"), 403, "api_access_direct_bill_only")


def test_customer_admin_cannot_use_api(db):
    from api.services import api_token_create
    from core.exceptions import RuleViolation

    admin = f.CustomerAdminFactory()
    with pytest.raises(RuleViolation):
        api_token_create(actor=admin, name="x")


# --- AP-2 throttling -----------------------------------------------------------------------


@pytest.mark.rule("AP-2")
def test_throttled_per_partner_with_retry_after_AP2(settings, direct_api, api, make_token):
    settings.API_THROTTLE_RATE = "3/min"
    for _ in range(3):
        assert direct_api.get("/v1/profiles/mpn").status_code == 200
    r = direct_api.get("/v1/profiles/mpn")
    body = assert_error(r, 429, "too_many_requests")
    assert int(r["Retry-After"]) >= 1
    assert "Retry after" in body["description"]
    # Per partner: another partner is not affected; a colleague of the same partner is.
    other = api(make_token(f.UserFactory(partner=f.DirectBillEnrollmentFactory().partner)))
    assert other.get("/v1/profiles/mpn").status_code == 200


def test_throttle_is_off_when_disabled(settings, direct_api):
    """API_THROTTLE_ENABLED=False (the http benchmark: one load generator) turns AP-2 off."""
    settings.API_THROTTLE_RATE = "1/min"
    settings.API_THROTTLE_ENABLED = False
    for _ in range(3):
        assert direct_api.get("/v1/profiles/mpn").status_code == 200
    settings.API_THROTTLE_ENABLED = True
    assert direct_api.get("/v1/profiles/mpn").status_code == 200
    assert_error(direct_api.get("/v1/profiles/mpn"), 429, "too_many_requests")


# --- body size -----------------------------------------------------------------------------


def test_oversized_body_is_413(direct_api, settings):
    big = '{"x": "' + "a" * (settings.API_MAX_BODY_BYTES + 10) + '"}'
    r = direct_api.post("/v1/customers", raw=big)
    assert_error(r, 413, "request_too_large")


def test_oversized_body_is_413_even_without_token(db, client, settings):
    big = "a" * (settings.API_MAX_BODY_BYTES + 1)
    r = client.post("/v1/customers", big, content_type="application/json")
    assert_error(r, 413, "request_too_large")


@pytest.mark.rule("AP-2")
def test_throttle_counts_in_redis_across_processes_AP2(settings, direct_api):
    """With API_THROTTLE_CACHE="api" (Redis), the counter is shared by every web process."""
    from django.core.cache import caches

    settings.API_THROTTLE_CACHE = "api"
    settings.API_THROTTLE_RATE = "2/min"
    try:
        caches["api"].clear()
    except Exception:
        pytest.skip("Redis is not running")
    assert direct_api.get("/v1/profiles/mpn").status_code == 200
    assert direct_api.get("/v1/profiles/mpn").status_code == 200
    assert_error(direct_api.get("/v1/profiles/mpn"), 429, "too_many_requests")
    caches["api"].clear()


def test_throttle_fails_open_when_cache_is_down(settings, direct_api):
    settings.CACHES = {
        **settings.CACHES,
        "broken": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    settings.API_THROTTLE_CACHE = "broken"
    assert direct_api.get("/v1/profiles/mpn").status_code == 200


@pytest.mark.rule("AP-1")
def test_expired_token_is_refused_with_401(login, direct_user, api, staff):
    """A token expires after the lifetime chosen on App management (by the simulation clock);
    then every call gets 401 invalid_token with the date, and the page shows it Expired."""
    from datetime import timedelta

    client = login(direct_user)
    r = client.post(reverse("api_tokens"), {"name": "short lived", "days": "30"}, follow=True)
    raw = r.context["new_token"]
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert api(raw).get("/v1/profiles/mpn").status_code == 200
    clock_advance(actor=staff, delta=timedelta(days=31))
    r = api(raw).get("/v1/profiles/mpn")
    assert_error(r, 401, "invalid_token")
    assert "expired on" in r.json()["description"]
    assert b"pill-expired" in client.get(reverse("api_tokens")).content


def test_token_lifetime_is_bounded(login, direct_user):
    r = login(direct_user).post(reverse("api_tokens"), {"name": "forever", "days": "9999"})
    assert r.status_code == 400 and ApiToken.objects.count() == 0
    out = StringIO()
    call_command("create_api_token", direct_user.email, "--days", "0", stdout=out)
    assert ApiToken.objects.get().expires_at is None  # scripts may opt out explicitly
    with pytest.raises(Exception, match="1 to 730 days"):
        call_command("create_api_token", direct_user.email, "--days", "-3")
