from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    # The label the shared domain had when it lived in the project package: its tables,
    # migrations, permissions and AUTH_USER_MODEL ("partnerportal.User") keep their names.
    label = "partnerportal"
    verbose_name = "Partner Portal core"

    def ready(self):
        from . import navigation, tasks  # noqa: F401  (registers the core sweepers)

        navigation.register(
            navigation.NavItem(
                "Home", "home", 0, frozenset({"partner", "provider", "customer", "staff"})
            )
        )
        navigation.register(
            navigation.NavItem("Audit log", "audit_log", 80, frozenset({"partner", "provider"}))
        )
        navigation.register(
            navigation.NavItem(
                "Notifications",
                "notifications",
                90,
                frozenset({"partner", "provider", "customer", "staff"}),
            )
        )
        navigation.register(
            navigation.NavItem("Simulation clock", "clock", 95, frozenset({"staff"}))
        )
        navigation.register(navigation.NavItem("Sent mail", "sent_mail", 96, frozenset({"staff"})))
