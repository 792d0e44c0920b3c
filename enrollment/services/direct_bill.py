"""The direct-bill enrollment (DB-1, DB-3, DB-6, TX-1): support restrict and reactivate it; a
Global admin (or support) closes it."""

from django.db import transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.fsm import apply_transition
from core.models import Partner, Role, User
from core.notifications import render_message
from core.roles import require_role
from core.wording import join_clauses

from .. import closing
from ..exceptions import (
    ClosingBlocked,
    IndirectEnrollmentOpen,
    NoDirectBillEnrollment,
    SupportStaffOnly,
)
from ..models import (
    DIRECT_BILL_TRANSITIONS,
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectStatus,
    SupportTopic,
)
from ..selectors import open_indirect_enrollment, pending_override
from .guards import locked_partner, require_reason, require_staff
from .support import close_requests


def _set_direct_bill_status(
    *, actor: User, partner: Partner, target: str, reason: str, operation: str
) -> DirectBillEnrollment:
    with transaction.atomic():
        enrollment = (
            DirectBillEnrollment.objects.select_for_update().filter(partner=partner).first()
        )
        if enrollment is None:
            raise NoDirectBillEnrollment(f"{partner} has no direct-bill enrollment.")
        apply_transition(
            enrollment,
            DIRECT_BILL_TRANSITIONS,
            target,
            label="direct-bill status",
            actor=actor,
            partner=partner,
            operation=operation,
            detail=reason,
            status_reason=reason,
            status_changed_at=clock.now(),
        )
    return enrollment


@audit.refusals("direct_bill.restrict")
def direct_bill_restrict(*, actor: User, partner: Partner, reason: str) -> DirectBillEnrollment:
    """DB-1: support staff move a direct-bill enrollment Active → Restricted, with a reason.

    Open "restrict my account" support requests of the partner are closed with the reason.
    """
    require_staff(actor)
    reason = require_reason(reason, "Give a reason for restricting the direct-bill account.")
    with transaction.atomic():
        enrollment = _set_direct_bill_status(
            actor=actor,
            partner=partner,
            target=DirectBillStatus.RESTRICTED,
            reason=reason,
            operation="direct_bill.restrict",
        )
        close_requests(
            actor=actor,
            partner=partner,
            topic=SupportTopic.RESTRICT_DIRECT_BILL,
            resolution=f"Restricted: {reason}",
        )
        _notify_status(partner, "restricted", reason)
    return enrollment


@audit.refusals("direct_bill.reactivate")
def direct_bill_reactivate(*, actor: User, partner: Partner, reason: str) -> DirectBillEnrollment:
    """DB-1: support staff move a direct-bill enrollment Restricted → Active, with a reason.

    DB-3/DB-6: refused while the tenant has an open indirect reseller enrollment, unless a
    direct-bill override already set the end of its indirect access.
    """
    require_staff(actor)
    reason = require_reason(reason, "Give a reason for reactivating the direct-bill account.")
    with transaction.atomic():
        _require_no_indirect_beside_active_direct_bill(locked_partner(partner))
        enrollment = _set_direct_bill_status(
            actor=actor,
            partner=partner,
            target=DirectBillStatus.ACTIVE,
            reason=reason,
            operation="direct_bill.reactivate",
        )
        close_requests(
            actor=actor,
            partner=partner,
            topic=SupportTopic.REACTIVATE_DIRECT_BILL,
            resolution=f"Reactivated: {reason}",
        )
        _notify_status(partner, "active again", reason)
    return enrollment


def _require_no_indirect_beside_active_direct_bill(partner: Partner) -> None:
    """DB-3/DB-6: direct-bill may become Active only when the tenant has no open indirect
    reseller enrollment, or when an approved direct-bill override already recorded the end of
    its indirect access (the grace period). No path leaves both programs running unbounded."""
    enrollment = open_indirect_enrollment(partner=partner)
    if enrollment is None or pending_override(partner=partner) is not None:
        return
    if enrollment.status in (IndirectStatus.SUBMITTED, IndirectStatus.UNDER_REVIEW):
        raise IndirectEnrollmentOpen(
            f"{partner} has an indirect reseller enrollment waiting for a decision (submitted "
            f"{enrollment.submitted_at:%d %b %Y}). A tenant whose direct-bill account is Active "
            "can't be an indirect reseller: reject that enrollment first, or leave the "
            "direct-bill account Restricted."
        )
    raise IndirectEnrollmentOpen(
        f"{partner} is an indirect reseller on this tenant (enrollment "
        f"{enrollment.get_status_display()}, approved {enrollment.decided_at:%d %b %Y}). A tenant "
        "whose direct-bill account is Active can't also be an indirect reseller, so the "
        "direct-bill account stays Restricted. To run direct-bill again, the partner applies "
        "for direct-bill with a new tenant."
    )


def _notify_status(partner: Partner, status_words: str, reason: str) -> None:
    """Notification rows and the queued email commit with the change; delivery is rung on
    commit by `queue_email`."""
    subject, body = render_message(
        "enrollment/email/direct_bill_status.txt", {"status_words": status_words, "reason": reason}
    )
    notifications.notify_partner(
        partner=partner,
        roles=(Role.GLOBAL_ADMIN,),
        subject=subject,
        body=body,
        url=reverse("account_programs"),
    )


@audit.refusals("direct_bill.close")
def direct_bill_close(*, actor: User, partner: Partner, reason: str) -> DirectBillEnrollment:
    """TX-1: a Global admin of the partner (or support staff) closes the direct-bill
    enrollment once no registered check blocks it (`enrollment.closing.blocking_reasons`);
    in the same transaction every registered close hook runs (TX-2: sandbox and trials gone;
    IR-1: every customer indirect)."""
    if not (actor is not None and actor.is_staff):
        require_role(actor, Role.GLOBAL_ADMIN)
        if actor.partner_id != partner.pk:
            raise SupportStaffOnly("You can close only your own organisation's enrollment.")
    reason = require_reason(reason, "Give a reason for closing the direct-bill enrollment.")
    with transaction.atomic():
        locked_partner(partner)
        blocking = closing.blocking_reasons(partner)
        if blocking:
            raise ClosingBlocked(
                "The direct-bill enrollment can't be closed yet: " + join_clauses(blocking) + ".",
                data=blocking,
            )
        enrollment = _set_direct_bill_status(
            actor=actor,
            partner=partner,
            target=DirectBillStatus.CLOSED,
            reason=reason,
            operation="direct_bill.close",
        )
        closing.run_close_hooks(actor=actor, partner=partner)  # TX-2, IR-1
        _notify_status(partner, "closed", reason)
    return enrollment
