"""Faults: a real Celery worker killed (SIGKILL) mid-job or before it processed a message,
Redis down when a partner submits, PostgreSQL unreachable during a request.

Each worker runs as a subprocess against the TEST database on a private Redis database number
(so parallel test processes and the other suites don't share a queue)."""

import time
from datetime import timedelta

import pytest
import redis
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from core import bulk, clock
from core.models import (
    AuditEvent,
    BulkJob,
    CustomerRelationship,
    JobStatus,
    OutboundEmail,
    Outcome,
    Role,
)
from core.services import clock_advance
from core.sweep import run_sweep
from enrollment.models import IndirectResellerEnrollment, IndirectStatus
from enrollment.services.indirect import indirect_enrollment_submit
from relationships.models import RelationshipExtension
from relationships.services import extension as extension_services
from relationships.services import extension_bulk as extension_bulk_services
from tests import factories as f
from tests.locks import RowLock
from tests.workers import DEFAULT_REDIS, broker, kill, start_worker, use_broker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["broker"]  # the fixture


def sweep_until(predicate, attempts=20):
    """The periodic sweep, run until the work is done (a killed worker's database session
    may hold its row lock for a moment; skip_locked leaves it to the next sweep)."""
    for _ in range(attempts):
        run_sweep()
        if predicate():
            return True
        time.sleep(0.5)
    return False


# --- (a) a worker killed in the middle of a bulk job -----------------------------------------


def _extension_world(n):
    reseller = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=reseller)
    f.IndirectEnrollmentFactory(partner=reseller)
    provider = f.ProviderFactory()
    f.PartnershipFactory(provider=provider, reseller=reseller)
    agent = f.UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT])
    customers = []
    for i in range(n):
        customer = f.CustomerFactory(company_name=f"Bulk {i:03d}")
        f.RelationshipFactory(customer=customer, partner=reseller)
        customers.append(customer)
    return agent, provider, customers


@pytest.mark.rule("MV-2")
def test_worker_killed_mid_bulk_extension_completes_each_item_exactly_once(broker, tmp_path):
    """SIGKILL the worker while it is blocked in the second chunk of an extension job (the
    first chunk committed); the sweep (what beat runs) resumes it: one relationship, one
    extension, one result and one pair of audit events per customer."""
    n, stuck_at = bulk.CHUNK + 30, bulk.CHUNK + 10
    agent, provider, customers = _extension_world(n)
    ids = [c.pk for c in customers]
    with RowLock(ids[stuck_at]):  # the worker will block on this customer
        with transaction.atomic():
            job = extension_bulk_services.relationship_extend_bulk(
                actor=agent,
                customer_ids=ids,
                provider=provider,
                consent_given_by="Pat Customer, CIO",
                consent_given_on=clock.today(),
                consent_method="Email from the CIO",
                bill_to_sharing_confirmed=True,
            )
        worker = start_worker(broker, tmp_path)
        try:
            reached = wait_until(lambda: BulkJob.objects.get(pk=job.pk).processed >= bulk.CHUNK)
            assert reached, BulkJob.objects.get(pk=job.pk).processed
            time.sleep(0.5)
            assert BulkJob.objects.get(pk=job.pk).processed == bulk.CHUNK  # really stuck
        finally:
            kill(worker)
    job.refresh_from_db()
    assert job.status != JobStatus.DONE and job.processed == bulk.CHUNK

    assert sweep_until(lambda: BulkJob.objects.get(pk=job.pk).status == JobStatus.DONE)
    job.refresh_from_db()
    assert job.processed == job.total == n
    assert len(job.results) == n and all(r["ok"] for r in job.results.values()), job.results
    assert RelationshipExtension.objects.filter(provider=provider).count() == n
    for customer in customers:
        assert CustomerRelationship.objects.filter(customer=customer, partner=provider).count() == 1
    events = AuditEvent.objects.filter(
        operation=extension_services.OPERATION, outcome=Outcome.SUCCESS
    )
    assert events.count() == 2 * n  # the reseller's and the provider's, once per customer
    # A second sweep (or a redelivered message) changes nothing.
    run_sweep()
    assert RelationshipExtension.objects.filter(provider=provider).count() == n
    assert events.count() == 2 * n


