"""API token lifecycle: create (the raw token is returned once) and revoke. Used by the App
management page and the `create_api_token` command."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from core import audit, clock
from core.exceptions import InvalidInput, RoleRequired
from core.models import Role, User

from .exceptions import TokenNotPartnerUser
from .models import ApiToken, hash_token

MAX_TOKEN_DAYS = 730  # like Partner Center app secrets: at most two years


@audit.refusals("api_token.create")
def api_token_create(
    *, actor: User | None, user: User | None = None, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for `user` (default: the actor), valid for `days` (default
    API_TOKEN_DAYS; 0 = never expires). Returns the row and the raw token, which is never
    stored."""
    user = user or actor
    if user is None or not user.partner_id:
        raise TokenNotPartnerUser()
    name = (name or "").strip()[:100]
    if not name:
        raise InvalidInput("Give the token a name, e.g. what script uses it.")
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 0 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"A token is valid for 1 to {MAX_TOKEN_DAYS} days, or 0 for never.")
    raw = ApiToken.generate()
    now = clock.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(raw),
            prefix=raw[:10],
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        audit.record(
            actor=actor if actor is not None and actor.partner_id else None,
            operation="api_token.create",
            partner=user.partner,
            obj=token,
            new_state="active",
            detail=f"Token “{name}” for {user.email}",
        )
    return token, raw


@audit.refusals("api_token.revoke")
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its own user, a Global admin of the same partner, or support staff (the
    admin's action, e.g. for a leaked token)."""
    if (
        token.user_id != actor.pk
        and not actor.is_staff
        and not (actor.partner_id == token.user.partner_id and actor.has_role(Role.GLOBAL_ADMIN))
    ):
        raise RoleRequired([Role.GLOBAL_ADMIN])
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            operation="api_token.revoke",
            partner=token.user.partner,
            obj=token,
            old_state="active",
            new_state="revoked",
            detail=f"Token “{token.name}”",
        )
    return token
