"""Direct-bill applications (DB-5, DB-6): a Global admin applies, support approve or reject;
an approved single-tenant override ends the tenant's indirect reseller access after the grace
period."""

from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.fsm import apply_transition, check_transition
from core.models import Partner, Role, User
from core.notifications import render_message
from core.roles import require_role

from ..exceptions import ChangedSinceRequest, SupportStaffOnly
from ..models import (
    DIRECT_BILL_APPLICATION_TRANSITIONS,
    INDIRECT_TRANSITIONS,
    ApplicationStatus,
    DirectBillApplication,
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
)
from ..selectors import (
    APPLICATION_REFUSALS,
    check_direct_bill_application,
    open_indirect_enrollment,
    submitted_application,
)
from .guards import locked_partner, require_reason, require_staff


@audit.refusals("direct_bill_application.submit")
def direct_bill_application_submit(
    *, actor: User, partner: Partner, single_tenant_override: bool = False
) -> DirectBillApplication:
    """DB-5/DB-6: a Global admin applies for direct-bill. Needs the minimum revenue; a tenant
    with an open indirect reseller enrollment (submitted to active) must confirm the
    single-tenant override (DB-6) — a new tenant is recommended. Idempotent: an open
    application is returned."""
    require_role(actor, Role.GLOBAL_ADMIN)
    if actor.partner_id != partner.pk:
        raise SupportStaffOnly("You can apply only for your own organisation.")
    with transaction.atomic():
        locked = locked_partner(partner)
        existing = submitted_application(partner=locked)
        if existing is not None:
            return existing
        check_direct_bill_application(partner=locked, override_confirmed=single_tenant_override)
        override = open_indirect_enrollment(partner=locked) is not None
        application = DirectBillApplication.objects.create(
            partner=locked,
            revenue_12m_usd=locked.revenue_12m_usd,
            single_tenant_override=override,
            submitted_by=actor,
            submitted_at=clock.now(),
        )
        audit.record(
            actor=actor,
            partner=locked,
            operation="direct_bill_application.submit",
            obj=application,
            new_state=ApplicationStatus.SUBMITTED,
            detail="Single-tenant override of the indirect reseller enrollment (DB-6)."
            if override
            else "New direct-bill tenant (DB-5).",
        )
    return application


@audit.refusals("direct_bill_application.approve")
def direct_bill_application_approve(*, actor: User, application_id: int) -> DirectBillApplication:
    """DB-5/DB-6: support approve; the direct-bill enrollment starts Active. For an override the
    indirect reseller access ends after DIRECT_OVERRIDE_GRACE_DAYS (fired by the sweep); an
    enrollment approved but not accepted ends then too, and its agreement can't be accepted
    meanwhile. AC-7: the application's rules are checked again; if they no longer hold (e.g.
    the tenant enrolled as indirect reseller after applying without the override) approval
    is refused with what changed."""
    require_staff(actor)
    with transaction.atomic():
        application = (
            DirectBillApplication.objects.select_for_update()
            .select_related("partner")
            .get(pk=application_id)
        )
        # A decided application is refused as such, before its rules are checked again.
        check_transition(
            DIRECT_BILL_APPLICATION_TRANSITIONS,
            application.status,
            ApplicationStatus.APPROVED,
            label="application status",
        )
        partner = locked_partner(application.partner)
        try:
            check_direct_bill_application(
                partner=partner, override_confirmed=application.single_tenant_override
            )
        except APPLICATION_REFUSALS as refusal:
            raise ChangedSinceRequest(
                "This application can't be approved. This changed after it was submitted: "
                f"{refusal} Reject it with that reason; the partner can apply again."
            ) from refusal
        now = clock.now()
        ends_at = None  # DB-6: when the indirect reseller access of an override ends
        if application.single_tenant_override:
            grace = cast(int, settings.PROGRAM_RULES["DIRECT_OVERRIDE_GRACE_DAYS"])
            ends_at = now + timedelta(days=grace)
        apply_transition(
            application,
            DIRECT_BILL_APPLICATION_TRANSITIONS,
            ApplicationStatus.APPROVED,
            label="application status",
            actor=actor,
            partner=partner,
            operation="direct_bill_application.approve",
            detail=f"Indirect reseller access ends {ends_at:%Y-%m-%d}." if ends_at else "",
            decided_at=now,
            decided_by=actor,
            indirect_access_ends_at=ends_at,
        )
        enrollment = DirectBillEnrollment.objects.create(
            partner=partner, enrolled_at=now, status_changed_at=now
        )
        audit.record(
            actor=actor,
            partner=partner,
            operation="direct_bill.enroll",
            obj=enrollment,
            new_state=DirectBillStatus.ACTIVE,
        )
        subject, body = render_message(
            "enrollment/email/direct_bill_application_approved.txt", {"application": application}
        )
        notifications.notify_partner(
            partner=partner,
            roles=(Role.GLOBAL_ADMIN,),
            subject=subject,
            body=body,
            url=reverse("account_programs"),
        )
    return application


@audit.refusals("direct_bill_application.reject")
def direct_bill_application_reject(
    *, actor: User, application_id: int, reason: str
) -> DirectBillApplication:
    require_staff(actor)
    reason = require_reason(reason, "Give the reason for the rejection.")
    with transaction.atomic():
        application = (
            DirectBillApplication.objects.select_for_update()
            .select_related("partner")
            .get(pk=application_id)
        )
        apply_transition(
            application,
            DIRECT_BILL_APPLICATION_TRANSITIONS,
            ApplicationStatus.REJECTED,
            label="application status",
            actor=actor,
            partner=application.partner,
            operation="direct_bill_application.reject",
            detail=reason,
            decided_at=clock.now(),
            decided_by=actor,
            rejection_reason=reason,
        )
    return application


def indirect_access_end_after_override(
    *, application: DirectBillApplication, now: datetime
) -> None:
    """DB-6: when the grace period ends, the tenant's indirect reseller enrollment ends. The
    sweeper calls this with the due application locked (`sweep.each_due`)."""
    reason = "Direct-bill program override (single tenant, DB-6)."
    for enrollment in IndirectResellerEnrollment.objects.select_for_update().filter(
        partner=application.partner,
        status__in=[IndirectStatus.APPROVED, IndirectStatus.ACTIVE],
    ):
        apply_transition(
            enrollment,
            INDIRECT_TRANSITIONS,
            IndirectStatus.ENDED,
            actor=None,
            partner=application.partner,
            operation="indirect_enrollment.end",
            detail=reason,
            at=now,
            ended_at=now,
            ended_reason=reason,
        )
    application.indirect_access_ended_at = now
    application.save(update_fields=["indirect_access_ended_at"])
