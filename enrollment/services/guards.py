"""The checks every enrollment service makes the same way: support staff only, a reason
given, the partner row locked."""

from core.models import Partner, User

from ..exceptions import ReasonRequired, SupportStaffOnly


def require_staff(actor: User | None) -> None:
    if actor is None or not getattr(actor, "is_staff", False):
        raise SupportStaffOnly()


def require_reason(reason: str, message: str = "") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(message or None)
    return reason


def locked_partner(partner: Partner) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner.pk)
