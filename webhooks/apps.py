from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from core import audit

        from . import events, tasks  # noqa: F401  (registers the sweeper)

        audit.on_record(events.from_audit_events)
