"""Bearer-token authentication for /v1/ (AP-1) and the TX-2 access check."""

from datetime import timedelta

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from core import clock
from enrollment.capabilities import has_open_direct_bill, is_open_direct_bill

from .exceptions import ApiAccessDirectBillOnly, NotPartnerUser
from .identity import token_for
from .models import ApiToken

LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`: the token's user, with its partner and roles."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header; use 'Bearer <token>'."
            )
        token = token_for(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed("The bearer token is not valid.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("The bearer token has been revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is deactivated.")
        now = clock.now(stored_offset=token.clock_offset)
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(
                f"The bearer token expired on {token.expires_at:%Y-%m-%d}; create a new one in "
                "App management."
            )
        # A write per request would cost more than the request: record use once a minute.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class PartnerApiAccess(permissions.BasePermission):
    """A partner user, and (TX-2) a partner with an open direct-bill enrollment or a provider.

    Checked on every request, so credentials stop working the moment direct-bill closes."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not user.partner_id:
            raise NotPartnerUser()
        partner = user.partner
        if isinstance(request.auth, ApiToken):  # read with the token (identity.token_for)
            open_direct_bill = is_open_direct_bill(status=request.auth.direct_bill_status)
        else:
            open_direct_bill = has_open_direct_bill(partner=partner)
        if not (partner.is_indirect_provider or open_direct_bill):
            raise ApiAccessDirectBillOnly()
        request.partner = partner
        return True


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from App management or `manage.py create_api_token`.",
        }
