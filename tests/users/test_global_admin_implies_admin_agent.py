"""AC-1: a Global admin can do everything an Admin agent can (Partner Center: the Global admin
has every permission), decided in one place (core.models.IMPLIED_ROLES); a Sales agent
still cannot."""

import json

import pytest
from django.urls import reverse

from api import services as api_services
from core import notifications
from core.exceptions import RoleRequired
from core.models import Role, effective_roles, roles_granting
from relationships.models import GdapRelationship
from relationships.services import gdap as gdap_services
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db
URL = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
USER_ADMIN_ID = "fe930be7-5e62-47db-91af-98c3a49a38b1"


@pytest.fixture
def world(settings):
    settings.API_THROTTLE_RATE = "10000/min"
    partner = f.PartnerFactory(legal_name="Contoso Cloud")
    f.DirectBillEnrollmentFactory(partner=partner)
    return {
        "partner": partner,
        "customer": rf.direct_customer(partner),
        "ga": f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN]),
        "sales": f.UserFactory(partner=partner, roles=[Role.SALES_AGENT]),
    }


def test_ac1_the_implication_table():
    assert effective_roles([Role.GLOBAL_ADMIN]) == {Role.GLOBAL_ADMIN, Role.ADMIN_AGENT}
    assert effective_roles([Role.ADMIN_AGENT]) == {Role.ADMIN_AGENT}
    assert roles_granting([Role.ADMIN_AGENT]) == (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
    assert roles_granting([Role.GLOBAL_ADMIN]) == (Role.GLOBAL_ADMIN,)
    assert roles_granting([Role.SALES_AGENT]) == (Role.SALES_AGENT,)


@pytest.mark.rule("AC-1")
def test_ac1_global_admin_only_user_does_an_admin_agent_action_on_the_page(client, world):
    ga, customer = world["ga"], world["customer"]
    assert ga.roles == [Role.GLOBAL_ADMIN]
    client.force_login(ga)
    assert client.get(reverse("gdap_request")).status_code == 200
    response = client.post(
        reverse("gdap_request"),
        {"customer": customer.pk, "roles": ["directory_readers"], "duration_days": 30, "name": "x"},
    )
    assert response.status_code == 302
    assert GdapRelationship.objects.get().requested_by == ga
    gdap_page = client.get(reverse("partner_gdap")).content.decode()
    assert "can request GDAP" not in gdap_page  # the button, not the refusal


@pytest.mark.rule("AC-1")
def test_ac1_sales_agent_still_cannot_nothing_created(client, world):
    client.force_login(world["sales"])
    response = client.get(reverse("gdap_request"))
    assert response.status_code == 403
    assert b"Only a Global admin or an Admin agent can do this." in response.content
    with pytest.raises(RoleRequired):
        gdap_services.gdap_request(
            actor=world["sales"],
            customer=world["customer"],
            roles=["directory_readers"],
            duration_days=30,
        )
    assert not GdapRelationship.objects.exists()


def _graph_create(client, user, customer):
    _token, raw = api_services.api_token_create(actor=user, name="graph")
    body = {
        "displayName": "Contoso helpdesk",
        "duration": "P30D",
        "customer": {"tenantId": str(customer.tenant_id)},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN_ID}]},
        "autoExtendDuration": "PT0S",
    }
    return client.post(
        URL,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


@pytest.mark.rule("AC-1")
def test_ac1_global_admin_only_user_does_an_admin_agent_action_in_the_api(client, world):
    response = _graph_create(client, world["ga"], world["customer"])
    assert response.status_code == 201, response.content
    assert GdapRelationship.objects.get().requested_by == world["ga"]


@pytest.mark.rule("AC-1")
def test_ac1_sales_agent_is_refused_in_the_api_nothing_created(client, world):
    response = _graph_create(client, world["sales"], world["customer"])
    assert response.status_code == 403
    assert response.json()["error"]["innerError"]["rule"] == "AC-1"
    assert not GdapRelationship.objects.exists()


@pytest.mark.rule("AC-1")
def test_ac1_a_global_admin_is_told_what_admin_agents_are_told(world):
    agent = f.UserFactory(partner=world["partner"], roles=[Role.ADMIN_AGENT])
    told = set(notifications.partner_users(world["partner"], Role.ADMIN_AGENT))
    assert told == {world["ga"], agent}
    assert set(notifications.partner_users(world["partner"], Role.GLOBAL_ADMIN)) == {world["ga"]}
