"""The Graph GDAP API (/graph/v1.0/tenantRelationships/delegatedAdminRelationships): the same
GD-1..GD-3 and CU-6 rules and services as the pages, in Graph's shapes (envelope, paging,
error body), with the portal's API tokens."""

import json
import uuid

import pytest
from django.core.cache import caches
from django.urls import reverse

from api import services as api_services
from core.exceptions import CustomerGlobalAdminRequired
from core.models import AuditEvent, Outcome, Role
from graph.models import AccessAssignment, RelationshipRequest
from graph.vocabulary import ROLE_DEFINITION_IDS
from relationships.models import EntraRole, GdapRelationship, GdapStatus
from relationships.services import gdap as gdap_services
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db

URL = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
GLOBAL_ADMIN_ID = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN_ID = "fe930be7-5e62-47db-91af-98c3a49a38b1"
LICENSE_ADMIN_ID = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    settings.API_THROTTLE_RATE = "10000/min"
    caches[settings.API_THROTTLE_CACHE].clear()


class Graph:
    """A client sending a portal API token as Graph's bearer token."""

    def __init__(self, client, user):
        _token, raw = api_services.api_token_create(actor=user, name="graph")
        self.client, self.headers = client, {"Authorization": f"Bearer {raw}"}

    def get(self, path):
        return self.client.get(path, headers=self.headers)

    def post(self, path, body):
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def world(client):
    partner = f.PartnerFactory(legal_name="Contoso Cloud")
    f.DirectBillEnrollmentFactory(partner=partner)
    agent = f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT])
    customer = rf.direct_customer(partner)
    admin = f.CustomerAdminFactory(customer=customer)
    return {
        "partner": partner,
        "agent": agent,
        "customer": customer,
        "admin": admin,
        "graph": Graph(client, agent),
    }


def _body(customer, *, roles=(USER_ADMIN_ID,), duration="P730D", auto_extend="PT0S"):
    return {
        "displayName": "Contoso helpdesk",
        "duration": duration,
        "customer": {"tenantId": str(customer.tenant_id)},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in roles]},
        "autoExtendDuration": auto_extend,
    }


