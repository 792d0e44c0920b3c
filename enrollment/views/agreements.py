"""Agreements (EN-7): the indirect reseller agreement appears after approval; a Global admin
accepts it."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core import refusals
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import partner_required

from .. import selectors
from ..capabilities import direct_bill_status
from ..models import IndirectStatus
from ..services import indirect
from .account import account_page


@partner_required()
def agreements(request):
    """Agreements (EN-7): the indirect reseller agreement appears after approval."""
    partner = request.partner
    enrollment = selectors.latest_indirect(partner=partner)
    shown = (
        enrollment
        if enrollment and enrollment.status in (IndirectStatus.APPROVED, IndirectStatus.ACTIVE)
        else None
    )
    return account_page(
        request,
        "enrollment/agreements.html",
        "agreements",
        {
            "enrollment": shown,
            "is_global": request.user.has_role(Role.GLOBAL_ADMIN),
            "direct_status": direct_bill_status(partner=partner),
        },
    )


@partner_required()
@require_POST
def agreement_accept(request):
    try:
        indirect.indirect_enrollment_accept_agreement(actor=request.user, partner=request.partner)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="agreements")
    messages.success(
        request,
        "You accepted the indirect reseller agreement. Indirect reseller capabilities are "
        "on: find your providers under Indirect providers.",
    )
    return redirect("agreements")
