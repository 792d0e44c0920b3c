"""The left navigation: each app registers its workspaces with a visibility test, so the core
shows a partner only what its capabilities allow without importing the apps."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    personas: frozenset = field(default_factory=lambda: frozenset({"partner"}))
    visible: Callable = lambda request: True
    icon: str = "•"

    def url(self):
        return reverse(self.url_name)


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)
        _items.sort(key=lambda i: i.order)


def items_for(request) -> list[NavItem]:
    user = request.user
    if not user.is_authenticated:
        return []
    persona = user.persona
    return [i for i in _items if persona in i.personas and i.visible(request)]
