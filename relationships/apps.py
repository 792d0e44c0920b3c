from django.apps import AppConfig


def _is_indirect_reseller(request):
    from enrollment.capabilities import is_indirect_reseller

    return is_indirect_reseller(partner=request.user.partner)


def _can_invite_customers(request):
    from enrollment.capabilities import has_open_direct_bill, is_indirect_reseller

    partner = request.user.partner
    return is_indirect_reseller(partner=partner) or has_open_direct_bill(partner=partner)


class RelationshipsConfig(AppConfig):
    name = "relationships"

    def ready(self):
        from core import dashboard
        from core.navigation import NavItem, register
        from customers.hooks import register_admin_rights, register_reseller_check

        from . import (
            gdap,
            panels,
            tasks,  # noqa: F401  (registers the sweepers and the bulk extension handler)
        )
        from .services.partnerships import require_accepted_partnership

        # CU-3: a provider names only a reseller that accepted its partnership invitation.
        register_reseller_check(require_accepted_partnership)
        # CU-6: a partner's admin rights in a customer's tenant come from its active GDAP.
        register_admin_rights(gdap.admin_rights)

        register(NavItem("Resellers", "provider_resellers", 20, frozenset({"provider"})))
        # EN-8: "Indirect providers" appears once the indirect reseller agreement is accepted.
        register(
            NavItem(
                "Indirect providers",
                "indirect_providers",
                20,
                frozenset({"partner"}),
                visible=_is_indirect_reseller,
            )
        )
        register(
            NavItem(
                "Customer invitations",
                "customer_invitations",
                22,
                frozenset({"partner"}),
                visible=_can_invite_customers,
            )
        )
        register(
            NavItem("GDAP relationships", "partner_gdap", 25, frozenset({"partner", "provider"}))
        )
        register(
            NavItem("Partner relationships", "partner_relationships", 10, frozenset({"customer"}))
        )
        register(
            NavItem("Admin relationships (GDAP)", "customer_gdap", 20, frozenset({"customer"}))
        )
        dashboard.register(
            dashboard.Panel(
                key="relationships.resellers",
                template="relationships/_provider_panel.html",
                personas=frozenset({"provider"}),
                order=20,
                context=panels.provider_panel,
            )
        )
        dashboard.register(
            dashboard.Panel(
                key="relationships.gdap",
                template="relationships/_customer_panel.html",
                personas=frozenset({"customer"}),
                order=20,
                context=panels.customer_panel,
            )
        )
