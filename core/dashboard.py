"""Dashboard panels: apps register what they add to a persona's home page, so the core home
view needs no knowledge of the apps above it."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    personas: frozenset
    order: int = 100
    context: Callable = lambda request: {}


_panels: list[Panel] = []


def register(panel: Panel) -> None:
    if all(p.key != panel.key for p in _panels):
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)


def panels_for(request) -> list[tuple[str, dict]]:
    persona = request.user.persona
    return [(p.template, p.context(request)) for p in _panels if persona in p.personas]
