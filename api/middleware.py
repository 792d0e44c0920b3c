"""Partner Center's paths match without regard to case or a trailing slash: clients send
`/v1/Customers`, `migrations/newCommerce` and `.../subscriptions/` (API.md, Fidelity). Rather
than loosening every route, a /v1/ path is rewritten to its canonical spelling before URL
resolution, so api/urls.py, reverse() and the OpenAPI schema keep the one documented form."""

import functools

from django.urls import Resolver404, resolve

PREFIX = "/v1/"


@functools.cache
def route_words() -> frozenset[str]:
    """The fixed words of the API's routes (`customers`, `newcommerce`, `openapi.json`, ...),
    lower-case; ids in a path never equal one of them."""
    from api import urls

    words = set()
    for pattern in urls.urlpatterns:
        route = str(pattern.pattern)
        words.update(w for w in route.split("/") if w and w[0] not in "<^(")
    return frozenset(words)


def _named_route(path: str) -> bool:
    try:
        return resolve(path).url_name is not None  # the catch-all 404 route has no name
    except Resolver404:
        return False


def canonical_path(path: str) -> str:
    """`path` with the routes' fixed words in lower case and the trailing slash the route
    has (none, except the Swagger page's); other paths unchanged."""
    if path[: len(PREFIX)].lower() != PREFIX:
        return path
    words = route_words()
    parts = [p.lower() if p.lower() in words else p for p in path[len(PREFIX) :].split("/")]
    spelled = PREFIX + "/".join(parts)
    bare = spelled.rstrip("/")
    for candidate in (spelled, bare, bare + "/"):
        if _named_route(candidate):
            return candidate
    return spelled


class CanonicalApiPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = canonical_path(request.path_info)
        if path != request.path_info:
            script_prefix = request.path[: len(request.path) - len(request.path_info)]
            request.path_info = path
            request.path = script_prefix + path
        return self.get_response(request)
