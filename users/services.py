"""User management (Partner Center: Account settings › User management): a Global admin of a
partner invites its users, changes their roles, deactivates and reactivates them; an invited
user sets a password from a one-time link. Support staff use the same services in the admin.

"Create user accounts" (full name, unique email, one or more roles):
https://learn.microsoft.com/en-us/partner-center/account-settings/create-user-accounts-and-set-permissions

Each service locks the partner row first, so two Global admins acting at once can't both take
away the last Global admin, then the user row.
"""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from core import audit, notifications
from core.exceptions import InvalidInput
from core.models import Partner, Role, User
from core.notifications import render_message
from core.roles import require_role

from . import tokens
from .exceptions import (
    AlreadyActive,
    AlreadyDeactivated,
    CannotDeactivateSelf,
    EmailTaken,
    InvitationNotPending,
    InvitationUserDeactivated,
    LastGlobalAdmin,
    PartnerUserNotFound,
    RolesRequired,
)
from .selectors import is_invited


def _roles(roles: Iterable[str]) -> list[str]:
    """The roles in Role order, each once; RolesRequired when none (or an unknown one)."""
    chosen = set(roles)
    if not chosen or not chosen <= set(Role.values):
        raise RolesRequired()
    return [r for r in Role.values if r in chosen]


def _authorise(actor: User | None) -> None:
    """A Global admin of a partner (AC-1), or support staff (the admin site)."""
    if actor is not None and actor.is_staff and not actor.partner_id:
        return
    require_role(actor, Role.GLOBAL_ADMIN)


def _lock(*, actor: User, user: User) -> User:
    """Lock the user's partner, then the user; PartnerUserNotFound for another partner's user
    (AC-2) or a user that is no partner's."""
    if not user.partner_id or (actor.partner_id and actor.partner_id != user.partner_id):
        raise PartnerUserNotFound()
    Partner.objects.select_for_update().get(pk=user.partner_id)
    return User.objects.select_for_update().get(pk=user.pk)


def _partner_id(user: User) -> int:
    """The user's partner; PartnerUserNotFound for a user that is no partner's."""
    if user.partner_id is None:
        raise PartnerUserNotFound()
    return user.partner_id


def _other_active_global_admins(user: User) -> bool:
    return (
        User.objects.filter(
            partner_id=_partner_id(user), is_active=True, roles__contains=[Role.GLOBAL_ADMIN]
        )
        .exclude(pk=user.pk)
        .exists()
    )


def _labels(roles: Iterable[str]) -> str:
    return ", ".join(Role(r).label for r in roles)


def _send_invitation(*, actor: User, user: User) -> None:
    partner = user.partner
    subject, body = render_message(
        "users/email/invitation.txt",
        {
            "user": user,
            "partner": partner,
            "invited_by": actor,
            "roles": _labels(user.roles),
            "link": tokens.url_for(user),
            "days": tokens.invitation_days(),
        },
    )
    notifications.queue_email(
        to=[user.email],
        subject=subject,
        body=body,
        partner=partner,
    )


@audit.refusals("partner_user.invite")
def partner_user_invite(*, actor: User, email: str, full_name: str, roles: Iterable[str]) -> User:
    """Add a user to the actor's partner with `roles` and email them a one-time link to set a
    password (their first sign-in). The email address must be new to the portal."""
    require_role(actor, Role.GLOBAL_ADMIN)
    chosen = _roles(roles)
    email = User.objects.normalize_email(email).strip().lower()
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=_partner_id(actor))
        if User.objects.filter(email__iexact=email).exists():
            raise EmailTaken()
        user = User(email=email, full_name=full_name.strip(), partner=partner, roles=chosen)
        user.set_unusable_password()  # no sign-in until the invitee sets one
        user.save()
        audit.record(
            actor=actor,
            operation="partner_user.invite",
            partner=partner,
            obj=user,
            new_state="invited",
            detail=f"Invited {email} as {_labels(chosen)}",
        )
        _send_invitation(actor=actor, user=user)
    return user


