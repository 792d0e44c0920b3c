"""Webhook delivery tasks and the sweeper that retries due deliveries."""

from celery import shared_task

from partnerportal import sweep

from . import delivery


@shared_task(name="webhooks.deliver", acks_late=True)
def deliver(delivery_id: int) -> bool:
    return delivery.attempt(delivery_id)


@sweep.sweeper
def retry_webhook_deliveries(now) -> int:
    """Webhook deliveries due for a (re)try on the simulation clock, and any whose doorbell was
    lost."""
    return delivery.attempt_due(now)
