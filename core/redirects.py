"""Where a page may send the browser after a form: only to this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str, field: str = "next") -> str:
    """The `next` URL from the request (POST, then GET) when it points to this site (same host,
    and https when the request is), else `default` (a URL or a URL name, as `redirect` takes);
    a URL elsewhere is never followed."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
