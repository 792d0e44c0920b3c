"""Webhook delivery tasks and the sweeper that retries due deliveries."""

import logging

from celery import shared_task

from core import sweep

from . import delivery

log = logging.getLogger(__name__)


@shared_task(name="webhooks.deliver", acks_late=True)
def deliver(delivery_id: int) -> bool:
    return delivery.attempt(delivery_id)


@sweep.sweeper
def retry_webhook_deliveries(now) -> int:
    """Webhook deliveries due for a (re)try on the simulation clock, and any whose doorbell was
    lost: each becomes its own task, so one slow receiver never holds up the sweep or the
    others (a task for a delivery another worker holds, or already made, does nothing)."""
    ids = delivery.due_ids()
    for pk in ids:
        try:
            deliver.apply_async(args=(pk,), retry=False)
        except Exception:  # broker down: deliver here rather than not at all
            log.warning("could not enqueue webhook delivery %s; delivering in the sweep", pk)
            delivery.attempt(pk)
    return len(ids)
