"""What higher apps add to a subscription's history on the customer page.

The transfers app knows which transfer request moved a subscription (IR-3); the customers app
does not import it, so it registers a describer here. A describer is
`describe(subscriptions: list[Subscription]) -> None`: it sets display attributes on the
subscriptions it knows about, with a fixed number of queries for the whole list.
"""

from collections.abc import Callable

_describers: list[Callable] = []


def register(describe: Callable) -> Callable:
    if describe not in _describers:
        _describers.append(describe)
    return describe


def describe(subscriptions: list) -> list:
    """Run every describer over the subscriptions; returns the same list."""
    for describer in _describers:
        describer(subscriptions)
    return subscriptions
