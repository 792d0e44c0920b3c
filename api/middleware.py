"""Partner Center's paths match without regard to case or a trailing slash: clients send
`/v1/Customers`, `migrations/newCommerce` and `.../subscriptions/` (API.md, Fidelity). Rather
than loosening every route, a path under one of the API prefixes (/v1/, /webhooks/v1/,
/graph/v1.0/) is rewritten to its canonical spelling before URL resolution, so the URL modules,
reverse() and the OpenAPI schema keep the one documented form."""

import functools
import importlib

from django.urls import Resolver404, resolve

PREFIX = "/v1/"
# Each API prefix (as routed in partnerportal/urls.py) and the URL module of its routes.
PREFIXES = {
    PREFIX: "api.urls",
    "/webhooks/v1/": "webhooks.api_urls",
    "/graph/v1.0/": "graph.urls",
}


@functools.cache
def route_words(urlconf: str = "api.urls") -> dict[str, str]:
    """The fixed words of a URL module's routes (`customers`, `newcommerce`,
    `validationEvents`, ...), lower-case → as the route spells them; ids in a path never equal
    one of them."""
    words = {}
    for pattern in importlib.import_module(urlconf).urlpatterns:
        route = str(pattern.pattern)
        words.update({w.lower(): w for w in route.split("/") if w and w[0] not in "<^("})
    return words


def _named_route(path: str) -> bool:
    try:
        return resolve(path).url_name is not None  # the catch-all 404 route has no name
    except Resolver404:
        return False


def canonical_path(path: str) -> str:
    """`path` with its prefix and the routes' fixed words spelled as the routes spell them, and
    the trailing slash the route has (none, except the Swagger page's); other paths
    unchanged."""
    lowered = path.lower()
    prefix = next((p for p in PREFIXES if lowered.startswith(p)), None)
    if prefix is None:
        return path
    words = route_words(PREFIXES[prefix])
    parts = [words.get(p.lower(), p) for p in path[len(prefix) :].split("/")]
    spelled = prefix + "/".join(parts)
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
