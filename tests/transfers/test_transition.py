"""The Transition page (MCA-1, TR-2), the bulk actions, and closing direct-bill (TX-1, TX-2)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import bulk, clock
from core.models import AuditEvent, BulkJob, Role
from customers.models import McaAcceptance, McaMethod, ProductType, Subscription
from enrollment import closing
from enrollment.models import DirectBillEnrollment, Sandbox
from enrollment.services.direct_bill import direct_bill_close
from tests import factories as f
from transfers import jobs, readiness
from transfers.exceptions import NothingToDo
from transfers.models import TransferRequest

from .conftest import direct_customer, link_provider


@pytest.fixture
def world(db):
    """A transitioning reseller with customers in each state of the checklist."""
    reseller = f.PartnerFactory(legal_name="Reseller Co")
    f.DirectBillEnrollmentFactory(partner=reseller)
    provider = f.ProviderFactory(legal_name="Provider Co")
    no_provider = direct_customer(reseller, company_name="A No Provider")
    attested = direct_customer(reseller, provider, mca=False, company_name="B Attested By Reseller")
    f.McaAcceptanceFactory(customer=attested, method=McaMethod.ATTESTATION, partner=reseller)
    legacy = direct_customer(reseller, provider, company_name="C Legacy")
    ready = direct_customer(reseller, provider, company_name="D Ready")
    done = direct_customer(reseller, provider, company_name="E Done")
    for customer in (no_provider, attested, legacy, ready):
        f.SubscriptionFactory(customer=customer, billing_partner=reseller)
    f.SubscriptionFactory(
        customer=legacy, billing_partner=reseller, product_type=ProductType.LEGACY_LICENSE
    )
    f.SubscriptionFactory(customer=done, billing_partner=provider, partner_of_record=reseller)
    return {
        "reseller": reseller,
        "provider": provider,
        "global": f.UserFactory(partner=reseller, roles=[Role.GLOBAL_ADMIN]),
        "agent": f.UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]),
        "provider_agent": f.UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]),
        "customers": [no_provider, attested, legacy, ready, done],
    }


@pytest.mark.rule("MCA-1")
@pytest.mark.rule("TR-2")
def test_mca1_tr2_checklist_per_customer(world):
    rows = {c.company_name: c for c in readiness.readiness(world["reseller"])}
    assert rows["A No Provider"].provider_id is None
    assert rows["B Attested By Reseller"].provider_name == "Provider Co"
    assert rows["B Attested By Reseller"].mca_valid is False  # MCA-3: not for the provider
    assert rows["C Legacy"].legacy_left == 1 and rows["C Legacy"].direct_left == 2
    assert rows["D Ready"].mca_valid and rows["D Ready"].direct_left == 1
    assert rows["E Done"].direct_left == 0
    totals = readiness.totals(world["reseller"])
    assert totals == {
        "customers": 5,
        "with_provider": 4,
        "mca_ok": 3,
        "no_legacy": 4,
        "transferred": 1,
        "ready": 1,
        "with_open_transfers": 0,
        "done": 1,
        "subscriptions_left": 5,
    }


@pytest.mark.rule("MCA-1")
@pytest.mark.parametrize(
    "key,expected",
    [
        ("missing_provider", ["A No Provider"]),
        ("mca_missing", ["B Attested By Reseller"]),
        ("has_legacy", ["C Legacy"]),
        ("ready", ["D Ready"]),
        ("done", ["E Done"]),
    ],
)
def test_mca1_transition_page_filters(client, world, key, expected):
    client.force_login(world["agent"])
    response = client.get(reverse("transition") + f"?filter={key}")
    assert response.status_code == 200
    names = [c.company_name for c in response.context["page"].object_list]
    assert names == expected


def test_transition_page_shows_links_and_totals(client, world):
    client.force_login(world["agent"])
    html = client.get(reverse("transition")).content.decode()
    assert "Direct-bill customers" in html and "Provider Co serves 4" in html
    no_provider = world["customers"][0]
    assert reverse("relationship_extend", args=[no_provider.pk]) in html
    assert "Submit all pending transfer requests" in html
    assert client.get(reverse("transition") + "?filter=bogus&page=zz").status_code == 200


def test_transition_page_is_for_direct_bill_partners(client, world):
    client.force_login(world["provider_agent"])
    assert client.get(reverse("transition")).status_code == 404
    nav = [i.label for i in client.get(reverse("transfer_list")).context["nav_items"]]
    assert "Transfers" in nav and "Transition" not in nav
    client.force_login(world["agent"])
    nav = [i.label for i in client.get(reverse("transfer_list")).context["nav_items"]]
    assert "Transition" in nav


@pytest.mark.rule("TR-2")
def test_tr2_transition_page_queries_do_not_grow_with_customers(client, db):
    """Constant number of queries per page: 10 customers vs 200 (four pages' worth)."""
    from demo import world as demo

    w = demo.build(customers=10)
    provider = w.fabrikam
    for customer in w.customers[:5]:
        link_provider(customer, provider, w.contoso)
    user = f.UserFactory(partner=w.contoso, roles=[Role.GLOBAL_ADMIN])
    client.force_login(user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("transition")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    w = demo.build(customers=200)
    for customer in w.customers[100:150]:
        link_provider(customer, provider, w.contoso)
    assert count() == small
    page = client.get(reverse("transition") + "?page=4")
    assert len(page.context["page"].object_list) == 50


@pytest.mark.rule("TR-2")
def test_tr2_bulk_request_and_bulk_submit_are_rerun_safe(client, world):
    reseller, provider = world["reseller"], world["provider"]
    client.force_login(world["provider_agent"])
    page = client.get(reverse("transfer_bulk_request"))
    assert "Request 4 transfer(s) from Reseller Co" in page.content.decode()
    response = client.post(reverse("transfer_bulk_request"), {"reseller": reseller.pk})
    job = bulk.run(response.url.rstrip("/").split("/")[-1])
    assert TransferRequest.objects.filter(status="pending").count() == 4
    assert all(r["ok"] for r in job.results.values())
    bulk.run(job.pk)  # rerun: nothing new
    assert TransferRequest.objects.count() == 4
    with pytest.raises(NothingToDo, match="None of Reseller Co's customers is ready"):
        jobs.start_request_all(actor=world["provider_agent"], reseller=reseller)
    jobs_before = BulkJob.objects.count()
    response = client.post(
        reverse("transfer_bulk_request"), {"reseller": reseller.pk}, follow=True
    )  # the refusal is shown on the page the redirect leads back to (refusals.refuse)
    assert response.redirect_chain == [(reverse("transfer_bulk_request"), 302)]
    assert response.status_code == 200 and b"is ready for a transfer request" in response.content
    assert BulkJob.objects.count() == jobs_before  # everyone already requested: no empty job
    assert client.post(reverse("transfer_bulk_request"), {"reseller": "x"}).status_code == 200

    client.force_login(world["agent"])
    html = client.get(reverse("transition")).content.decode()
    assert "4 pending" in html
    response = client.post(reverse("transfer_bulk_submit"))
    job = bulk.run(int(response.url.rstrip("/").split("/")[-1]))
    by_customer = {
        TransferRequest.objects.get(pk=int(k)).customer.company_name: v
        for k, v in job.results.items()
    }
    assert by_customer["B Attested By Reseller"]["code"] == "mca_not_valid_for_target"  # MCA-4
    assert by_customer["D Ready"]["ok"] and by_customer["C Legacy"]["ok"]  # legacy stays
    assert by_customer["E Done"]["code"] == "nothing_to_transfer"
    assert (
        Subscription.objects.filter(
            billing_partner=provider, partner_of_record=reseller, status="active"
        ).count()
        == 3
    )  # "E Done" had one already; D and C's new commerce one moved
    bulk.run(job.pk)
    assert Subscription.objects.filter(billing_partner=provider).count() == 3
    idle = f.UserFactory(partner=f.PartnerFactory(), roles=[Role.ADMIN_AGENT])
    with pytest.raises(NothingToDo, match="no pending transfer requests"):
        jobs.start_submit_all(actor=idle)


def test_bulk_pages_roles(client, world):
    client.force_login(world["agent"])
    assert client.get(reverse("transfer_bulk_request")).status_code == 403  # not a provider
    sales = f.UserFactory(partner=world["reseller"], roles=[Role.SALES_AGENT])
    client.force_login(sales)
    assert client.post(reverse("transfer_bulk_submit")).status_code == 403


# --- TX-1 / TX-2 -------------------------------------------------------------------------------


def _finish(world):
    """Make every customer ready and move every direct-bill subscription."""
    reseller, provider = world["reseller"], world["provider"]
    link_provider(world["customers"][0], provider, reseller)
    McaAcceptance.objects.create(
        customer=world["customers"][1],
        method=McaMethod.ATTESTATION,
        partner=provider,
        signatory_name="x",
        signatory_email="x@example.com",
        accepted_on=clock.today(),
        recorded_at=clock.now(),
    )
    Subscription.objects.filter(billing_partner=reseller).update(status="deleted")


@pytest.mark.rule("TX-1")
def test_tx1_closing_check_lists_what_is_left(world):
    reasons = closing.blocking_reasons(world["reseller"])
    assert any("no relationship with an indirect provider" in r for r in reasons)
    assert any("Customer Agreement" in r for r in reasons)
    assert any("direct-bill subscription(s) are left" in r for r in reasons)
    _finish(world)
    assert readiness.blocking_reasons(world["reseller"]) == []


@pytest.mark.rule("TX-1")
def test_tx1_close_refused_while_anything_is_left_then_allowed(client, world):
    client.force_login(world["global"])
    html = client.get(reverse("transition")).content.decode()
    assert "Close direct-bill enrollment" not in html and "no relationship" in html
    assert 'class="why-link" href="/help/rules/#TX-1"' in html  # each reason has its Why?
    response = client.post(reverse("transition_close"), {"reason": "done"}, follow=True)
    assert "be closed yet" in response.content.decode()
    assert DirectBillEnrollment.objects.get(partner=world["reseller"]).status == "active"
    _finish(world)
    html = client.get(reverse("transition")).content.decode()
    assert "Close direct-bill enrollment" in html
    client.post(reverse("transition_close"), {"reason": "Transition complete"})
    assert DirectBillEnrollment.objects.get(partner=world["reseller"]).status == "closed"


@pytest.mark.rule("TX-1")
def test_tx1_only_a_global_admin_closes(client, world):
    _finish(world)
    client.force_login(world["agent"])
    assert client.post(reverse("transition_close"), {"reason": "x"}).status_code == 403
    assert DirectBillEnrollment.objects.get(partner=world["reseller"]).status == "active"


@pytest.mark.rule("TX-2")
def test_tx2_sandbox_is_gone_after_close(world):
    reseller = world["reseller"]
    sandbox = Sandbox.objects.create(
        partner=reseller, name="sbx", created_by=world["global"], created_at=clock.now()
    )
    _finish(world)
    # Refused close: the sandbox stays.
    f.SubscriptionFactory(customer=world["customers"][3], billing_partner=reseller)
    with pytest.raises(Exception, match="can't be closed"):
        direct_bill_close(actor=world["global"], partner=reseller, reason="x")
    sandbox.refresh_from_db()
    assert sandbox.deleted_at is None
    Subscription.objects.filter(billing_partner=reseller).update(status="deleted")
    direct_bill_close(actor=world["global"], partner=reseller, reason="Complete")
    sandbox.refresh_from_db()
    assert sandbox.deleted_at is not None
    assert AuditEvent.objects.filter(operation="sandbox.delete", partner=reseller).exists()


@pytest.mark.rule("TX-2")
def test_tx2_sweep_removes_a_sandbox_left_after_close(world):
    from transfers.tasks import remove_sandboxes_of_closed_partners

    reseller = world["reseller"]
    sandbox = Sandbox.objects.create(
        partner=reseller, name="sbx", created_by=world["global"], created_at=clock.now()
    )
    assert remove_sandboxes_of_closed_partners(clock.now()) == 0
    DirectBillEnrollment.objects.filter(partner=reseller).update(status="closed")
    assert remove_sandboxes_of_closed_partners(clock.now()) == 1
    sandbox.refresh_from_db()
    assert sandbox.deleted_at is not None
    assert remove_sandboxes_of_closed_partners(clock.now()) == 0


@pytest.mark.rule("TX-1")
@pytest.mark.rule("TR-5")
def test_tx1_trials_do_not_block_closing_and_end_with_it(world):
    """A trial can't transfer (TR-5): it doesn't block TX-1 and ends when direct-bill closes."""
    reseller = world["reseller"]
    _finish(world)
    trial = f.SubscriptionFactory(
        customer=world["customers"][3], billing_partner=reseller, is_trial=True
    )
    row = readiness.readiness(reseller).get(pk=world["customers"][3].pk)
    assert row.trials_left == 1 and row.direct_left == 0
    assert closing.blocking_reasons(reseller) == []
    direct_bill_close(actor=world["global"], partner=reseller, reason="Complete")
    trial.refresh_from_db()
    assert trial.status == "expired" and trial.ended_at