def _assert_graph_error(response, status, code, rule=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert {"date", "request-id"} <= set(error["innerError"])
    if rule:
        assert error["innerError"]["rule"] == rule
    return error


def test_role_table_covers_every_entra_role_once():
    assert set(ROLE_DEFINITION_IDS) == set(EntraRole)
    assert len(set(ROLE_DEFINITION_IDS.values())) == len(EntraRole)
    assert ROLE_DEFINITION_IDS[EntraRole.GLOBAL_ADMINISTRATOR] == GLOBAL_ADMIN_ID


@pytest.mark.rule("GD-1")
@pytest.mark.rule("GD-3")
@pytest.mark.rule("CU-7")
def test_gd1_gd3_create_in_graph_approve_in_portal_terminate_in_graph(client, world):
    """GD-1: created through Graph (`created`, not yet shown to the customer), locked for
    approval (approvalPending), the customer's Global Administrator approves in the portal
    (CU-7), Graph shows it active; GD-3: terminated through Graph."""
    graph, customer = world["graph"], world["customer"]
    body = _body(customer, roles=(USER_ADMIN_ID, LICENSE_ADMIN_ID), auto_extend="P180D")
    created = graph.post(URL, body)
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["@odata.context"].endswith("$metadata#" + URL[12:] + "/$entity")
    assert item["status"] == "created"
    assert item["duration"] == "P730D"
    assert item["autoExtendDuration"] == "P180D"
    assert item["customer"]["tenantId"] == str(customer.tenant_id)
    assert item["accessDetails"]["unifiedRoles"] == [
        {"roleDefinitionId": USER_ADMIN_ID},
        {"roleDefinitionId": LICENSE_ADMIN_ID},
    ]
    gdap = GdapRelationship.objects.get(pk=item["id"])
    assert gdap.roles == ["user_administrator", "license_administrator"]
    assert gdap.duration_days == 730 and gdap.auto_extend
    client.force_login(world["admin"])
    assert gdap.name not in client.get(reverse("customer_gdap")).content.decode()
    client.logout()

    locked = graph.post(f"{URL}/{gdap.pk}/requests", {"action": "lockForApproval"})
    assert locked.status_code == 201, locked.content
    assert locked.json()["status"] == "succeeded"
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.PENDING
    assert graph.get(f"{URL}/{gdap.pk}").json()["status"] == "approvalPending"

    client.force_login(world["admin"])
    decided = client.post(reverse("customer_gdap_decide", args=[gdap.pk, "approve"]))
    assert decided.status_code == 302
    shown = graph.get(f"{URL}/{gdap.pk}").json()
    assert shown["status"] == "active"
    assert shown["activatedDateTime"] and shown["endDateTime"]

    ended = graph.post(f"{URL}/{gdap.pk}/requests", {"action": "terminate"})
    assert ended.status_code == 201, ended.content
    assert ended.json()["action"] == "terminate"
    assert graph.get(f"{URL}/{gdap.pk}").json()["status"] == "terminated"
    requests = graph.get(f"{URL}/{gdap.pk}/requests").json()["value"]
    assert [r["action"] for r in requests] == ["lockForApproval", "terminate"]
    one = graph.get(f"{URL}/{gdap.pk}/requests/{requests[1]['id']}").json()
    assert one["id"] == requests[1]["id"]
    assert AuditEvent.objects.filter(operation="gdap.terminate", object_id=str(gdap.pk)).exists()


@pytest.mark.rule("GD-1")
@pytest.mark.parametrize(
    "duration, days_message",
    [("P731D", "between 1 day and 730 days"), ("P3Y", "between 1 day and 730 days")],
)
def test_gd1_duration_beyond_two_years_refused_nothing_created(world, duration, days_message):
    response = world["graph"].post(URL, _body(world["customer"], duration=duration))
    error = _assert_graph_error(response, 409, "notAllowed", "GD-1")
    assert days_message in error["message"]
    assert not GdapRelationship.objects.exists()


@pytest.mark.rule("GD-1")
@pytest.mark.parametrize("duration", ["730", "P0.5D", "PT24H", "P", "", None])
def test_gd1_malformed_duration_is_400_nothing_created(world, duration):
    response = world["graph"].post(URL, _body(world["customer"], duration=duration))
    error = _assert_graph_error(response, 400, "invalidRequest")
    assert "ISO 8601" in error["message"]
    assert not GdapRelationship.objects.exists()


@pytest.mark.rule("GD-1")
def test_gd1_unknown_role_definition_refused_by_name(world):
    unknown = str(uuid.uuid4())
    response = world["graph"].post(URL, _body(world["customer"], roles=(unknown,)))
    error = _assert_graph_error(response, 409, "notAllowed", "GD-1")
    assert unknown in error["message"]
    assert not GdapRelationship.objects.exists()


@pytest.mark.rule("GD-2")
def test_gd2_auto_extend_with_global_administrator_refused(world):
    body = _body(world["customer"], roles=(GLOBAL_ADMIN_ID,), auto_extend="P180D")
    error = _assert_graph_error(world["graph"].post(URL, body), 409, "notAllowed")
    assert "Auto-extend is not available" in error["message"]
    assert not GdapRelationship.objects.exists()
    allowed = world["graph"].post(URL, _body(world["customer"], roles=(GLOBAL_ADMIN_ID,)))
    assert allowed.status_code == 201
    assert allowed.json()["autoExtendDuration"] == "PT0S"


@pytest.mark.rule("AC-1")
def test_ac1_a_user_without_admin_agent_cannot_create(client, world):
    # A Global admin has the Admin agent's permissions (tests/users/test_global_admin_implies.py).
    sales = f.UserFactory(partner=world["partner"], roles=[Role.SALES_AGENT])
    response = Graph(client, sales).post(URL, _body(world["customer"]))
    _assert_graph_error(response, 403, "accessDenied", "AC-1")
    assert not GdapRelationship.objects.exists()


@pytest.mark.rule("AC-2")
def test_ac2_another_partners_relationship_is_404_in_graphs_body(world):
    other = f.PartnerFactory(legal_name="Foreign Partner")
    theirs = f.ActiveGdapFactory(partner=other, customer=f.CustomerFactory())
    graph = world["graph"]
    for path in ("", "/requests", "/accessAssignments"):
        _assert_graph_error(graph.get(f"{URL}/{theirs.pk}{path}"), 404, "itemNotFound")
    response = graph.post(f"{URL}/{theirs.pk}/requests", {"action": "terminate"})
    _assert_graph_error(response, 404, "itemNotFound")
    theirs.refresh_from_db()
    assert theirs.status == GdapStatus.ACTIVE
    assert not RelationshipRequest.objects.exists()
    assert theirs.pk not in [int(i["id"]) for i in graph.get(URL).json()["value"]]
    _assert_graph_error(graph.get(f"{URL}/not-an-id"), 404, "itemNotFound")


@pytest.mark.rule("GD-3")
def test_gd3_terminate_refused_unless_active_nothing_changed(world):
    gdap = f.GdapFactory(partner=world["partner"], customer=world["customer"])
    response = world["graph"].post(f"{URL}/{gdap.pk}/requests", {"action": "terminate"})
    error = _assert_graph_error(response, 409, "notAllowed", "GD-1")
    assert "Only an active GDAP relationship can be ended" in error["message"]
    gdap.refresh_from_db()
    assert gdap.status == GdapStatus.PENDING
    assert not RelationshipRequest.objects.exists()
    assert AuditEvent.objects.filter(
        operation="relationship_request.create", outcome=Outcome.REFUSED
    ).exists()


@pytest.mark.rule("GD-1")
@pytest.mark.parametrize("factory", [f.GdapFactory, f.ActiveGdapFactory])
def test_gd1_lock_for_approval_only_while_created(world, factory):
    """GD-1: only a `created` relationship is sent to the customer; one already sent (pending)
    or active is refused and nothing changes."""
    gdap = factory(partner=world["partner"], customer=world["customer"])
    status = gdap.status
    response = world["graph"].post(f"{URL}/{gdap.pk}/requests", {"action": "lockForApproval"})
    error = _assert_graph_error(response, 409, "notAllowed", "GD-1")
    assert "only a created relationship can be locked for approval" in error["message"]
    assert not RelationshipRequest.objects.exists()
    gdap.refresh_from_db()
    assert gdap.status == status
    bad = world["graph"].post(f"{URL}/{gdap.pk}/requests", {"action": "approve"})
    _assert_graph_error(bad, 400, "invalidRequest")


@pytest.mark.rule("CU-6")
def test_cu6_access_assignment_only_of_approved_roles_in_an_active_relationship(world):
    graph = world["graph"]
    gdap = f.ActiveGdapFactory(
        partner=world["partner"], customer=world["customer"], roles=["user_administrator"]
    )
    group = str(uuid.uuid4())

    def assign(role_id, group_id=group):
        return graph.post(
            f"{URL}/{gdap.pk}/accessAssignments",
            {
                "accessContainer": {
                    "accessContainerId": group_id,
                    "accessContainerType": "securityGroup",
                },
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role_id}]},
            },
        )

    error = _assert_graph_error(assign(LICENSE_ADMIN_ID), 409, "notAllowed", "CU-6")
    assert "did not approve License Administrator" in error["message"]
    assert not AccessAssignment.objects.exists()

    made = assign(USER_ADMIN_ID)
    assert made.status_code == 201, made.content
    item = made.json()
    assert item["status"] == "active"
    assert item["accessContainer"] == {
        "accessContainerId": group,
        "accessContainerType": "securityGroup",
    }
    _assert_graph_error(assign(USER_ADMIN_ID), 409, "notAllowed", "CU-6")
    assert AccessAssignment.objects.count() == 1

    gdap_services.gdap_terminate(actor=world["agent"], gdap=gdap)
    listed = graph.get(f"{URL}/{gdap.pk}/accessAssignments").json()["value"]
    assert [a["status"] for a in listed] == ["deleted"]
    error = _assert_graph_error(assign(USER_ADMIN_ID, str(uuid.uuid4())), 409, "notAllowed")
    assert "terminated" in error["message"]
    assert AccessAssignment.objects.count() == 1


