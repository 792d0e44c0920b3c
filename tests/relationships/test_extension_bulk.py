"""Bulk "Extend reseller relationships to an indirect provider" (MV-2..MV-5 per customer) and the
concurrency of the relationship extension."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from core import bulk, clock
from core.exceptions import InvalidInput, RoleRequired
from core.models import (
    BulkJob,
    CustomerRelationship,
    JobStatus,
    RelationshipKind,
    RelationshipOrigin,
    Role,
)
from relationships.exceptions import (
    ExtensionAlreadyExists,
    ExtensionConsentMissing,
    ExtensionEnrollmentRequired,
    ExtensionProviderNotAccepted,
)
from relationships.models import RelationshipExtension
from relationships.services.extension import relationship_extend
from relationships.services.extension_bulk import relationship_extend_bulk
from tests import factories as f
from tests.relationships.test_extension import World


def bulk_kwargs(w, ids, **over):
    base = {
        "actor": w.agent,
        "customer_ids": ids,
        "provider": w.provider,
        "consent_given_by": "Each customer's IT lead",
        "consent_given_on": clock.today(),
        "consent_method": "Email campaign with replies on file",
        "bill_to_sharing_confirmed": True,
    }
    return {**base, **over}


def mixed_world():
    """Direct customers (eligible), an indirect one, and one already extended."""
    w = World()
    eligible = [w.customer] + [f.CustomerFactory() for _ in range(3)]
    for c in eligible[1:]:
        f.RelationshipFactory(customer=c, partner=w.reseller)
    indirect = f.CustomerFactory(company_name="Indirect Co")
    f.RelationshipFactory(
        customer=indirect,
        partner=w.reseller,
        kind=RelationshipKind.INDIRECT_RESELLER,
        origin=RelationshipOrigin.INVITATION,
        has_admin_privileges=False,
    )
    done = f.CustomerFactory(company_name="Done Co")
    f.RelationshipFactory(customer=done, partner=w.reseller)
    relationship_extend(**w.kwargs(customer=done))
    return w, eligible, indirect, done


@pytest.mark.django_db
@pytest.mark.rule("MV-2")
@pytest.mark.rule("MV-3")
@pytest.mark.rule("MV-4")
def test_bulk_job_mixes_established_refused_and_already_and_rerun_is_safe(
    django_capture_on_commit_callbacks,
):
    """A bulk job over eligible, indirect and already-extended customers: a result for each;
    running it again (same job, or a new job) changes nothing and says "Already established"."""
    w, eligible, indirect, done = mixed_world()
    ids = [c.pk for c in eligible] + [indirect.pk, done.pk]
    with django_capture_on_commit_callbacks(execute=True):
        job = relationship_extend_bulk(**bulk_kwargs(w, ids))
    job.refresh_from_db()
    assert job.kind == "relationships.extend" and job.total == 6
    assert job.status == JobStatus.DONE and job.processed == 6 and job.percent == 100
    for c in eligible:
        result = job.results[str(c.pk)]
        assert result["ok"] is True and result["message"].startswith("Established")
        rel = CustomerRelationship.objects.get(customer=c, partner=w.provider)
        assert rel.has_admin_privileges is False and rel.bill_to_copy == c.bill_to()
    assert job.results[str(indirect.pk)] == {
        "ok": False,
        "message": job.results[str(indirect.pk)]["message"],
        "code": "extension_customer_not_direct",
    }
    assert "not one of your direct-bill customers" in job.results[str(indirect.pk)]["message"]
    assert job.results[str(done.pk)] == {"ok": True, "message": "Already established"}
    count = RelationshipExtension.objects.count()
    assert count == 5
    # Rerun the same job: nothing more happens.
    bulk.run(job.pk)
    # A second job over the same customers: every eligible one is already established.
    with django_capture_on_commit_callbacks(execute=True):
        again = relationship_extend_bulk(**bulk_kwargs(w, ids))
    again.refresh_from_db()
    assert RelationshipExtension.objects.count() == count
    assert CustomerRelationship.objects.filter(partner=w.provider).count() == 5
    for c in [*eligible, done]:
        assert again.results[str(c.pk)] == {"ok": True, "message": "Already established"}
    assert again.results[str(indirect.pk)]["ok"] is False
    labels = bulk.item_labels(again)
    assert labels[str(indirect.pk)] == "Indirect Co"


@pytest.mark.django_db
@pytest.mark.rule("MV-2")
@pytest.mark.rule("MV-3")
@pytest.mark.rule("AC-1")
def test_bulk_start_refusals_start_nothing():
    w, eligible, _, _ = mixed_world()
    ids = [c.pk for c in eligible]
    sales = f.UserFactory(partner=w.reseller, roles=[Role.SALES_AGENT])
    cases = [
        (RoleRequired, {"actor": sales}),
        (ExtensionConsentMissing, {"consent_method": ""}),
        (ExtensionProviderNotAccepted, {"provider": f.ProviderFactory()}),
        (InvalidInput, {"customer_ids": [f.CustomerFactory().pk]}),  # AC-2: not its customer
        (InvalidInput, {"customer_ids": ["x"]}),
    ]
    for exc, over in cases:
        with pytest.raises(exc):
            relationship_extend_bulk(**bulk_kwargs(w, ids, **over))
    from enrollment.models import IndirectResellerEnrollment

    IndirectResellerEnrollment.objects.filter(partner=w.reseller).delete()
    with pytest.raises(ExtensionEnrollmentRequired):
        relationship_extend_bulk(**bulk_kwargs(w, ids))
    assert not BulkJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.rule("MV-2")
def test_bulk_job_handles_hundreds_of_customers(django_capture_on_commit_callbacks):
    """Hundreds of customers: one job, every customer extended, constant work per customer."""
    w = World()
    customers = f.CustomerFactory.create_batch(250)
    CustomerRelationship.objects.bulk_create(
        [
            CustomerRelationship(
                customer=c,
                partner=w.reseller,
                kind="direct",
                origin="created",
                has_admin_privileges=True,
                established_at=clock.now(),
            )
            for c in customers
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = relationship_extend_bulk(**bulk_kwargs(w, [c.pk for c in customers]))
    job.refresh_from_db()
    assert job.processed == job.total == 250 and job.status == JobStatus.DONE
    assert all(r["ok"] for r in job.results.values())
    assert CustomerRelationship.objects.filter(partner=w.provider).count() == 250


# --- pages ------------------------------------------------------------------------------------


def bulk_form(w, **over):
    data = {
        "scope": "selected",
        "provider": w.provider.pk,
        "consent_given_by": "Each customer's IT lead",
        "consent_given_on": clock.today().isoformat(),
        "consent_method": "Email campaign",
        "bill_to_sharing_confirmed": "on",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
@pytest.mark.rule("MV-2")
def test_bulk_page_starts_job_and_shows_each_customers_result(
    client, django_capture_on_commit_callbacks
):
    w, eligible, indirect, done = mixed_world()
    client.force_login(w.agent)
    url = reverse("relationship_extend_bulk")
    preselect = "&".join(f"customers={c.pk}" for c in [eligible[0], indirect])
    html = client.get(f"{url}?{preselect}&customers=abc").content.decode()
    assert "The provider gets no admin privileges" in html
    assert f'value="{indirect.pk}" id="cust-{indirect.pk}" checked' in html
    data = bulk_form(w, customers=[c.pk for c in eligible] + [indirect.pk, done.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    job = BulkJob.objects.get(kind="relationships.extend")
    assert response.status_code == 302 and response.url == reverse("bulk_job", args=[job.pk])
    html = client.get(response.url).content.decode()
    assert 'aria-valuenow="100"' in html
    assert "Indirect Co" in html and "Refused" in html and "Already established" in html
    assert html.count("Established: ") == len(eligible)


@pytest.mark.django_db
def test_customers_list_selection_opens_bulk_page_preselected(client):
    """The customers list posts its selected "customer_ids" here: the page opens with them
    checked and starts nothing."""
    w, eligible, indirect, _ = mixed_world()
    client.force_login(w.agent)
    response = client.post(
        reverse("relationship_extend_bulk"),
        {"customer_ids": [eligible[1].pk, indirect.pk, "junk"]},
    )
    html = response.content.decode()
    assert response.status_code == 200 and not BulkJob.objects.exists()
    assert f'value="{eligible[1].pk}" id="cust-{eligible[1].pk}" checked' in html
    assert f'value="{indirect.pk}" id="cust-{indirect.pk}" checked' in html
    assert f'value="{eligible[2].pk}" id="cust-{eligible[2].pk}">' in html


@pytest.mark.django_db
def test_bulk_page_scope_all_takes_every_direct_customer(client):
    w, eligible, indirect, done = mixed_world()
    client.force_login(w.agent)
    client.post(reverse("relationship_extend_bulk"), bulk_form(w, scope="all"))
    job = BulkJob.objects.get()
    assert set(job.items.values_list("item", flat=True)) == {str(c.pk) for c in [*eligible, done]}


@pytest.mark.django_db
@pytest.mark.rule("AC-1")
@pytest.mark.rule("AC-2")
@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"customers": None}, "Select at least one customer"),
        ({"customers": ["abc"]}, "The customer selection is not valid"),
        ({"customers": ["999999"]}, "is not one of your customers"),
        ({"bill_to_sharing_confirmed": None, "customers": ["CUST"]}, "Confirm that you consent"),
        ({"consent_given_on": "2999-01-01", "customers": ["CUST"]}, "in the future"),
        ({"provider": "123456", "customers": ["CUST"]}, "Choose one of the providers"),
    ],
)
def test_bulk_page_refusals_start_no_job(client, over, message):
    w = World()
    client.force_login(w.agent)
    if over.get("customers") == ["CUST"]:
        over["customers"] = [w.customer.pk]
    response = client.post(reverse("relationship_extend_bulk"), bulk_form(w, **over))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not BulkJob.objects.exists()


@pytest.mark.django_db
def test_bulk_page_role_and_other_partner_customers(client):
    w = World()
    client.force_login(f.UserFactory(partner=w.reseller, roles=[Role.SALES_AGENT]))
    assert client.get(reverse("relationship_extend_bulk")).status_code == 403
    stranger = f.CustomerFactory()
    f.RelationshipFactory(customer=stranger)
    client.force_login(w.agent)
    response = client.post(
        reverse("relationship_extend_bulk"), bulk_form(w, customers=[stranger.pk])
    )
    assert response.status_code == 200 and not BulkJob.objects.exists()


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.rule("MV-2")
def test_two_concurrent_extensions_of_one_customer_make_one_relationship():
    """Two Admin agents extend the same customer to the same provider at the same moment, on
    separate connections: one relationship, the other is told it already exists."""
    w = World()
    second_agent = f.UserFactory(partner=w.reseller, roles=[Role.ADMIN_AGENT])
    barrier = threading.Barrier(2)
    outcomes = []

    def run(agent):
        try:
            barrier.wait(timeout=10)
            relationship_extend(**w.kwargs(actor=agent))
            outcomes.append("ok")
        except ExtensionAlreadyExists as error:
            outcomes.append(error.code)
        except Exception as error:  # pragma: no cover - reported by the assertion
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in (w.agent, second_agent)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["extension_already_exists", "ok"]
    assert RelationshipExtension.objects.count() == 1
    assert CustomerRelationship.objects.filter(partner=w.provider).count() == 1


@pytest.mark.django_db
@pytest.mark.rule("MV-2")
@pytest.mark.rule("MCA-3")
def test_extend_many_tells_the_provider_once_and_audits_each_refusal():
    """The set-based extension behind the bulk job: one notification and one email to the
    provider for the whole set (with how many need the MCA attested); a refused event per
    refused customer; the refused customer changes nothing."""
    from core.models import AuditEvent, Notification, OutboundEmail
    from customers.models import McaMethod
    from relationships.services.extension import relationship_extend_many

    w, eligible, indirect, done = mixed_world()
    f.McaAcceptanceFactory(customer=eligible[0], method=McaMethod.ADMIN_CENTER)
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()
    kwargs = bulk_kwargs(w, [c.pk for c in eligible] + [indirect.pk, done.pk])
    outcomes = relationship_extend_many(**kwargs)
    assert all(isinstance(outcomes[c.pk], RelationshipExtension) for c in eligible)
    assert outcomes[eligible[0].pk].mca_valid_for_provider is True
    assert outcomes[eligible[1].pk].mca_valid_for_provider is False
    assert isinstance(outcomes[done.pk], ExtensionAlreadyExists)
    assert outcomes[indirect.pk].code == "extension_customer_not_direct"
    assert not CustomerRelationship.objects.filter(customer=indirect, partner=w.provider).exists()
    note = Notification.objects.get(user=w.provider_admin)
    assert note.subject == "Contoso Test extended 4 customer relationships to you"
    assert "The MCA is not valid for you for 3 of them" in note.body
    assert w.provider_admin.email in OutboundEmail.objects.get().to  # one email for the set
    refused = AuditEvent.objects.filter(operation="relationship.extend", outcome="refused")
    assert set(refused.values_list("customer_id", flat=True)) == {indirect.pk, done.pk}
