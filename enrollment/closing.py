"""TX-1: what must be true before a direct-bill enrollment can close.

Higher apps register checks (they know about subscriptions, providers, MCA); the close service
asks each one. A check is `check(partner) -> list[str]`: the reasons closing must wait.
"""

from collections.abc import Callable

_checks: list[Callable] = []


def register(check: Callable) -> Callable:
    if check not in _checks:
        _checks.append(check)
    return check


def blocking_reasons(partner) -> list[str]:
    return [reason for check in _checks for reason in check(partner)]
