"""The Celery app: Redis as broker, tasks discovered in every app, the sweep on beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerportal.settings")

app = Celery("partnerportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def schedule_sweep(sender, **kwargs):
    from django.conf import settings

    sender.add_periodic_task(
        settings.SWEEP_INTERVAL_SECONDS, sender.signature("core.sweep"), name="sweep"
    )
