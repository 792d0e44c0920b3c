import re

import pytest
from django.urls import reverse

from core.models import OutboundEmail, Role
from tests import factories as f

LINK = re.compile(r"https?://\S+/welcome/[^/\s]+/[^/\s]+/")


@pytest.fixture
def org(db):
    """A partner with a Global admin, an Admin agent and a Sales agent."""
    partner = f.PartnerFactory(legal_name="Contoso")
    return {
        "partner": partner,
        "ga": f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN], full_name="Gail Global"),
        "agent": f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT]),
        "sales": f.UserFactory(partner=partner, roles=[Role.SALES_AGENT]),
    }


def link_in(body: str) -> str:
    """The path of the one-time link in an invitation email."""
    url = LINK.search(body).group(0)
    return "/" + url.split("/", 3)[3]


def sent() -> list[OutboundEmail]:
    """The portal's emails, oldest first (written in the service's transaction)."""
    return list(OutboundEmail.objects.order_by("pk"))


def signs_in(client, email: str, password: str) -> bool:
    """Sign in through the real form (django-axes needs the request); True when it worked."""
    response = client.post(reverse("login"), {"username": email, "password": password})
    return response.status_code == 302 and response["Location"] == reverse("home")
