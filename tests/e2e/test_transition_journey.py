"""The demo world's whole transition, end to end: restrict → enroll → accept agreement → accept
Fabrikam's invitation → extend all customers → migrate legacy subscriptions → fix MCA → bulk
transfer requests by Fabrikam → Contoso submits them → everything complete → close direct-bill →
Contoso Cloud is an indirect reseller whose customers are billed by Fabrikam.

The steps owned by the transfers feature (bulk request, bulk submit, Transition page, close) are
driven through the browser; the earlier steps, owned by other features, are set up through their
services (the same functions their pages call).
"""

import re

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _prepare_transition(world, checkpoint):
    """Steps 1–7 through the other features' services; `checkpoint(step)` after each of the
    steps the Transition page counts."""
    from customers.mca import mca_valid_for
    from customers.models import LEGACY_TYPES, Subscription
    from customers.services import mca_attest, subscription_migrate_to_new_commerce
    from enrollment import services as enrollment
    from enrollment.models import IndirectStatus
    from partnerportal import clock
    from partnerportal.models import User
    from relationships import links
    from relationships.services.extension import relationship_extend
    from relationships.services.partnerships import partnership_accept, partnership_invite

    contoso, fabrikam = world.contoso, world.fabrikam
    grace = User.objects.get(email="globaladmin@contoso.example")
    adam = User.objects.get(email="agent@contoso.example")
    fiona = User.objects.get(email="admin@fabrikam.example")
    staff = User.objects.get(email="support@portal.example")

    sandbox = enrollment.sandbox_create(actor=grace, partner=contoso)  # TX-2 checks it's gone
    enrollment.direct_bill_restrict(actor=staff, partner=contoso, reason="Moving to indirect")
    submitted = enrollment.indirect_enrollment_submit(
        actor=grace,
        partner=contoso,
        legal_name="Contoso Cloud",
        primary_contact_email="globaladmin@contoso.example",
    )
    submitted.refresh_from_db()
    if submitted.status in (IndirectStatus.SUBMITTED, IndirectStatus.UNDER_REVIEW):
        enrollment.indirect_enrollment_approve(actor=staff, enrollment_id=submitted.pk)
    enrollment.indirect_agreement_accept(actor=grace, partner=contoso)

    invitation = partnership_invite(actor=fiona, partner_id=contoso.partner_id)
    partnership_accept(actor=grace, token=links.make_token(links.PARTNERSHIP, invitation.pk))

    for customer in world.customers:
        relationship_extend(
            actor=adam,
            customer=customer,
            provider=fabrikam,
            consent_given_by=f"{customer.company_name} CIO",
            consent_given_on=clock.today(),
            consent_method="Signed consent email",
            bill_to_sharing_confirmed=True,
        )
    checkpoint("extended")
    for sub in Subscription.objects.filter(
        billing_partner=contoso, product_type__in=LEGACY_TYPES, status="active"
    ):
        subscription_migrate_to_new_commerce(actor=grace, subscription=sub)
    checkpoint("migrated")
    for customer in world.customers:
        if not mca_valid_for(customer, fabrikam):
            mca_attest(
                actor=fiona,
                customer=customer,
                signatory_name=f"{customer.company_name} CIO",
                signatory_email=customer.email,
                accepted_on=clock.today(),
            )
    checkpoint("mca")
    return sandbox


def test_demo_world_transition_journey(page, sign_in, demo_world):
    from customers.models import Subscription
    from enrollment.capabilities import direct_bill_status, is_indirect_reseller
    from transfers.models import TransferRequest

    world = demo_world
    count = len(world.customers)

    # The Transition page reflects each step the other features' services take.
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role("link", name="Transition").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Transition")
    expect(page.get_by_role("progressbar", name="With an indirect provider")).to_have_attribute(
        "aria-valuenow", "0"
    )
    bars = {
        "extended": "With an indirect provider",
        "migrated": "No legacy subscription left",
        "mca": "MCA valid for the provider",
    }

    def checkpoint(step):
        page.goto("/transition/")
        expect(page.get_by_role("progressbar", name=bars[step])).to_have_attribute(
            "aria-valuenow", "100"
        )

    sandbox = _prepare_transition(world, checkpoint)

    # Every customer is now ready for transfer.
    page.goto("/transition/")
    page.get_by_label("Show").select_option("ready")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("readiness").locator("tbody tr")).to_have_count(count)
    expect(page.get_by_test_id("blocking")).to_contain_text("direct-bill subscription(s) are left")

    # Fabrikam requests transfers for all of Contoso's ready customers in one action.
    sign_in("admin@fabrikam.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role("link", name="Transfers").click()
    page.get_by_role("link", name="Request transfers for a reseller's customers").click()
    page.get_by_role("button", name=f"Request {count} transfer(s) from Contoso Cloud").click()
    expect(page.get_by_test_id("job-progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_text(f"{count} of {count} processed")).to_be_visible()
    expect(page.locator(".pill-refused")).to_have_count(0)
    assert TransferRequest.objects.filter(status="pending").count() == count

    # Contoso (Admin agent) reviews and submits all pending requests in one action.
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.goto("/transition/")
    expect(page.get_by_test_id("submit-all-link").locator("xpath=..")).to_contain_text(
        f"{count} pending"
    )
    page.get_by_test_id("submit-all-link").click()
    page.get_by_role("button", name=f"Submit all {count} request(s)").click()
    expect(page.get_by_text(f"{count} of {count} processed")).to_be_visible()
    expect(page.locator(".pill-refused")).to_have_count(0)

    # Everything is complete: the Transfers list and the Transition page say so.
    page.goto("/transfers/?status=complete")
    expect(page.get_by_test_id("transfers").locator("tbody tr")).to_have_count(count)
    page.goto("/transition/?filter=done")
    expect(page.get_by_test_id("readiness").locator("tbody tr")).to_have_count(count)
    expect(page.get_by_role("progressbar", name="All subscriptions transferred")).to_have_attribute(
        "aria-valuenow", "100"
    )
    expect(page.get_by_test_id("close-card")).to_contain_text("A Global admin can close")

    # The Global admin closes the direct-bill enrollment.
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto("/transition/")
    page.get_by_role("button", name="Close direct-bill enrollment").click()
    expect(page.get_by_role("status")).to_contain_text("direct-bill enrollment is closed")
    expect(page.get_by_test_id("direct-bill-status")).to_have_text(re.compile("Closed"))

    # Contoso Cloud is an indirect reseller whose customers are billed by Fabrikam.
    assert direct_bill_status(world.contoso) == "closed"
    assert is_indirect_reseller(world.contoso)
    live = Subscription.objects.filter(
        customer__in=world.customers, status__in=["active", "suspended"]
    )
    assert not live.filter(billing_partner=world.contoso).exists()
    assert live.count() >= 2 * count  # Business Premium and an Azure plan each, at least
    assert all(
        s.billing_partner_id == world.fabrikam.pk and s.partner_of_record_id == world.contoso.pk
        for s in live
    )
    sandbox.refresh_from_db()
    assert sandbox.deleted_at is not None  # TX-2
