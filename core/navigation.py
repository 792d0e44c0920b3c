"""The left navigation: each app registers its workspaces with a visibility test, so the core
shows a partner only what its capabilities allow without importing the apps."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    personas: frozenset = field(default_factory=lambda: frozenset({"partner"}))
    visible: Callable = lambda request: True
    icon: str = "•"

    def url(self):
        return _reverse(self.url_name, get_urlconf(settings.ROOT_URLCONF), get_script_prefix())


@functools.lru_cache(maxsize=256)
def _reverse(url_name, urlconf, script_prefix) -> str:
    """reverse(), once per name: workspace URLs take no arguments, and every page lists them."""
    return reverse(url_name, urlconf=urlconf)


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
