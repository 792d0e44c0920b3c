"""EN-3 under a real race (two threads, two connections) and EN-4/EN-5 with a real Celery
worker on a private Redis database."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from enrollment import services
from enrollment.models import IndirectResellerEnrollment, IndirectStatus
from partnerportal.celery import app
from partnerportal.models import EmailStatus, OutboundEmail, Role
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


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
            enrollment = services.indirect_enrollment_submit(
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


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _redis_url(db: int) -> str:
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return f"{base}/{db}"


def _use_broker(url: str) -> None:
    """Point this process's publisher at `url`, dropping connections pooled for another."""
    app.conf.broker_url = url
    app._pool = None  # kombu's pools are keyed by connection URL: the next use picks `url`'s
    app.amqp._producer_pool = None


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.rule("EN-4")
@pytest.mark.rule("EN-5")
def test_en4_en5_a_real_worker_approves_and_emails_the_outcome(tmp_path):
    broker = _redis_url(9)
    app.conf.task_always_eager = False
    _use_broker(broker)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,
        "EMAIL_URL": f"filemail://{tmp_path}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "partnerportal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        admin = _restricted_reseller_admin()
        enrollment = services.indirect_enrollment_submit(
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
        app.conf.task_always_eager = True
        _use_broker(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output
