"""Reads of user management: the partner's users with their status, and one user (AC-2)."""

from django.db.models import QuerySet
from django.http import Http404

from core.models import Partner, Role, User
from core.validators import parse_id

INVITED, ACTIVE, DEACTIVATED = "invited", "active", "deactivated"
STATUS_LABELS = {INVITED: "Invited", ACTIVE: "Active", DEACTIVATED: "Deactivated"}


def is_invited(user: User) -> bool:
    """Invited and not signed in yet: no password set from the link."""
    return not user.has_usable_password() and user.last_login is None


def status_of(user: User) -> str:
    if not user.is_active:
        return DEACTIVATED
    return INVITED if is_invited(user) else ACTIVE


def partner_users(*, partner: Partner) -> QuerySet[User]:
    """The partner's users, by name."""
    return User.objects.filter(partner=partner).order_by("full_name", "email")


def partner_user(*, partner: Partner, pk: object) -> User:
    """One of `partner`'s users; 404 for anyone else's (AC-2)."""
    pk = parse_id(pk)
    user = User.objects.filter(partner=partner, pk=pk).first() if pk is not None else None
    if user is None:
        raise Http404("No such user.")
    return user


def global_admins(*, partner: Partner) -> list[User]:
    """The partner's active Global admins: whom to ask for a role."""
    return list(
        User.objects.filter(
            partner=partner, is_active=True, roles__contains=[Role.GLOBAL_ADMIN]
        ).order_by("full_name", "email")
    )
