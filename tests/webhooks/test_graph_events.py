"""Issue 14's joint case: a GDAP relationship created through Graph, approved by the customer's
Global Administrator in the portal and terminated through Graph produces the matching Partner
Center webhook events, signed, in order, about that one relationship (GD-1, GD-3)."""

import json

import pytest
from django.core.cache import caches
from django.urls import reverse

from api import services as api_services
from relationships.models import GdapRelationship
from tests import factories as f
from tests.relationships import factories as rf
from webhooks import services as webhook_services

from .test_webhooks import verify

pytestmark = pytest.mark.django_db

URL = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
USER_ADMIN_ID = "fe930be7-5e62-47db-91af-98c3a49a38b1"
EVENTS = [
    "granular-admin-relationship-created",
    "granular-admin-relationship-approved",
    "granular-admin-relationship-activated",
    "granular-admin-relationship-terminated",
]


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    settings.API_THROTTLE_RATE = "10000/min"
    caches[settings.API_THROTTLE_CACHE].clear()


@pytest.mark.rule("GD-1")
@pytest.mark.rule("GD-3")
def test_gdap_through_graph_and_the_portal_raises_its_webhook_events(
    client, receiver, django_capture_on_commit_callbacks
):
    partner = f.PartnerFactory(legal_name="Contoso Cloud")
    f.DirectBillEnrollmentFactory(partner=partner)
    agent = f.UserFactory(partner=partner, roles=["admin_agent"])
    customer = rf.direct_customer(partner)
    customer_admin = f.CustomerAdminFactory(customer=customer)
    hook = receiver()
    _registration, secret = webhook_services.webhook_register(
        actor=agent, webhook_url=hook.url, webhook_events=EVENTS
    )
    _token, raw = api_services.api_token_create(actor=agent, name="graph")
    bearer = {"Authorization": f"Bearer {raw}"}

    def graph_post(path, body):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                path, json.dumps(body), content_type="application/json", headers=bearer
            )
        assert response.status_code == 201, response.content
        return response.json()

    created = graph_post(
        URL,
        {
            "displayName": "Contoso helpdesk",
            "duration": "P180D",
            "customer": {"tenantId": str(customer.tenant_id)},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": USER_ADMIN_ID}]},
            "autoExtendDuration": "PT0S",
        },
    )
    gdap = GdapRelationship.objects.get(pk=created["id"])
    graph_post(f"{URL}/{gdap.pk}/requests", {"action": "lockForApproval"})
    client.force_login(customer_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customer_gdap_decide", args=[gdap.pk, "approve"]))
    client.logout()
    graph_post(f"{URL}/{gdap.pk}/requests", {"action": "terminate"})

    gdap.refresh_from_db()
    assert gdap.status == "terminated"
    assert [p["EventName"] for p in hook.payloads] == EVENTS
    assert {p["ResourceUri"].rsplit("/", 1)[1] for p in hook.payloads} == {str(gdap.pk)}
    assert {p["ResourceName"] for p in hook.payloads} == {"GranularAdminRelationship"}
    for delivery in hook.received:
        signature = delivery["headers"]["X-PartnerPortal-Signature"]
        assert verify(secret, delivery["body"], signature)
    # One event per change: the ids are all different.
    assert len({d["headers"]["X-PartnerPortal-EventId"] for d in hook.received}) == len(EVENTS)
