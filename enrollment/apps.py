from django.apps import AppConfig


def _is_indirect_reseller(request) -> bool:
    from .capabilities import is_indirect_reseller

    partner = getattr(request.user, "partner", None)
    return partner is not None and is_indirect_reseller(partner=partner)


def _program_panel(request) -> dict:
    from .selectors import programs_for

    partner = request.user.partner
    return {"programs": programs_for(partner=partner, user=request.user)}


class EnrollmentConfig(AppConfig):
    name = "enrollment"

    def ready(self):
        from core import dashboard, navigation

        from . import tasks  # noqa: F401  (registers the sweepers)

        # EN-8: the page itself is the relationships app's (url name "indirect_providers");
        # the item is registered here too, so the rule holds whichever app registers first.
        navigation.register(
            navigation.NavItem(
                "Indirect providers",
                "indirect_providers",
                20,
                personas=frozenset({"partner"}),
                visible=_is_indirect_reseller,  # EN-8
            )
        )
        navigation.register(
            navigation.NavItem(
                "Account settings",
                "account_settings",
                60,
                personas=frozenset({"partner", "provider"}),
            )
        )
        dashboard.register(
            dashboard.Panel(
                key="enrollment.programs",
                template="enrollment/_dashboard_panel.html",
                personas=frozenset({"partner"}),
                order=10,
                context=_program_panel,
            )
        )