@audit.refusals("partner_user.resend_invitation")
def partner_user_resend_invitation(*, actor: User, user: User) -> User:
    """Send an invited user a new link; the earlier links stop working."""
    _authorise(actor)
    with transaction.atomic():
        user = _lock(actor=actor, user=user)
        if not is_invited(user):
            raise InvitationNotPending()
        if not user.is_active:
            raise AlreadyDeactivated("This user is deactivated: reactivate it first.")
        user.set_unusable_password()  # a new random value: the old tokens no longer match
        user.save(update_fields=["password"])
        audit.record(
            actor=actor,
            operation="partner_user.resend_invitation",
            partner=user.partner,
            obj=user,
            old_state="invited",
            new_state="invited",
            detail=f"Invitation sent again to {user.email}",
        )
        _send_invitation(actor=actor, user=user)
    return user


@audit.refusals("partner_user.change_roles")
def partner_user_change_roles(*, actor: User, user: User, roles: Iterable[str]) -> User:
    """Assign and remove roles at once: the user holds exactly `roles` afterwards (AC-1). The
    partner keeps at least one active Global admin."""
    _authorise(actor)
    chosen = _roles(roles)
    with transaction.atomic():
        user = _lock(actor=actor, user=user)
        before = list(user.roles)
        losing_global = Role.GLOBAL_ADMIN in before and Role.GLOBAL_ADMIN not in chosen
        if losing_global and user.is_active and not _other_active_global_admins(user):
            raise LastGlobalAdmin()
        if chosen == before:
            return user
        user.roles = chosen
        user.save(update_fields=["roles"])
        audit.record(
            actor=actor,
            operation="partner_user.change_roles",
            partner=user.partner,
            obj=user,
            old_state=_labels(before),
            new_state=_labels(chosen),
            detail=f"Roles of {user.email}: {_labels(before)} → {_labels(chosen)}",
        )
    return user


@audit.refusals("partner_user.deactivate")
def partner_user_deactivate(*, actor: User, user: User) -> User:
    """Stop the user signing in and using the API (sessions and tokens of an inactive user are
    refused); roles are kept for a reactivation. Never the actor itself, never the last active
    Global admin."""
    _authorise(actor)
    with transaction.atomic():
        user = _lock(actor=actor, user=user)
        if user.pk == actor.pk:
            raise CannotDeactivateSelf()
        if not user.is_active:
            raise AlreadyDeactivated()
        if Role.GLOBAL_ADMIN in user.roles and not _other_active_global_admins(user):
            raise LastGlobalAdmin(
                "This is your organisation's last active Global admin: give another user the "
                "Global admin role before deactivating this one."
            )
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            operation="partner_user.deactivate",
            partner=user.partner,
            obj=user,
            old_state="active",
            new_state="deactivated",
            detail=f"Deactivated {user.email}",
        )
    return user


@audit.refusals("partner_user.reactivate")
def partner_user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated user sign in again, with the roles it had."""
    _authorise(actor)
    with transaction.atomic():
        user = _lock(actor=actor, user=user)
        if user.is_active:
            raise AlreadyActive()
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            operation="partner_user.reactivate",
            partner=user.partner,
            obj=user,
            old_state="deactivated",
            new_state="active",
            detail=f"Reactivated {user.email}",
        )
    return user


@audit.refusals("partner_user.activate")
def partner_user_activate(*, actor: User | None, token: str, password: str) -> User:
    """The invitee's first sign-in: with a valid link (not changed, used, replaced or expired,
    AC-7) and while the user is active, set its password. The link then stops working."""
    invitee = tokens.check(actor, token)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=invitee.pk)
        tokens.check(user, token)  # again under the lock: two tabs can't both use it
        if not user.is_active:
            raise InvitationUserDeactivated()
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages)) from None
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(
            actor=user,
            operation="partner_user.activate",
            partner=user.partner,
            obj=user,
            old_state="invited",
            new_state="active",
            detail=f"{user.email} set a password from the invitation link",
        )
    return user
