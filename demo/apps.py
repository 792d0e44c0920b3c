from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world (seed_demo, stage presets, the staff "Demo world" page). Sits on top of
    every app; nothing imports it."""

    name = "demo"

    def ready(self):
        from core import navigation

        navigation.register(
            navigation.NavItem("Demo world", "demo_world", 97, frozenset({"staff"}))
        )
        navigation.register(
            navigation.NavItem("Rehearsals", "rehearsals", 98, frozenset({"staff"}))
        )
