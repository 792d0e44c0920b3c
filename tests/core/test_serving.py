"""Secrets and serving: no public key signs anything, production refuses a missing or published
key whatever DEBUG says, links follow where the portal serves, and with DEBUG off error pages
show nothing of the code or the settings."""

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from partnerportal.deploy import (
    PUBLIC_KEYS,
    base_url_from_env,
    local_secret,
    secret_key_from_env,
)
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = next(iter(PUBLIC_KEYS))


def run_python(code: str, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- the secret key ------------------------------------------------------------------------


def test_a_key_from_the_environment_is_used():
    key = secrets.token_urlsafe(50)
    assert secret_key_from_env({"SECRET_KEY": key}, local_file=None) == key


@pytest.mark.parametrize("key", [PUBLISHED, "django-insecure-abc"])
@pytest.mark.parametrize("production", [True, False])
def test_a_published_key_is_refused_everywhere(key, production, tmp_path):
    local_file = None if production else tmp_path / "secret_key"
    with pytest.raises(ImproperlyConfigured, match="published development key"):
        secret_key_from_env({"SECRET_KEY": key}, local_file=local_file)
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_missing_key():
    with pytest.raises(ImproperlyConfigured, match="Set SECRET_KEY"):
        secret_key_from_env({"DEBUG": "true"}, local_file=None)


def test_the_per_install_secret_is_created_once_and_reused(tmp_path):
    path = tmp_path / ".local" / "secret_key"
    first = secret_key_from_env({}, local_file=path)
    assert len(first) >= 50 and first not in PUBLIC_KEYS
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key_from_env({}, local_file=path) == first
    assert local_secret(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no stray candidates
    # another install gets its own
    assert local_secret(tmp_path / "other" / "secret_key") != first


def test_the_base_settings_sign_with_the_install_secret_not_a_public_key():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'partnerportal.settings';"
        "django.setup(); from django.conf import settings; print(settings.SECRET_KEY)",
        DEBUG="false",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (ROOT / ".local" / "secret_key").read_text().strip()


@pytest.mark.parametrize("key", [None, PUBLISHED])
def test_production_settings_refuse_missing_or_published_key_even_with_debug_on(key):
    env = {"DJANGO_SETTINGS_MODULE": "partnerportal.production", "DEBUG": "true"}
    if key:
        env["SECRET_KEY"] = key
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        **env,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


# --- the base URL of links -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORTAL_HOST": "127.0.0.1", "PORTAL_PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORTAL_HOST": "portal.lan", "PORTAL_PORT": "80"}, "http://portal.lan"),
        ({"PORTAL_HOST": "::1", "PORTAL_PORT": "9000"}, "http://[::1]:9000"),
        (
            {"PORTAL_BASE_URL": "https://portal.example/", "PORTAL_PORT": "8123"},
            "https://portal.example",
        ),
    ],
)
def test_base_url_follows_where_the_portal_serves(env, expected):
    assert base_url_from_env(env) == expected


def test_base_url_on_every_interface_names_this_machine(monkeypatch):
    monkeypatch.setattr("partnerportal.deploy.socket.getfqdn", lambda: "trainer-pc.lan")
    assert base_url_from_env({"PORTAL_HOST": "0.0.0.0", "PORTAL_PORT": "8080"}) == (
        "http://trainer-pc.lan:8080"
    )


def test_settings_derive_links_from_the_serving_port():
    """`make run` on another port: invitation and email links say that port, not 8000."""
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'partnerportal.settings';"
        "django.setup(); from core.notifications import absolute_url;"
        "print(absolute_url('/invitations/x/'))",
        PORTAL_HOST="127.0.0.1",
        PORTAL_PORT="8123",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8123/invitations/x/"


# --- error pages with DEBUG off ------------------------------------------------------------


@pytest.mark.django_db
def test_404_with_debug_off_lists_no_url_patterns(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert b"URLconf" not in response.content and b"signin/" not in response.content


@pytest.mark.django_db
def test_500_with_debug_off_shows_no_settings_or_traceback(settings, monkeypatch):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(f.UserFactory())

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr("core.views.dashboard.panels_for", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert b"Traceback" not in response.content and b"SECRET_KEY" not in response.content
    assert b"boom" not in response.content