def test_list_envelope_paging_and_status_filter(world):
    graph = world["graph"]
    pending = [
        f.GdapFactory(partner=world["partner"], customer=world["customer"]) for _ in range(3)
    ]
    active = f.ActiveGdapFactory(partner=world["partner"], customer=world["customer"])
    first = graph.get(f"{URL}?$top=2").json()
    assert first["@odata.context"].endswith("/graph/v1.0/$metadata#" + URL[12:])
    assert len(first["value"]) == 2
    seen = [item["id"] for item in first["value"]]
    page = first
    while "@odata.nextLink" in page:
        page = graph.get(page["@odata.nextLink"]).json()
        seen += [item["id"] for item in page["value"]]
    assert sorted(seen) == sorted(str(g.pk) for g in [*pending, active])
    assert len(seen) == len(set(seen))

    only_active = graph.get(f"{URL}?$filter=status eq 'active'").json()["value"]
    assert [i["id"] for i in only_active] == [str(active.pk)]
    waiting = graph.get(f"{URL}?$filter=status eq 'approvalPending'").json()["value"]
    assert len(waiting) == 3


@pytest.mark.parametrize(
    "query",
    ["$select=id", "$orderby=id", "$count=true", "foo=bar", "$top=0", "$top=301", "$top=x"]
    + ["$filter=displayName eq 'x'", "$filter=status eq 'nonsense'", "$skiptoken=%%%", "$top=1%0A"],
)
def test_unsupported_or_bad_query_option_is_400(world, query):
    _assert_graph_error(world["graph"].get(f"{URL}?{query}"), 400, "invalidRequest")


