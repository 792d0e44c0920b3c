"""Sign-in with throttling: after SIGNIN_MAX_FAILURES failed attempts for one account from one
address within SIGNIN_LOCKOUT_SECONDS, further attempts are refused with 429 until it passes."""

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render


def _key(request) -> str:
    email = (request.POST.get("username") or "").strip().lower()
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{address}|{email}".encode()).hexdigest()
    return f"signin-failures:{digest}"


class ThrottledLoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        key = _key(request)
        if cache.get(key, 0) >= settings.SIGNIN_MAX_FAILURES:
            minutes = max(1, settings.SIGNIN_LOCKOUT_SECONDS // 60)
            response = render(
                request,
                "registration/login.html",
                {
                    "form": self.get_form(),
                    "locked_out": True,
                    "lockout_minutes": minutes,
                },
                status=429,
            )
            response["Retry-After"] = str(settings.SIGNIN_LOCKOUT_SECONDS)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = _key(self.request)
        cache.add(key, 0, settings.SIGNIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.SIGNIN_LOCKOUT_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(_key(self.request))
        return super().form_valid(form)
