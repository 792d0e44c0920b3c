"""Refusals that teach, on the enrollment pages: a refusal reads as a plain sentence with a
Why? link to its rule on the Program rules page; the sandbox box and its button follow the
same check as the sandbox service; the enrollment refusal is said once."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from enrollment.models import Sandbox
from tests import factories as f

pytestmark = pytest.mark.django_db

WHY_DB2 = '<a class="why-link" href="/help/rules/#DB-2"'


@pytest.mark.rule("DB-2")
def test_db2_refusal_on_a_page_shows_the_sentence_and_a_why_link_to_db2(
    client, direct_partner, restricted_partner, agent
):
    client.force_login(agent(restricted_partner))
    response = client.post(reverse("sandbox_create"), follow=True)
    page = response.content.decode()
    assert (
        "You can&#x27;t create a sandbox: your direct-bill account is restricted. You can still "
        "manage existing direct customers&#x27; subscriptions and billing. " + WHY_DB2
    ) in page
    assert "(DB-2)" not in page
    assert not Sandbox.objects.filter(partner=restricted_partner).exists()  # nothing changed
    assert AuditEvent.objects.filter(operation="sandbox.create", outcome="refused").exists()
    rules = client.get("/help/rules/").content.decode()
    assert 'id="DB-2"' in rules and "A restricted account keeps what it has" in rules

    client.force_login(agent(direct_partner))  # the allowed path: no refusal, no Why? link
    page = client.post(reverse("sandbox_create"), follow=True).content.decode()
    assert "integration sandbox" in page and "message-error" not in page
    assert "/help/rules/#DB-2" not in page
    assert Sandbox.objects.filter(partner=direct_partner).count() == 1


@pytest.mark.rule("DB-2")
@pytest.mark.rule("TX-2")
def test_db2_sandbox_box_text_and_button_follow_the_service_check(
    client, direct_partner, restricted_partner, agent, make_user
):
    """Active: no "restricted" text, the button is there. Restricted: the DB-2 refusal and no
    button. No direct-bill at all: the TX-2 refusal and no button."""
    client.force_login(agent(direct_partner))
    page = client.get(reverse("account_programs")).content.decode()
    assert "Create sandbox" in page and "restricted" not in page.lower()
    assert 'data-testid="sandbox-refusal"' not in page

    client.force_login(agent(restricted_partner))
    page = client.get(reverse("account_programs")).content.decode()
    assert 'data-testid="sandbox-refusal"' in page and WHY_DB2 in page
    assert "Create sandbox" not in page

    client.force_login(make_user(direct_partner, "sales_agent"))
    page = client.get(reverse("account_programs")).content.decode()
    assert "Create sandbox" not in page  # a role that can't create is not offered the button
    assert "A Global admin or an Admin agent of your organisation can create it." in page


@pytest.mark.rule("DB-3")
def test_db3_enrollment_refusal_is_said_once_with_its_why_link(
    client, direct_partner, global_admin
):
    direct_partner.profile_confirmed_on = None
    direct_partner.save(update_fields=["profile_confirmed_on"])
    client.force_login(global_admin(direct_partner))
    response = client.post(
        reverse("indirect_enroll"),
        {"legal_name": direct_partner.legal_name, "primary_contact_email": "gc@example.com"},
        follow=True,
    )
    page = response.content.decode()
    sentence = "Your direct-bill account is Active, so this tenant can&#x27;t enroll"
    assert page.count(sentence) == 1
    assert '<a class="why-link" href="/help/rules/#DB-3"' in page
    assert '<a class="why-link" href="/help/rules/#EN-2"' in page  # the profile refusal too
    assert not direct_partner.indirect_enrollments.exists()


@pytest.mark.rule("DB-2")
def test_db2_form_refusal_above_a_form_carries_its_why_link(client, restricted_partner, agent):
    """A refusal added to a form (the customer page's purchase form) shows with its link."""
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=restricted_partner)
    client.force_login(agent(restricted_partner))
    url = reverse("customer_purchase", args=[customer.pk])
    page = client.post(url, {"offer_id": "CFQ7TTC0LH18:0001", "quantity": 1}).content.decode()
    assert "You can&#x27;t purchase new products or add-ons" in page
    assert WHY_DB2 in page
    assert not customer.subscriptions.exists()
