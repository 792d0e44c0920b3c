"""Celery on real Redis: a real worker delivers queued mail; with Redis down the work is kept in
the database and the sweep delivers it."""

import time

import pytest
from django.db import transaction

from core import notifications, sweep
from core.models import EmailStatus, OutboundEmail
from tests.workers import DEFAULT_REDIS, broker, start_worker, stop_worker, use_broker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["broker"]  # the fixture


def test_a_real_worker_delivers_queued_mail(broker, tmp_path):
    worker = start_worker(broker, tmp_path, capture=True)
    try:
        with transaction.atomic():
            email = notifications.queue_email(to=["ops@example.com"], subject="Real", body="B")
        assert wait_until(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT
        ), "the worker did not deliver the email"
        assert any(tmp_path.iterdir()), "the file backend wrote nothing"
    finally:
        output = stop_worker(worker)
    assert "Traceback" not in output, output


def test_redis_down_keeps_the_work_and_the_sweep_finishes_it():
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        started = time.monotonic()
        with transaction.atomic():
            email = notifications.queue_email(to=["ops@example.com"], subject="Later", body="B")
        assert time.monotonic() - started < 15, "a broker outage must not hang the request"
        assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.QUEUED
    finally:
        use_broker(DEFAULT_REDIS, eager=True)
    sweep.run_sweep()
    assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT
