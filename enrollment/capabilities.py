"""What a partner can do, from its program enrollments (DB-2, DB-4, EN-7, TR-10). Every app
above asks here.

Kept as its own module rather than folded into `enrollment/selectors.py`: these are the
enrollment app's *policy checks*, which the services of every higher app call, and the reads
they are built on. The `require_*` functions raise the refusal (a `RuleViolation`); the others
only read. All keyword-only and typed, like a selectors module (issue 16)."""

from collections.abc import Iterable

from core.models import Partner

from .exceptions import (
    DirectBillRequired,
    DirectBillRestricted,
    IndirectResellerRequired,
    NotTransactingPartner,
)
from .models import (
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
)


def direct_bill_status(*, partner: Partner) -> str | None:
    """The partner's direct-bill status, or None for a tenant that never enrolled (DB-4)."""
    return (
        DirectBillEnrollment.objects.filter(partner=partner)
        .values_list("status", flat=True)
        .first()
    )


def is_open_direct_bill(*, status: str | None) -> bool:
    """Active or Restricted: the partner still runs a direct-bill business."""
    return status in (DirectBillStatus.ACTIVE, DirectBillStatus.RESTRICTED)


def is_direct_bill_active(*, partner: Partner) -> bool:
    return direct_bill_status(partner=partner) == DirectBillStatus.ACTIVE


def has_open_direct_bill(*, partner: Partner) -> bool:
    """Active or Restricted: the partner still runs a direct-bill business."""
    return is_open_direct_bill(status=direct_bill_status(partner=partner))


def is_indirect_reseller(*, partner: Partner) -> bool:
    """True once the indirect reseller agreement is accepted (EN-7): capabilities are on."""
    return IndirectResellerEnrollment.objects.filter(
        partner=partner, status=IndirectStatus.ACTIVE
    ).exists()


# TR-10: subscriptions move only between transacting partners, "from one transacting partner to
# another" (https://learn.microsoft.com/partner-center/developer/create-a-transfer). Under the
# indirect model the provider bills and the reseller has no billing relationship (TR-1).
def not_transacting_reasons(*, partners: Iterable[Partner]) -> dict[int, str]:
    """TR-10, the one definition of a *transacting* partner: an indirect provider, or a partner
    whose direct-bill enrollment is Active or Restricted. Returns {partner id: why it is not
    transacting} for the `partners` that aren't (empty when all are); two queries for any
    number of partners."""
    candidates = {p.pk: p for p in partners if not p.is_indirect_provider}
    if not candidates:
        return {}
    statuses = dict(
        DirectBillEnrollment.objects.filter(partner_id__in=candidates).values_list(
            "partner_id", "status"
        )
    )
    resellers = set(
        IndirectResellerEnrollment.objects.filter(
            partner_id__in=candidates, status=IndirectStatus.ACTIVE
        ).values_list("partner_id", flat=True)
    )
    reasons = {}
    for pk in candidates:
        status = statuses.get(pk)
        if is_open_direct_bill(status=status):
            continue
        if pk in resellers:
            reasons[pk] = "is an indirect reseller (its provider bills its customers)"
        elif status == DirectBillStatus.CLOSED:
            reasons[pk] = "has closed its direct-bill enrollment"
        else:
            reasons[pk] = "has no direct-bill enrollment and is not an indirect provider"
    return reasons


def not_transacting(*, partner: Partner, action: str, why: str) -> NotTransactingPartner:
    """The TR-10 refusal: `partner` (which `why`) can't `action`."""
    return NotTransactingPartner(
        f"{partner.legal_name} {why}, so it can't {action}. Only a transacting partner can: "
        "a direct-bill partner (Active or Restricted) or an indirect provider."
    )


def require_transacting(*, partner: Partner, action: str) -> None:
    """TR-10: refuse `action` (e.g. "bill subscriptions") unless `partner` is transacting."""
    why = not_transacting_reasons(partners=[partner]).get(partner.pk)
    if why:
        raise not_transacting(partner=partner, action=action, why=why)


def require_direct_bill_active(*, partner: Partner, action: str) -> None:
    """DB-2: refuse `action` (e.g. "purchase new products") unless direct-bill is Active."""
    status = direct_bill_status(partner=partner)
    if status is None:
        raise DirectBillRequired(f"You can't {action}: you have no direct-bill enrollment.")
    if status != DirectBillStatus.ACTIVE:
        raise DirectBillRestricted(
            f"You can't {action}: your direct-bill account is {status}. "
            "You can still manage existing direct customers' subscriptions and billing."
        )


def ended_indirect_enrollment(*, partner: Partner) -> IndirectResellerEnrollment | None:
    """The partner's latest indirect reseller enrollment if it ended (e.g. DB-6), else None."""
    latest = IndirectResellerEnrollment.objects.filter(partner=partner).first()
    return latest if latest is not None and latest.status == IndirectStatus.ENDED else None


def require_indirect_reseller(*, partner: Partner, action: str) -> None:
    """EN-7: refuse `action` unless the indirect reseller agreement is accepted. When the
    indirect reseller access ended (DB-6) the refusal says so and when."""
    if is_indirect_reseller(partner=partner):
        return
    ended = ended_indirect_enrollment(partner=partner)
    if ended is not None:
        raise IndirectResellerRequired(
            f"You can't {action}: your indirect reseller access ended on "
            f"{ended.ended_at:%d %b %Y}. {ended.ended_reason}".strip()
        )
    raise IndirectResellerRequired(
        f"You can't {action} yet: complete indirect reseller enrollment and accept the "
        "indirect reseller agreement (Account settings › Agreements)."
    )
