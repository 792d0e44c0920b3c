"""Indirect reseller enrollment by the partner (EN-1..EN-3, DB-3, DB-4, EN-7): a Global admin
submits it (the decision task is enqueued on commit, `decision`) and, once it is approved,
accepts the indirect reseller agreement."""

from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction

from core import audit, clock
from core.exceptions import InvalidInput
from core.fsm import apply_transition
from core.models import Partner, Role, User
from core.queue import enqueue
from core.roles import require_role

from .. import agreements
from ..exceptions import (
    AgreementNotAvailable,
    DirectBillOverridesIndirect,
    DirectBillStillActive,
    SupportStaffOnly,
)
from ..models import INDIRECT_TRANSITIONS, IndirectResellerEnrollment, IndirectStatus
from ..selectors import indirect_enrollment_refusals, open_indirect_enrollment, pending_override
from ..tasks import decide_enrollment
from .guards import locked_partner


@audit.refusals("indirect_enrollment.submit")
def indirect_enrollment_submit(
    *, actor: User, partner: Partner, legal_name: str, primary_contact_email: str
) -> IndirectResellerEnrollment:
    """EN-1..EN-3, DB-3, DB-4: a Global admin enrolls the tenant as indirect reseller.

    Idempotent (EN-3): while an enrollment is open, submitting again returns it. The partner
    row is locked so two concurrent submits serialise; the partial unique index is the
    backstop. The decision task is enqueued on commit (EN-4). The returned enrollment has
    `created` True when this call recorded it.
    """
    require_role(actor, Role.GLOBAL_ADMIN)  # EN-1
    if actor.partner_id != partner.pk:
        raise SupportStaffOnly("You can enroll only your own organisation.")
    legal_name = (legal_name or "").strip()
    primary_contact_email = (primary_contact_email or "").strip().lower()
    if not legal_name or not primary_contact_email:
        raise InvalidInput("Give the legal name and a primary contact email.")
    with transaction.atomic():
        locked = locked_partner(partner)
        existing = open_indirect_enrollment(partner=locked)
        if existing is not None:  # EN-3
            existing.created = False  # type: ignore[attr-defined]
            return existing
        refusals = indirect_enrollment_refusals(partner=locked)
        if refusals:
            raise refusals[0]
        now = clock.now()
        review_days = cast(int, settings.PROGRAM_RULES["ENROLLMENT_REVIEW_BUSINESS_DAYS"])
        try:
            with transaction.atomic():
                enrollment = IndirectResellerEnrollment.objects.create(
                    partner=locked,
                    legal_name=legal_name,
                    primary_contact_email=primary_contact_email,
                    submitted_by=actor,
                    submitted_at=now,
                    review_deadline=clock.add_business_days(now, review_days),
                )
        except IntegrityError:  # EN-3 backstop: another connection won the race
            winner = open_indirect_enrollment(partner=locked)
            assert winner is not None  # the open enrollment the unique index refused us for
            winner.created = False  # type: ignore[attr-defined]
            return winner
        audit.record(
            actor=actor,
            partner=locked,
            operation="indirect_enrollment.submit",
            obj=enrollment,
            new_state=IndirectStatus.SUBMITTED,
            detail=f"Legal name on the form: {legal_name}; contact: {primary_contact_email}",
        )
        enqueue(decide_enrollment, enrollment.pk)
    enrollment.created = True  # type: ignore[attr-defined]
    return enrollment


@audit.refusals("indirect_enrollment.accept_agreement")
def indirect_enrollment_accept_agreement(
    *, actor: User, partner: Partner
) -> IndirectResellerEnrollment:
    """EN-7: a Global admin accepts the indirect reseller agreement; the enrollment becomes
    active and indirect reseller capabilities (EN-8, PV, CU, MV) turn on.

    AC-7: the enrollment rules are checked again. DB-3/DB-6: refused while direct-bill is
    Active (after a direct-bill override the approved enrollment just ends with the grace
    period).
    """
    require_role(actor, Role.GLOBAL_ADMIN)
    if actor.partner_id != partner.pk:
        raise SupportStaffOnly("You can accept agreements only for your own organisation.")
    with transaction.atomic():
        enrollment = (
            IndirectResellerEnrollment.objects.select_for_update()
            .filter(partner=partner, status=IndirectStatus.APPROVED)
            .first()
        )
        if enrollment is None:
            raise AgreementNotAvailable()
        _require_agreement_still_allowed(locked_partner(partner))
        version = agreements.current(agreements.PARTNER_AGREEMENT).version
        apply_transition(
            enrollment,
            INDIRECT_TRANSITIONS,
            IndirectStatus.ACTIVE,
            actor=actor,
            partner=partner,
            operation="indirect_enrollment.accept_agreement",
            detail=f"Microsoft Partner Agreement (indirect reseller) version {version} accepted.",
            agreement_accepted_at=clock.now(),
            agreement_accepted_by=actor,
            agreement_version=version,
        )
    return enrollment


def _require_agreement_still_allowed(partner: Partner) -> None:
    """AC-7: the enrollment rules (EN-2, DB-3) still hold when the agreement is accepted."""
    for refusal in indirect_enrollment_refusals(partner=partner):
        if not isinstance(refusal, DirectBillStillActive):
            raise refusal
        override = pending_override(partner=partner)
        if override is not None:
            raise DirectBillOverridesIndirect(
                "Your direct-bill application was approved on "
                f"{override.decided_at:%d %b %Y} with the single-tenant override: the direct-bill "
                "program overrides the indirect reseller enrollment on this tenant, so the "
                "indirect reseller agreement can no longer be accepted here. The enrollment ends "
                f"on {override.indirect_access_ends_at:%d %b %Y}. To be an indirect reseller as "
                "well, enroll a new tenant.",
                rule="DB-6",
            )
        raise DirectBillOverridesIndirect(
            "Your direct-bill account became Active after this enrollment was approved, and a "
            "tenant whose direct-bill account is Active can't be an indirect reseller, so "
            "the agreement can't be accepted. Ask support to restrict the direct-bill account, or "
            "enroll a new tenant."
        )
