from django.apps import AppConfig


def _is_global_admin(request) -> bool:
    from core.models import Role

    return request.user.has_role(Role.GLOBAL_ADMIN)


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "User management"

    def ready(self):
        from core import navigation

        # Partner Center: Account settings › User management, for Global admins.
        navigation.register(
            navigation.NavItem(
                "User management",
                "user_management",
                61,
                personas=frozenset({"partner", "provider"}),
                visible=_is_global_admin,
            )
        )