@pytest.mark.rule("EN-4")
@pytest.mark.rule("EN-5")
def test_worker_killed_before_processing_the_approval_sweep_decides_once(broker, tmp_path):
    """The worker dies (SIGKILL) before it takes the approval message; the sweep decides the
    enrollment; a restarted worker then receives the stale message and does nothing: one
    decision, exactly one outcome email."""
    worker = start_worker(broker, tmp_path)
    time.sleep(3)
    kill(worker)
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner, status="restricted")
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    enrollment = indirect_enrollment_submit(
        actor=admin,
        partner=partner,
        legal_name=partner.legal_name,
        primary_contact_email="killed@form.example",
    )
    assert redis.Redis.from_url(broker).llen("celery") >= 1  # the doorbell waits in Redis
    clock_advance(actor=None, delta=timedelta(seconds=30))  # past the task's grace period
    assert sweep_until(
        lambda: (
            IndirectResellerEnrollment.objects.get(pk=enrollment.pk).status
            == IndirectStatus.APPROVED
        )
    )
    outcome = OutboundEmail.objects.filter(to=["killed@form.example"])
    assert outcome.count() == 1
    worker = start_worker(broker, tmp_path)  # picks up the stale message
    try:
        assert wait_until(lambda: redis.Redis.from_url(broker).llen("celery") == 0, 30)
        time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert outcome.count() == 1
    approvals = AuditEvent.objects.filter(
        object_type="IndirectResellerEnrollment",
        object_id=str(enrollment.pk),
        new_state=IndirectStatus.APPROVED,
        outcome=Outcome.SUCCESS,
    )
    assert approvals.count() == 1


# --- (b) Redis down when a partner submits ---------------------------------------------------


def _submit_with_redis_down():
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner, status="restricted")
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        started = time.monotonic()
        response = client.post(
            reverse("indirect_enroll"),
            {"legal_name": partner.legal_name, "primary_contact_email": "down@form.example"},
            follow=True,
        )
        elapsed = time.monotonic() - started
    finally:
        use_broker(DEFAULT_REDIS, eager=True)
    return partner, response, elapsed


@pytest.mark.rule("EN-4")
def test_redis_down_on_submit_saves_the_enrollment_and_the_sweep_processes_it():
    partner, response, elapsed = _submit_with_redis_down()
    assert response.status_code == 200, response.status_code
    assert elapsed < 10, f"the page took {elapsed:.1f}s with Redis down"
    enrollment = IndirectResellerEnrollment.objects.get(partner=partner)
    assert enrollment.status == IndirectStatus.SUBMITTED
    clock_advance(actor=None, delta=timedelta(seconds=30))
    run_sweep()  # Redis is back (eager again): the sweep decides it
    enrollment.refresh_from_db()
    assert enrollment.status == IndirectStatus.APPROVED
    assert OutboundEmail.objects.filter(to=["down@form.example"]).count() == 1


@pytest.mark.rule("EN-4")
def test_redis_down_on_submit_the_page_says_the_request_is_queued():
    _partner, response, _elapsed = _submit_with_redis_down()
    text = response.content.decode().lower()
    assert "queued" in text


# --- (c) PostgreSQL unreachable --------------------------------------------------------------


def test_postgres_unreachable_gives_the_503_page_and_writes_nothing():
    """A real connection failure (not a monkeypatch): the request's database connection points
    at a closed port, so psycopg itself fails to connect; the middleware answers 503."""
    user = f.UserFactory(roles=[Role.GLOBAL_ADMIN])
    f.DirectBillEnrollmentFactory(partner=user.partner)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    before = (BulkJob.objects.count(), AuditEvent.objects.count())
    conn = connections["default"]
    saved_port = conn.settings_dict["PORT"]
    conn.close()
    conn.settings_dict["PORT"] = "1"
    try:
        started = time.monotonic()
        page = client.get(reverse("customer_list"))
        post = client.post(reverse("relationship_extend_bulk"), {"customers": ["1"]})
        elapsed = time.monotonic() - started
    finally:
        conn.close()
        conn.settings_dict["PORT"] = saved_port
    for response in (page, post):
        assert response.status_code == 503
        assert b"temporarily unavailable" in response.content
        assert response["Retry-After"]
    assert elapsed < 15
    assert (BulkJob.objects.count(), AuditEvent.objects.count()) == before
    assert client.get(reverse("customer_list")).status_code == 200  # and it recovers