def test_get_of_one_relationship_takes_no_query_option(world):
    gdap = f.GdapFactory(partner=world["partner"], customer=world["customer"])
    _assert_graph_error(world["graph"].get(f"{URL}/{gdap.pk}?$top=1"), 400, "invalidRequest")


@pytest.mark.parametrize(
    "body",
    [[], "x", {}, {"displayName": "x"}, {"displayName": "x" * 51, "duration": "P1D"}],
)
def test_malformed_create_body_is_400_nothing_created(world, body):
    _assert_graph_error(world["graph"].post(URL, body), 400, "invalidRequest")
    assert not GdapRelationship.objects.exists()


def test_without_a_token_401_in_graphs_body(client):
    _assert_graph_error(client.get(URL), 401, "unauthenticated")


@pytest.mark.rule("CU-7")
def test_cu7_only_the_customers_global_administrator_approves_graph_shows_no_change(world):
    """CU-7: a customer user without Global Administrator can't approve a request made through
    Graph; Graph keeps showing it approvalPending."""
    created = world["graph"].post(URL, _body(world["customer"])).json()
    gdap = GdapRelationship.objects.get(pk=created["id"])
    world["graph"].post(f"{URL}/{gdap.pk}/requests", {"action": "lockForApproval"})
    plain = f.CustomerPlainUserFactory(customer=world["customer"])
    with pytest.raises(CustomerGlobalAdminRequired):
        gdap_services.gdap_approve(actor=plain, gdap=gdap)
    assert world["graph"].get(f"{URL}/{gdap.pk}").json()["status"] == "approvalPending"
    gdap_services.gdap_approve(actor=world["admin"], gdap=gdap)
    assert world["graph"].get(f"{URL}/{gdap.pk}").json()["status"] == "active"


def test_rejected_and_expired_read_in_graphs_words(world):
    """A request the customer rejected in the portal reads `terminated` (Graph has no word for
    it), a lapsed one `expired`; `$filter=status eq 'terminated'` finds the rejected one."""
    rejected = f.GdapFactory(
        partner=world["partner"], customer=world["customer"], status=GdapStatus.REJECTED
    )
    expired = f.GdapFactory(
        partner=world["partner"], customer=world["customer"], status=GdapStatus.EXPIRED
    )
    graph = world["graph"]
    assert graph.get(f"{URL}/{rejected.pk}").json()["status"] == "terminated"
    assert graph.get(f"{URL}/{expired.pk}").json()["status"] == "expired"
    ended = graph.get(f"{URL}?$filter=status eq 'terminated'").json()["value"]
    assert [i["id"] for i in ended] == [str(rejected.pk)]


def test_graph_operations_are_in_the_openapi_document(client):
    paths = client.get("/v1/openapi.json").json()["paths"]
    assert {URL, f"{URL}/{{relationship_id}}", f"{URL}/{{relationship_id}}/requests"} <= set(paths)
    assert f"{URL}/{{relationship_id}}/accessAssignments" in paths
    assert "409" in paths[URL]["post"]["responses"]
    one = paths[f"{URL}/{{relationship_id}}"]
    assert {"get", "patch"} <= set(one) and {"409", "412"} <= set(one["patch"]["responses"])
