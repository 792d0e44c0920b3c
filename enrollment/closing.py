"""TX-1: what must be true before a direct-bill enrollment can close, and what closing does.

Higher apps register checks (they know about subscriptions, providers, MCA); the close service
asks each one. A check is `check(partner) -> list[str]`: the reasons closing must wait.

Higher apps also register what the close does in their part of the world (TX-2: the sandbox
and trials go; IR-1: every customer becomes indirect). A hook is
`hook(*, actor, partner) -> None`; the close service runs every hook inside its transaction,
so whichever entry point closes (the partner's page, the Transition page, support in the admin)
the world ends in the same state.
"""

from collections.abc import Callable

_checks: list[Callable] = []
_on_close: list[Callable] = []


def register(check: Callable) -> Callable:
    if check not in _checks:
        _checks.append(check)
    return check


def blocking_reasons(partner) -> list[str]:
    return [reason for check in _checks for reason in check(partner)]


def on_close(hook: Callable) -> Callable:
    """Register `hook(*, actor, partner)` to run in the transaction that closes direct-bill."""
    if hook not in _on_close:
        _on_close.append(hook)
    return hook


def run_close_hooks(*, actor, partner) -> None:
    for hook in _on_close:
        hook(actor=actor, partner=partner)
