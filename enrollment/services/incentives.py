"""Indirect reseller incentives (EN-9): a newly enrolled reseller is invited, once."""

from core import audit, clock, notifications
from core.notifications import render_message

from ..models import IndirectResellerEnrollment


def incentives_invite(*, enrollment: IndirectResellerEnrollment) -> IndirectResellerEnrollment:
    """EN-9: invite the partner of an approved or active enrollment (locked by the sweep, not
    invited yet) to indirect reseller incentives, by email to the address of its partner
    program account."""
    partner = enrollment.partner
    enrollment.incentives_invited_at = clock.now()
    enrollment.save(update_fields=["incentives_invited_at"])
    audit.record(
        actor=None,
        partner=partner,
        operation="indirect_enrollment.incentives_invite",
        obj=enrollment,
        detail=f"Invitation sent to {partner.primary_contact_email}.",
    )
    subject, body = render_message(
        "enrollment/email/incentives_invitation.txt", {"partner": partner}
    )
    notifications.queue_email(
        to=[partner.primary_contact_email], subject=subject, body=body, partner=partner
    )
    return enrollment
