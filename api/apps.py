from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        from core.navigation import NavItem, register

        register(
            NavItem(
                "App management",
                "api_tokens",
                70,
                personas=frozenset({"partner", "provider"}),
                icon="⚙",
            )
        )
