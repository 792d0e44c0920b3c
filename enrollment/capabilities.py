"""What a partner can do, from its program enrollments. Every app above asks here."""

from .models import (
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
)


def direct_bill_status(partner) -> str | None:
    """The partner's direct-bill status, or None for a tenant that never enrolled (DB-4)."""
    return (
        DirectBillEnrollment.objects.filter(partner=partner)
        .values_list("status", flat=True)
        .first()
    )


def is_open_direct_bill(status: str | None) -> bool:
    """Active or Restricted: the partner still runs a direct-bill business."""
    return status in (DirectBillStatus.ACTIVE, DirectBillStatus.RESTRICTED)


def is_direct_bill_active(partner) -> bool:
    return direct_bill_status(partner) == DirectBillStatus.ACTIVE


def has_open_direct_bill(partner) -> bool:
    """Active or Restricted: the partner still runs a direct-bill business."""
    return is_open_direct_bill(direct_bill_status(partner))


def is_indirect_reseller(partner) -> bool:
    """True once the indirect reseller agreement is accepted (EN-7): capabilities are on."""
    return IndirectResellerEnrollment.objects.filter(
        partner=partner, status=IndirectStatus.ACTIVE
    ).exists()


def require_direct_bill_active(partner, action: str) -> None:
    """DB-2: refuse `action` (e.g. "purchase new products") unless direct-bill is Active."""
    from .exceptions import DirectBillRequired, DirectBillRestricted

    status = direct_bill_status(partner)
    if status is None:
        raise DirectBillRequired(f"You can't {action}: you have no direct-bill enrollment.")
    if status != DirectBillStatus.ACTIVE:
        raise DirectBillRestricted(
            f"You can't {action}: your direct-bill account is {status}. "
            "You can still manage existing direct customers' subscriptions and billing."
        )


def ended_indirect_enrollment(partner) -> IndirectResellerEnrollment | None:
    """The partner's latest indirect reseller enrollment if it ended (e.g. DB-6), else None."""
    latest = IndirectResellerEnrollment.objects.filter(partner=partner).first()
    return latest if latest is not None and latest.status == IndirectStatus.ENDED else None


def require_indirect_reseller(partner, action: str) -> None:
    """EN-7: refuse `action` unless the indirect reseller agreement is accepted. When the
    indirect reseller access ended (DB-6) the refusal says so and when."""
    from .exceptions import IndirectResellerRequired

    if is_indirect_reseller(partner):
        return
    ended = ended_indirect_enrollment(partner)
    if ended is not None:
        raise IndirectResellerRequired(
            f"You can't {action}: your indirect reseller access ended on "
            f"{ended.ended_at:%d %b %Y}. {ended.ended_reason}".strip()
        )
    raise IndirectResellerRequired(
        f"You can't {action} yet: complete indirect reseller enrollment and accept the "
        "indirect reseller agreement (Account settings › Agreements)."
    )
