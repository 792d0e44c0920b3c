"""EN-3 under a real race (two threads, two connections) and EN-4/EN-5 with a real Celery
worker on a private Redis database."""

import threading

import pytest
from django.db import connections

from core.models import EmailStatus, OutboundEmail, Role
from enrollment.models import IndirectResellerEnrollment, IndirectStatus
from enrollment.services.indirect import indirect_enrollment_submit
from tests import factories as f
from tests.workers import broker, start_worker, stop_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["broker"]  # the fixture


def _restricted_reseller_admin():
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner, status="restricted")
    return f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])


@pytest.mark.rule("EN-3")
def test_en3_two_concurrent_submits_yield_one_enrollment():
    admin = _restricted_reseller_admin()
    partner = admin.partner
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            enrollment = indirect_enrollment_submit(
                actor=admin,
                partner=partner,
                legal_name=partner.legal_name,
                primary_contact_email="race@form.example",
            )
            results.append((enrollment.pk, enrollment.created))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert len(results) == 2
    assert results[0][0] == results[1][0]
    assert sorted(created for _, created in results) == [False, True]
    assert IndirectResellerEnrollment.objects.filter(partner=partner).count() == 1


@pytest.mark.rule("EN-4")
@pytest.mark.rule("EN-5")
def test_en4_en5_a_real_worker_approves_and_emails_the_outcome(broker, tmp_path):
    worker = start_worker(broker, tmp_path, capture=True)
    try:
        admin = _restricted_reseller_admin()
        enrollment = indirect_enrollment_submit(
            actor=admin,
            partner=admin.partner,
            legal_name=admin.partner.legal_name,
            primary_contact_email="worker@form.example",
        )
        assert enrollment.status == IndirectStatus.SUBMITTED  # the page returns at once

        def outcome_sent():
            return (
                IndirectResellerEnrollment.objects.get(pk=enrollment.pk).status
                == IndirectStatus.APPROVED
                and OutboundEmail.objects.filter(
                    to=["worker@form.example"], status=EmailStatus.SENT
                ).exists()
            )

        assert wait_until(outcome_sent, timeout=30), (
            "the worker did not approve and email",
            IndirectResellerEnrollment.objects.get(pk=enrollment.pk).status,
            list(OutboundEmail.objects.values_list("to", "status")),
            worker.poll(),
        )
        assert any("approved" in p.read_text() for p in tmp_path.iterdir())
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output
