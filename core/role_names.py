"""Partner user roles (AC-1) and which role brings another's permissions. A leaf of the core
(it imports nothing of it), so refusals and models both name roles from here; `core.models`
re-exports these names."""

from collections.abc import Iterable

from django.db import models


class Role(models.TextChoices):
    """Partner user roles (AC-1)."""

    GLOBAL_ADMIN = "global_admin", "Global admin"
    ADMIN_AGENT = "admin_agent", "Admin agent"
    SALES_AGENT = "sales_agent", "Sales agent"
    BILLING_ADMIN = "billing_admin", "Billing admin"


# AC-1: the one place where a role brings another's permissions. Partner Center's Global admin
# has every permission of the partner's CSP roles, an Admin agent's included ("Roles,
# permissions, and workspace access for users":
# https://learn.microsoft.com/en-us/partner-center/account-settings/permissions-overview).
IMPLIED_ROLES: dict[str, tuple[str, ...]] = {Role.GLOBAL_ADMIN: (Role.ADMIN_AGENT,)}


def effective_roles(held: Iterable[str]) -> frozenset[str]:
    """The roles whose permissions a holder of `held` has: `held` and what they imply."""
    held = list(held)
    return frozenset(held).union(*(IMPLIED_ROLES.get(role, ()) for role in held))


def roles_granting(roles: Iterable[str]) -> tuple[str, ...]:
    """Every role whose holder may do what any of `roles` may do, in Role order."""
    wanted = set(roles)
    return tuple(r for r in Role.values if effective_roles([r]) & wanted)
