from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world (seed_demo). Sits on top of every app; nothing imports it."""

    name = "demo"
