"""Security basics: CSRF, production settings pass `check --deploy`,
password validation, a 503 page when the database is down."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from partnerportal.deploy import local_secret
from tests import factories as f

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_forms_require_csrf_tokens():
    user = f.UserFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": user.email, "password": f.PASSWORD})
    assert response.status_code == 403
    client.force_login(user)
    assert client.post(reverse("notifications_mark_read")).status_code == 403


def test_weak_passwords_are_rejected():
    with pytest.raises(ValidationError):
        validate_password("password")
    with pytest.raises(ValidationError):
        validate_password("12345678")
    validate_password("a-Long-and-unusual-passphrase-2026")


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "partnerportal.production",
        "SECRET_KEY": local_secret(tmp_path / "secret_key"),  # a key as `make run` generates
        "ALLOWED_HOSTS": "portal.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # and production refuses to start with the development key
    env["SECRET_KEY"] = ""
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_database_down_gives_a_clear_503(client, monkeypatch):
    client.force_login(f.UserFactory())

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("core.views.dashboard.panels_for", broken)
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert b"temporarily unavailable" in response.content
    assert response["Retry-After"] == "30"
