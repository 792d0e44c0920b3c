"""Sign-in lockout (django-axes): one lockout for /signin/ and /admin/login/, counted per
account and per client address, lifted when the cool-off has passed."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db
LIMIT = 3
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def sign_in(client, email, password, path=None, **extra):
    return client.post(path or reverse("login"), {"username": email, "password": password}, **extra)


def assert_locked_page(response):
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert b"Too many failed sign-in attempts" in response.content
    assert b"Try again in 15 minutes" in response.content


def test_signin_locks_the_account_after_the_limit_even_with_the_right_password(client):
    user = f.UserFactory()
    for _ in range(LIMIT - 1):
        response = sign_in(client, user.email, "nope")
        assert response.status_code == 200 and b"didn't match" in response.content
    assert_locked_page(sign_in(client, user.email, "nope"))
    assert_locked_page(sign_in(client, user.email, f.PASSWORD))
    assert "_auth_user_id" not in client.session


def test_account_lockout_holds_from_another_address_and_ignores_case(client):
    user = f.UserFactory()
    for _ in range(LIMIT):
        sign_in(client, f"  {user.email.upper()} ", "nope", REMOTE_ADDR="10.0.0.1")
    assert_locked_page(sign_in(client, user.email, f.PASSWORD, REMOTE_ADDR="10.0.0.2"))
    assert "_auth_user_id" not in client.session


def test_admin_login_locks_too(client, staff):
    for _ in range(LIMIT - 1):
        assert sign_in(client, staff.email, "nope", ADMIN_LOGIN).status_code == 200
    assert_locked_page(sign_in(client, staff.email, "nope", ADMIN_LOGIN))
    assert_locked_page(sign_in(client, staff.email, f.PASSWORD, ADMIN_LOGIN))
    assert "_auth_user_id" not in client.session


def test_one_lockout_for_both_sign_in_pages(client, staff):
    """Failures on /signin/ count on /admin/login/: the admin is no way around the lockout."""
    for _ in range(LIMIT):
        sign_in(client, staff.email, "nope")
    assert_locked_page(sign_in(client, staff.email, f.PASSWORD, ADMIN_LOGIN))
    assert "_auth_user_id" not in client.session


def test_spraying_many_accounts_from_one_address_locks_the_address(client):
    """One wrong password for each of LIMIT accounts from one address: the address is locked,
    so even a further account with its right password is refused from there."""
    for _ in range(LIMIT):
        response = sign_in(client, f.UserFactory().email, "Summer2026!", REMOTE_ADDR="10.9.9.9")
    assert_locked_page(response)
    fresh = f.UserFactory()
    assert_locked_page(sign_in(client, fresh.email, f.PASSWORD, REMOTE_ADDR="10.9.9.9"))
    assert "_auth_user_id" not in client.session
    # The same account from another address, untouched by the spray, signs in.
    response = sign_in(client, fresh.email, f.PASSWORD, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(fresh.pk)


def test_a_success_does_not_reset_the_address_count(client):
    """A sprayer's own valid account must not wipe the address's failures."""
    own = f.UserFactory()
    for _ in range(LIMIT - 1):
        sign_in(client, f.UserFactory().email, "nope")
    assert sign_in(client, own.email, f.PASSWORD).status_code == 302
    client.logout()
    assert_locked_page(sign_in(client, f.UserFactory().email, "nope"))


def test_sign_in_works_again_after_the_cool_off(client, settings):
    user = f.UserFactory()
    for _ in range(LIMIT):
        sign_in(client, user.email, "nope")
    cool_off = settings.AXES_COOLOFF_TIME
    # Moving the failures back in time: one minute before the end, still locked ...
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off + timedelta(minutes=1))
    assert_locked_page(sign_in(client, user.email, f.PASSWORD))
    # ... (that attempt counted as one more failure and restarted the cool-off) ...
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off - timedelta(seconds=1))
    # ... and once the whole cool-off has passed, the right password signs in.
    response = sign_in(client, user.email, f.PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_oversized_or_nul_usernames_are_refused_without_a_server_error(client):
    for username in ["a" * 5000 + "@x.example", "user\x00@x.example"]:
        response = sign_in(client, username, "nope")
        assert response.status_code == 200 and b"Sign in" in response.content


def test_authenticate_by_email_keyword_counts_against_the_account(rf):
    """Code calling authenticate(email=...) is counted per account like the sign-in form."""
    from django.contrib.auth import authenticate

    user = f.UserFactory()
    for i in range(LIMIT):
        request = rf.post("/signin/", REMOTE_ADDR=f"10.1.1.{i}")
        assert authenticate(request, email=user.email.upper(), password="nope") is None
    request = rf.post("/signin/", REMOTE_ADDR="10.1.2.1")
    assert authenticate(request, email=user.email, password=f.PASSWORD) is None
    assert AccessAttempt.objects.filter(username=user.email.lower()).exists()


def test_a_forged_forwarded_for_does_not_dodge_the_address_lockout(client):
    """Without a trusted proxy X-Forwarded-For is ignored: rotating it changes nothing."""
    for i in range(LIMIT):
        response = sign_in(client, f.UserFactory().email, "nope", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}")
    assert_locked_page(response)


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    for _ in range(LIMIT):
        response = sign_in(
            client, f.UserFactory().email, "nope", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5"
        )
    assert_locked_page(response)
    # another client behind the same proxy is not locked with it ...
    user = f.UserFactory()
    response = sign_in(client, user.email, f.PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert response.status_code == 302
    client.logout()
    # ... and a hop that is no address is no way around it: the proxy's own address counts.
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5").exists()
    response = sign_in(client, user.email, "nope", HTTP_X_FORWARDED_FOR="not-an-ip", **proxy)
    assert response.status_code == 200
    assert AccessAttempt.objects.filter(ip_address="10.0.0.254").exists()
