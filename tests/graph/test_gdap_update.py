"""Graph's `created` state and "Update delegatedAdminRelationship" (GD-1, GD-2): a relationship
created through Graph stays `created` (the customer doesn't see it) and its displayName,
duration and roles can change until it is locked for approval; autoExtendDuration also while
active; anything else is refused in Graph's error body and changes nothing.
https://learn.microsoft.com/graph/api/delegatedadminrelationship-update
https://learn.microsoft.com/graph/api/resources/delegatedadminrelationship"""

import json

import pytest

from core.models import AuditEvent, Outcome
from relationships.models import GdapRelationship, GdapStatus
from tests import factories as f

from .test_gdap_graph import (
    GLOBAL_ADMIN_ID,
    LICENSE_ADMIN_ID,
    URL,
    USER_ADMIN_ID,
    Graph,
    _assert_graph_error,
    _body,
    world,  # noqa: F401  (fixture)
)

pytestmark = pytest.mark.django_db


def patch(graph: Graph, path, body, **headers):
    return graph.client.patch(
        path,
        json.dumps(body),
        content_type="application/json",
        headers={**graph.headers, **headers},
    )


def _created(world):  # noqa: F811
    response = world["graph"].post(URL, _body(world["customer"], duration="P90D"))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "created"
    return GdapRelationship.objects.get(pk=response.json()["id"])


def _snapshot(gdap):
    gdap.refresh_from_db()
    return (gdap.status, gdap.name, gdap.duration_days, list(gdap.roles), gdap.auto_extend)


@pytest.mark.rule("GD-1")
def test_gd1_a_created_relationship_is_updated_then_locked(world):  # noqa: F811
    graph = world["graph"]
    gdap = _created(world)
    etag = graph.get(f"{URL}/{gdap.pk}").json()["@odata.etag"]
    body = {
        "displayName": "Contoso helpdesk (licences)",
        "duration": "P180D",
        "accessDetails": {
            "unifiedRoles": [
                {"roleDefinitionId": USER_ADMIN_ID},
                {"roleDefinitionId": LICENSE_ADMIN_ID},
            ]
        },
        "autoExtendDuration": "P180D",
    }
    response = patch(graph, f"{URL}/{gdap.pk}", body, **{"If-Match": etag})
    assert response.status_code == 200, response.content
    item = response.json()
    assert item["status"] == "created" and item["displayName"] == body["displayName"]
    assert (item["duration"], item["autoExtendDuration"]) == ("P180D", "P180D")
    assert item["accessDetails"] == body["accessDetails"]
    assert item["@odata.etag"] != etag
    assert _snapshot(gdap) == (
        "created",
        "Contoso helpdesk (licences)",
        180,
        ["user_administrator", "license_administrator"],
        True,
    )
    assert AuditEvent.objects.filter(
        operation="gdap.update", outcome=Outcome.SUCCESS, object_id=str(gdap.pk)
    ).exists()
    # The stale etag no longer matches: 412, nothing changes.
    stale = patch(graph, f"{URL}/{gdap.pk}", {"displayName": "Other"}, **{"If-Match": etag})
    _assert_graph_error(stale, 412, "preconditionFailed")
    assert gdap.name == GdapRelationship.objects.get(pk=gdap.pk).name
    locked = graph.post(f"{URL}/{gdap.pk}/requests", {"action": "lockForApproval"})
    assert locked.status_code == 201, locked.content
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.PENDING
    assert gdap.request_expires_at > gdap.requested_at


@pytest.mark.rule("GD-1")
@pytest.mark.parametrize(
    "body",
    [{"displayName": "Renamed"}, {"duration": "P30D"}, {"autoExtendDuration": "P180D"}],
)
def test_gd1_update_refused_once_sent_to_the_customer_nothing_changed(world, body):  # noqa: F811
    gdap = f.GdapFactory(partner=world["partner"], customer=world["customer"])
    before = _snapshot(gdap)
    response = patch(world["graph"], f"{URL}/{gdap.pk}", body)
    error = _assert_graph_error(response, 409, "notAllowed", "GD-1")
    assert error["innerError"]["code"] == "gdap_not_editable"
    assert "only while it is created" in error["message"]
    assert _snapshot(gdap) == before
    assert AuditEvent.objects.filter(operation="gdap.update", outcome=Outcome.REFUSED).exists()


@pytest.mark.rule("GD-2")
def test_gd2_auto_extend_of_an_active_relationship_only(world):  # noqa: F811
    gdap = f.ActiveGdapFactory(partner=world["partner"], customer=world["customer"])
    renamed = patch(world["graph"], f"{URL}/{gdap.pk}", {"displayName": "Renamed"})
    _assert_graph_error(renamed, 409, "notAllowed", "GD-1")
    response = patch(world["graph"], f"{URL}/{gdap.pk}", {"autoExtendDuration": "P180D"})
    assert response.status_code == 200, response.content
    assert response.json()["autoExtendDuration"] == "P180D"
    gdap.refresh_from_db()
    assert gdap.auto_extend and gdap.status == GdapStatus.ACTIVE and gdap.name != "Renamed"


@pytest.mark.rule("GD-1")
@pytest.mark.rule("GD-2")
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"duration": "P3Y"}, "between 1 day and 730 days"),
        (
            {
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": GLOBAL_ADMIN_ID}]},
                "autoExtendDuration": "P180D",
            },
            "Auto-extend is not available",
        ),
        ({"accessDetails": {"unifiedRoles": []}}, "at least one"),
    ],
)
def test_gd1_gd2_an_update_is_checked_like_a_request_nothing_changed(world, body, message):  # noqa: F811
    gdap = _created(world)
    before = _snapshot(gdap)
    error = _assert_graph_error(patch(world["graph"], f"{URL}/{gdap.pk}", body), 409, "notAllowed")
    assert message in error["message"]
    assert _snapshot(gdap) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "active"},
        {"customer": {"tenantId": "00000000-0000-0000-0000-000000000001"}},
        {"duration": "two years"},
        {"displayName": ""},
        {"autoExtendDuration": "P90D"},
        ["displayName"],
    ],
)
def test_a_malformed_update_is_400_nothing_changed(world, body):  # noqa: F811
    gdap = _created(world)
    before = _snapshot(gdap)
    _assert_graph_error(patch(world["graph"], f"{URL}/{gdap.pk}", body), 400, "invalidRequest")
    assert _snapshot(gdap) == before


def test_another_partners_relationship_is_404(world):  # noqa: F811
    theirs = f.GdapFactory(status=GdapStatus.CREATED)
    before = _snapshot(theirs)
    response = patch(world["graph"], f"{URL}/{theirs.pk}", {"displayName": "Mine now"})
    _assert_graph_error(response, 404, "itemNotFound")
    assert _snapshot(theirs) == before


def test_graph_paths_match_in_any_case_and_with_a_trailing_slash(world):  # noqa: F811
    gdap = _created(world)
    listed = world["graph"].get("/Graph/V1.0/TenantRelationships/DelegatedAdminRelationships/")
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["value"]] == [str(gdap.pk)]
    one = world["graph"].get(
        f"/graph/v1.0/tenantrelationships/delegatedadminrelationships/{gdap.pk}/"
    )
    assert one.status_code == 200 and one.json()["status"] == "created"
    filtered = world["graph"].get(f"{URL}?$filter=status eq 'created'").json()["value"]
    assert [r["id"] for r in filtered] == [str(gdap.pk)]
