"""Checks registered by higher apps on a provider naming a reseller for a new customer (CU-3).

`customers` sits below `relationships` in the import order, so it cannot ask about provider
partnerships itself. `relationships` registers, in its `AppConfig.ready()`:

    from customers.hooks import register_reseller_check

    @register_reseller_check
    def partnership_accepted(provider, reseller):
        if not ProviderPartnership.objects.filter(..., status="accepted").exists():
            raise SomeRuleViolation("...")

`customer_create` calls every registered check inside its transaction, before creating anything.
"""

from collections.abc import Callable

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
