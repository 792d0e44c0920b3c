"""Every URL pattern of the portal (admin and static aside), with the foreign ids to fill in."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import Role

# url name -> the keys of IsolationWorld.foreign whose values fill the URL's parameters.
FOREIGN_KWARGS = {
    "bulk_job": ("bulk_job",),
    "notification_open": ("notification",),
    "support_request_detail": ("support_request",),
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
    "mca_admin_center_download": ("mca_acceptance",),
    "relationship_extend": ("customer",),
    "subscription_action": ("customer", "subscription"),
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
    "orphan_end": ("orphan",),
    "api_token_revoke": ("api_token",),
    "api_customer": ("api_customer",),
    "api_customer_relationships": ("api_customer",),
    "api_customer_company_profile": ("api_customer",),
    "api_customer_billing_profile": ("api_customer",),
    "api_subscriptions": ("api_customer",),
    "api_agreements": ("api_customer",),
    "api_migrations": ("api_customer",),
    "api_migration_validate": ("api_customer",),
    "api_migration": ("api_customer", "api_migration"),
    "api_transfers": ("api_customer",),
    "api_transfers_eligibility": ("api_customer",),
    "api_subscription": ("api_customer", "api_subscription"),
    "api_transfer": ("api_customer", "api_transfer"),
    "graph_relationship": ("graph_gdap",),
    "graph_requests": ("graph_gdap",),
    "graph_request": ("graph_gdap", "graph_request"),
    "graph_access_assignments": ("graph_gdap",),
    "graph_access_assignment": ("graph_gdap", "graph_assignment"),
    "webhook_redeliver": ("webhook_delivery",),
    "webhook_validation_event": ("webhook_test",),
    "user_detail": ("partner_user",),
    "user_deactivate": ("partner_user",),
    "user_reactivate": ("partner_user",),
    "user_resend_invitation": ("partner_user",),
    "user_welcome": ("user_invitation",),
}

GA, AA, SA = Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT
MANAGE = (GA, AA)
# Who uses a page. PARTNER: partner users (providers included); PROVIDER: an indirect
# provider's users; CUSTOMER: a customer's admin; STAFF: support staff; SIGNED_IN: anyone signed
# in; PUBLIC: anyone; LINK: a link from an email (its audience is decided by the token);
# API: a bearer token of a partner user; UNKNOWN: the API's catch-all for unknown paths.
PARTNER, PROVIDER, CUSTOMER, STAFF = "partner", "provider", "customer", "staff"
SIGNED_IN, PUBLIC, LINK, API, UNKNOWN = "signed_in", "public", "link", "api", "unknown"


@dataclass(frozen=True)
class Access:
    """Who may use a route and how: the isolation matrix derives each persona's one expected
    answer from it (tests/proof/test_isolation_matrix.py)."""

    who: str
    roles: tuple = ()  # the partner roles that may use it; any role when empty
    methods: tuple = ("get", "post")
    # @require_POST sits outside the sign-in check, so a GET is 405 before anything else.
    method_first: bool = False
    post_roles: tuple = ()  # the roles a POST needs, when stricter than the page's
    # What a persona that may use a route WITHOUT parameters gets (its own data): a GET, and
    # an empty POST (default: 302 back with a message for a button, 200 for a page).
    get_ok: int = 200
    post_ok: int | None = None

    def ok(self, method: str) -> int:
        if method == "get":
            return self.get_ok
        if self.post_ok is not None:
            return self.post_ok
        return 302 if self.methods == ("post",) else 200


POST = ("post",)
GET = ("get",)
ACCESS = {
    "home": Access(SIGNED_IN),
    "login": Access(PUBLIC),
    "logout": Access(PUBLIC, methods=POST),
    "audit_log": Access(PARTNER),
    "audit_log_export": Access(PARTNER),
    "notifications": Access(SIGNED_IN),
    "notifications_mark_read": Access(SIGNED_IN, methods=POST),
    "notification_open": Access(SIGNED_IN, methods=GET, get_ok=302),
    "notification_open_link": Access(SIGNED_IN, methods=GET, get_ok=302),
    "bulk_job": Access(PARTNER),
    "customer_lookup": Access(PARTNER, methods=GET),
    "sent_mail": Access(STAFF),
    "sent_mail_detail": Access(STAFF),
    "clock": Access(STAFF),
    "program_rules": Access(SIGNED_IN, methods=GET),
    "demo_world": Access(STAFF),
    "rehearsals": Access(STAFF),
    "rehearsal_reset": Access(STAFF),
    "account_settings": Access(PARTNER, get_ok=302, post_ok=302),
    "account_profile": Access(PARTNER, post_ok=400),
    "profile_confirm": Access(PARTNER, methods=POST, post_roles=(GA,)),
    "account_programs": Access(PARTNER),
    "indirect_enroll": Access(PARTNER, (GA,), post_ok=400),
    "direct_bill_apply": Access(PARTNER, (GA,)),
    "direct_bill_close": Access(PARTNER, (GA,), methods=POST),
    "sandbox_create": Access(PARTNER, MANAGE, methods=POST),
    "program_info": Access(PARTNER),
    "agreements": Access(PARTNER),
    "agreement_accept": Access(PARTNER, methods=POST, post_roles=(GA,)),
    "agreement_partner_text": Access(PARTNER),
    "agreement_partner_download": Access(PARTNER),
    "agreement_customer_text": Access(PARTNER),
    "agreement_customer_download": Access(PARTNER),
    "contact_support": Access(PARTNER, post_ok=400),
    "support_request_detail": Access(PARTNER, post_roles=MANAGE),
    "customer_list": Access(PARTNER),
    "customer_export": Access(PARTNER),
    "customer_create": Access(PARTNER, MANAGE),
    "customer_detail": Access(PARTNER),
    "customer_purchase": Access(PARTNER, MANAGE),
    "subscription_action": Access(PARTNER, MANAGE, methods=POST, method_first=True),
    "order_request": Access(PARTNER, MANAGE, methods=POST, method_first=True),
    "order_submit": Access(PARTNER, MANAGE, methods=POST, method_first=True),
    "order_request_list": Access(PARTNER),
    "order_request_fulfil": Access(PROVIDER, MANAGE, methods=POST, method_first=True),
    "order_request_decline": Access(PROVIDER, MANAGE, methods=POST, method_first=True),
    "service_request_create": Access(PARTNER, MANAGE, methods=POST, method_first=True),
    "service_request_close": Access(PARTNER, MANAGE, methods=POST, method_first=True),
    "customer_user_create": Access(PARTNER, MANAGE, methods=POST, method_first=True),
    "customer_user_license": Access(PARTNER, MANAGE, methods=POST, method_first=True),
    "mca_attest": Access(PARTNER, (GA, AA, SA)),
    "mca_admin_center": Access(CUSTOMER),
    "mca_admin_center_download": Access(CUSTOMER, methods=GET),
    "provider_resellers": Access(PROVIDER),
    "partnership_invite": Access(PROVIDER),
    "partnership_revoke": Access(PROVIDER, methods=POST),
    "indirect_providers": Access(PARTNER, get_ok=302, post_ok=302),
    "provider_directory": Access(PARTNER),
    "partnership_link": Access(LINK),
    "customer_invitations": Access(PARTNER),
    "customer_invitation_new": Access(PARTNER, MANAGE),
    "customer_invitation_draft": Access(PARTNER),
    "customer_invitation_cancel": Access(PARTNER, MANAGE, methods=POST),
    "customer_invitation_link": Access(LINK),
    "partner_relationships": Access(CUSTOMER),
    "customer_gdap": Access(CUSTOMER),
    "customer_gdap_decide": Access(CUSTOMER, methods=POST),
    "partner_gdap": Access(PARTNER),
    "gdap_request": Access(PARTNER, (AA,)),
    "partner_gdap_terminate": Access(PARTNER, (AA,), methods=POST),
    "relationship_extend": Access(PARTNER, (AA,)),
    "relationship_extend_bulk": Access(PARTNER, (AA,)),
    "transfer_list": Access(PARTNER),
    "transfer_export": Access(PARTNER),
    "transfer_create": Access(PARTNER),
    "transfer_bulk_request": Access(PROVIDER, post_roles=(AA,)),
    # An empty "submit all" with nothing pending is refused: 302 back with the message.
    "transfer_bulk_submit": Access(PARTNER, post_roles=(AA,), post_ok=302),
    "transfer_detail": Access(PARTNER),
    "transfer_submit": Access(PARTNER, (AA,), methods=POST, method_first=True),
    "transfer_cancel": Access(PARTNER, (AA,), methods=POST, method_first=True),
    "transition": Access(PARTNER),
    "transition_export": Access(PARTNER),
    "transition_close": Access(PARTNER, (GA,), methods=POST, method_first=True),
    "orphan_end": Access(PARTNER, MANAGE, methods=POST, method_first=True),
    "api_tokens": Access(PARTNER, post_ok=400),
    "api_token_revoke": Access(PARTNER, methods=POST),
    "api_schema": Access(PUBLIC, methods=GET),
    "api_docs": Access(PUBLIC, methods=GET),
    "api_profile_mpn": Access(API, methods=GET),
    "api_customers": Access(API, post_ok=400),
    "api_relationship_requests": Access(API, MANAGE, methods=GET),
    "api_customer": Access(API, methods=GET),
    "api_customer_relationships": Access(API, methods=GET),
    "api_customer_company_profile": Access(API, methods=GET),
    "api_customer_billing_profile": Access(API, methods=GET),
    "api_subscriptions": Access(API, methods=GET),
    "api_subscription": Access(API, methods=GET),
    "api_agreements": Access(API),
    "api_agreement_metadata": Access(API, methods=GET),
    "api_migrations": Access(API),
    "api_migration_validate": Access(API, methods=POST),
    "api_migration": Access(API, methods=GET),
    "api_transfers": Access(API),
    "api_transfers_eligibility": Access(API, methods=GET),
    "api_transfer": Access(API, methods=GET),
    "api_relationships": Access(API, methods=GET, get_ok=400),
    "api_auditrecords": Access(API, methods=GET),
    "v1/^(?P<rest>.*)$": Access(UNKNOWN),
    # The Graph GDAP API (graph/): the same bearer tokens; an empty create body is a 400.
    "graph_relationships": Access(API, post_ok=400),
    "graph_relationship": Access(API, methods=GET),
    "graph_requests": Access(API),
    "graph_request": Access(API, methods=GET),
    "graph_access_assignments": Access(API),
    "graph_access_assignment": Access(API, methods=GET),
    "webhooks": Access(PARTNER, post_ok=400),
    "webhook_send_test": Access(PARTNER, methods=POST),
    "webhook_redeliver": Access(PARTNER, methods=POST),
    # Nothing registered yet: the registration and a test event are 404; an empty body is 400.
    "webhook_registration": Access(API, get_ok=404, post_ok=400),
    "webhook_validation_events": Access(API, methods=POST, post_ok=404),
    "webhook_validation_event": Access(API, methods=GET),
    "webhook_events": Access(API, methods=GET),
    "webhooks/v1/^(?P<rest>.*)$": Access(UNKNOWN),
    # User management (users/): Global admins only; the invitee's link needs no sign-in (the
    # token is its audience), an empty form is a 400.
    "user_management": Access(PARTNER, (GA,)),
    "user_invite": Access(PARTNER, (GA,), post_ok=400),
    "user_detail": Access(PARTNER, (GA,)),
    "user_deactivate": Access(PARTNER, (GA,), methods=POST),
    "user_reactivate": Access(PARTNER, (GA,), methods=POST),
    "user_resend_invitation": Access(PARTNER, (GA,), methods=POST),
    "user_welcome": Access(PUBLIC, post_ok=400),
}


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
    api = route.startswith(("v1/", "graph/", "webhooks/v1/"))
    return api and "openapi" not in route and "docs" not in route


def url_for(name, route, params, foreign) -> str:
    if not params:
        return reverse(name)
    if name not in FOREIGN_KWARGS:  # the API's catch-all
        return "/v1/no-such-resource"
    kwargs = {}
    for key in FOREIGN_KWARGS[name]:
        kwargs.update(foreign[key])
    return reverse(name, kwargs={k: kwargs[k] for k in params})
