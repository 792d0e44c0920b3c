from typing import Any

from django.http import HttpRequest

from . import clock, navigation
from .models import Notification


def portal(request: HttpRequest) -> dict[str, Any]:
    """The shell's data on every page: simulated time, navigation, unread notifications."""
    context: dict[str, Any] = {"sim_now": clock.now()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["nav_items"] = navigation.items_for(request)
        context["unread_count"] = Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count()
        current = request.resolver_match.url_name if request.resolver_match else ""
        context["nav_current"] = current
    return context
