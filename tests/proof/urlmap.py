"""Every URL pattern of the portal (admin and static aside), with the foreign ids to fill in."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# url name -> the keys of IsolationWorld.foreign whose values fill the URL's parameters.
FOREIGN_KWARGS = {
    "bulk_job": ("bulk_job",),
    "sent_mail_detail": ("sent_mail_detail",),
    "customer_detail": ("customer",),
    "customer_purchase": ("customer",),
    "order_request": ("customer",),
    "order_submit": ("customer",),
    "order_request_fulfil": ("order_request",),
    "order_request_decline": ("order_request",),
    "service_request_create": ("customer",),
    "customer_user_create": ("customer",),
    "mca_attest": ("customer",),
    "relationship_extend": ("customer",),
    "subscription_action": ("customer", "subscription"),
    "orphan_end": ("orphan",),
    "service_request_close": ("customer", "service_request"),
    "customer_user_license": ("customer", "customer_user"),
    "partnership_revoke": ("partnership",),
    "partnership_link": ("partnership_token",),
    "customer_invitation_draft": ("invitation",),
    "customer_invitation_cancel": ("invitation",),
    "customer_invitation_link": ("invitation_token",),
    "customer_gdap_decide": ("gdap",),
    "partner_gdap_terminate": ("gdap",),
    "transfer_detail": ("transfer",),
    "transfer_submit": ("transfer",),
    "transfer_cancel": ("transfer",),
    "api_token_revoke": ("api_token",),
    "api_customer": ("api_customer",),
    "api_customer_relationships": ("api_customer",),
    "api_subscriptions": ("api_customer",),
    "api_agreements": ("api_customer",),
    "api_migrations": ("api_customer",),
    "api_transfers": ("api_customer",),
    "api_subscription": ("api_customer", "api_subscription"),
    "api_transfer": ("api_customer", "api_transfer"),
}
# Links a person opens from an email: the token names the object; the wrong audience is told so.
TOKEN_URLS = {"partnership_link", "customer_invitation_link"}
# Pages that only support staff use (they may see every partner's data, by design).
STAFF_URLS = {"sent_mail", "sent_mail_detail", "clock", "demo_world"}
PUBLIC_URLS = {"login", "api_schema", "api_docs"}


def walk(patterns=None, prefix=""):
    """(route, pattern) for every URL pattern, recursively; admin/ and static skipped."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        route = prefix + str(p.pattern)
        if route.startswith(("admin/", "static/", "media/", "__")):
            continue
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p


def routes():
    """[(name, route, parameter names)] for every pattern."""
    out = []
    for route, p in walk():
        params = tuple(sorted(p.pattern.regex.groupindex))
        out.append((p.name or route, route, params))
    return out


def is_api(route: str) -> bool:
    return route.startswith("v1/") and "openapi" not in route and "docs" not in route


def url_for(name, route, params, foreign) -> str:
    if not params:
        return reverse(name)
    if name not in FOREIGN_KWARGS:  # the API's catch-all
        return "/v1/no-such-resource"
    kwargs = {}
    for key in FOREIGN_KWARGS[name]:
        kwargs.update(foreign[key])
    return reverse(name, kwargs={k: kwargs[k] for k in params})
