"""Answers that `customers` needs from higher apps: checks on a provider naming a reseller for
a new customer (CU-3), and a partner's admin rights in a customer's tenant (CU-6, from GDAP).

`customers` sits below `relationships` in the import order, so it cannot ask about provider
partnerships itself. `relationships` registers, in its `AppConfig.ready()`:

    from customers.hooks import register_reseller_check

    @register_reseller_check
    def partnership_accepted(provider, reseller):
        if not ProviderPartnership.objects.filter(..., status="accepted").exists():
            raise SomeRuleViolation("...")

`customer_create` calls every registered check inside its transaction, before creating anything.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

_reseller_checks: list[Callable] = []


def register_reseller_check(fn: Callable) -> Callable:
    """Register `fn(provider, reseller)`, which raises a RuleViolation to refuse."""
    if fn not in _reseller_checks:
        _reseller_checks.append(fn)
    return fn


def unregister_reseller_check(fn: Callable) -> None:
    if fn in _reseller_checks:
        _reseller_checks.remove(fn)


def run_reseller_checks(provider, reseller) -> None:
    for check in list(_reseller_checks):
        check(provider, reseller)


# --- CU-6: admin permissions in a customer's tenant --------------------------------------------
# They come only from GDAP, which `relationships` owns. A registry rather than moving the
# users/licences services up: they, their page and forms stay with the customer they manage.

MANAGE_USERS = "manage_users"
ASSIGN_LICENSES = "assign_licenses"
TENANT_TASKS = {MANAGE_USERS: "manage its users", ASSIGN_LICENSES: "assign its licences"}


@dataclass(frozen=True)
class AdminRights:
    """What a partner may do in a customer's tenant through its active GDAP relationships:
    `roles` held (labels), the tenant tasks they allow, and for each task the roles that would
    allow it (labels)."""

    roles: tuple[str, ...] = ()
    allowed: frozenset[str] = frozenset()
    needed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def allows(self, task: str) -> bool:
        return task in self.allowed

    def refusal(self, task: str, customer) -> str:
        """The CU-6 sentence saying why `task` is refused and what to do ('' when allowed)."""
        if self.allows(task):
            return ""
        needs = " or ".join(self.needed.get(task, ())) or "a suitable role"
        if not self.roles:
            return (
                f"You have no admin permissions in {customer}'s tenant, so you can't "
                f"{TENANT_TASKS[task]}: request GDAP with {needs} and have the customer approve "
                "it."
            )
        return (
            f"Your GDAP roles in {customer}'s tenant ({', '.join(self.roles)}) don't let you "
            f"{TENANT_TASKS[task]}: request GDAP with {needs} and have the customer approve it."
        )


_admin_rights: list[Callable] = []


def register_admin_rights(fn: Callable) -> Callable:
    """Register `fn(*, partner, customer, lock: bool) -> AdminRights` (one source; the last
    registered wins; called with keywords). `lock` asks it to lock the rows granting the rights
    until commit."""
    _admin_rights[:] = [fn]
    return fn


def admin_rights(partner, customer, *, lock: bool = False) -> AdminRights:
    """CU-6: the partner's admin rights in the customer's tenant; none without a source."""
    if not _admin_rights:
        return AdminRights()
    return _admin_rights[0](partner=partner, customer=customer, lock=lock)
