"""Sign-in lockout, shared by every login path (/signin/, /admin/login/), with django-axes.

Axes counts failed sign-ins per account and per client address, each on its own
(settings.AXES_LOCKOUT_PARAMETERS), so guessing one account's password and trying one password
across many accounts from one address are both stopped after SIGNIN_MAX_FAILURES failures
within SIGNIN_LOCKOUT_SECONDS. While locked, even the right password is refused with the page
below (429 with Retry-After) until the cool-off has passed.
"""

import ipaddress

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render

USERNAME_MAX_LENGTH = 255  # axes.models.AccessBase.username


def attempted_username(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: the email a sign-in tried, case and spacing folded, so that
    `Agent@x` and ` agent@x` count against the same account."""
    credentials = credentials or {}
    raw = credentials.get("username") or credentials.get("email")  # authenticate(email=...)
    if raw is None:
        raw = request.POST.get("username", "")
    return str(raw).replace("\x00", "").strip().lower()[:USERNAME_MAX_LENGTH]


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address a sign-in came from. REMOTE_ADDR, unless the portal
    runs behind TRUSTED_PROXY_COUNT reverse proxies: then the address the outermost of them saw,
    counted from the right of X-Forwarded-For (the hops a client can forge are to the left).
    Anything that is not an IP address falls back to REMOTE_ADDR."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies and len(hops) >= proxies:
        try:
            return str(ipaddress.ip_address(hops[-proxies]))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a clear page saying how long sign-in is paused."""
    seconds = int(get_cool_off(request).total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {"lockout_minutes": max(1, -(-seconds // 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
