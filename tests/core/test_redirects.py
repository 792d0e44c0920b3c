"""`next=` sends the browser only to this site: the clock page (core.redirects.safe_next)
and sign-in (Django's LoginView, which checks the same way)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.redirects import safe_next
from tests import factories as f

pytestmark = pytest.mark.django_db
FOREIGN = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
]


@pytest.mark.parametrize("target", FOREIGN)
def test_safe_next_refuses_other_sites(target):
    request = RequestFactory().post("/staff/clock/", {"next": target})
    assert safe_next(request, "clock") == "clock"


def test_safe_next_keeps_paths_and_this_host():
    rf = RequestFactory()
    assert safe_next(rf.post("/x/", {"next": "/audit/?q=1"}), "clock") == "/audit/?q=1"
    assert safe_next(rf.get("/x/", {"next": "http://testserver/audit/"}), "home") == (
        "http://testserver/audit/"
    )
    # an https page never sends the browser to plain http, even on this host
    secure = rf.post("/x/", {"next": "http://testserver/audit/"}, secure=True)
    assert safe_next(secure, "home") == "home"


@pytest.mark.parametrize("target", FOREIGN[:2])
def test_clock_page_ignores_a_foreign_next(client, staff, target):
    client.force_login(staff)
    response = client.post(reverse("clock"), {"days": "1", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("clock")


def test_clock_page_follows_a_local_next(client, staff):
    client.force_login(staff)
    response = client.post(reverse("clock"), {"days": "1", "next": "/staff/mail/"})
    assert response.status_code == 302 and response["Location"] == "/staff/mail/"


@pytest.mark.parametrize("target", FOREIGN[:2])
def test_sign_in_ignores_a_foreign_next(client, target):
    user = f.UserFactory()
    response = client.post(
        reverse("login"), {"username": user.email, "password": f.PASSWORD, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
