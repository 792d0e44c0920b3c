"""AC-5 with AC-1: support staff change a partner user's roles and activation in the admin
through the same services (audited, the last Global admin kept)."""

import pytest

from core.models import AuditEvent, Outcome, Role
from tests import factories as f
from tests.core.test_admin_rules import change_url, posted_back

pytestmark = pytest.mark.django_db


@pytest.mark.rule("AC-5")
@pytest.mark.rule("AC-1")
def test_ac5_staff_change_roles_through_the_service(client, staff, org):
    client.force_login(staff)
    form = client.get(change_url(org["sales"]))
    response = client.post(
        change_url(org["sales"]), posted_back(form, roles="admin_agent,billing_admin")
    )
    assert response.status_code == 302
    org["sales"].refresh_from_db()
    assert org["sales"].roles == [Role.ADMIN_AGENT, Role.BILLING_ADMIN]
    event = AuditEvent.objects.get(operation="partner_user.change_roles")
    assert (event.actor, event.outcome, event.partner) == (staff, Outcome.SUCCESS, org["partner"])


@pytest.mark.rule("AC-5")
@pytest.mark.rule("AC-1")
def test_ac5_staff_cannot_take_the_last_global_admin_away(client, staff, org):
    client.force_login(staff)
    ga = org["ga"]
    form = client.get(change_url(ga))
    data = posted_back(form, roles="sales_agent")
    data.pop("is_active", None)  # unticked: deactivate too
    response = client.post(change_url(ga), data, follow=True)
    assert b"at least one active Global admin" in response.content
    ga.refresh_from_db()
    assert ga.roles == [Role.GLOBAL_ADMIN] and ga.is_active
    refused = AuditEvent.objects.filter(outcome=Outcome.REFUSED).values_list("operation", flat=True)
    assert list(refused) == ["partner_user.change_roles"]


@pytest.mark.rule("AC-5")
def test_ac5_admin_actions_deactivate_and_reactivate(client, staff, org):
    client.force_login(staff)
    url = "/admin/partnerportal/user/"
    agent = org["agent"]
    client.post(url, {"action": "deactivate_users", "_selected_action": [agent.pk]})
    agent.refresh_from_db()
    assert not agent.is_active
    client.post(url, {"action": "reactivate_users", "_selected_action": [agent.pk]})
    agent.refresh_from_db()
    assert agent.is_active
    ops = AuditEvent.objects.filter(outcome=Outcome.SUCCESS, operation__startswith="partner_user.")
    assert sorted(ops.values_list("operation", flat=True)) == [
        "partner_user.deactivate",
        "partner_user.reactivate",
    ]
    response = client.post(
        url, {"action": "deactivate_users", "_selected_action": [org["ga"].pk]}, follow=True
    )
    assert b"last active Global admin" in response.content
    assert f.UserFactory._meta.model.objects.get(pk=org["ga"].pk).is_active
