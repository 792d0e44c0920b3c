"""Transfers pages (TR-3..TR-8) and the Transition page (MCA-1, TR-2, TX-1). Views are thin:
each calls a service or a selector; a refusal is answered by `refusals.refuse` (or
`refuse_in_form` on a form page)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from core import keyset, refusals
from core.confirm import confirmed
from core.exceptions import RuleViolation
from core.models import Role
from core.roles import customer_for, partner_required, provider_required, require_role
from core.validators import parse_id
from enrollment.models import DirectBillStatus
from enrollment.services.direct_bill import direct_bill_close

from . import jobs, progress, readiness, selectors, services
from .exceptions import TransferNotFound
from .forms import CloseForm, TransferCreateForm
from .models import TransferStatus

PAGE_SIZE = 50


def _crumbs(*items):
    return [("Transfers", reverse("transfer_list")), *items]


def _optional_url(names, *args):
    """The first of `names` that resolves (another app's page may not exist yet)."""
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def _transfer_or_404(partner, pk):
    try:
        return selectors.transfer_for(partner=partner, transfer_id=pk)
    except TransferNotFound:
        raise Http404("No such transfer request.") from None


# --- Transfers -------------------------------------------------------------------------------


@partner_required()
def transfer_list(request):
    partner = request.partner
    form, qs = selectors.transfer_list(partner=partner, params=request.GET)
    page = keyset.paginate(request, qs, size=PAGE_SIZE, salt="transfers")
    pending_incoming = selectors.pending_incoming(source=partner).count()
    return render(
        request,
        "transfers/list.html",
        {
            "form": form,
            "page": page,
            "partner": partner,
            "pending_incoming": pending_incoming,
            "crumbs": [("Transfers", None)],
        },
    )


@partner_required()
def transfer_create(request):
    partner = request.partner
    initial = {}
    if request.GET.get("customer"):
        customer = customer_for(partner, request.GET["customer"])
        initial = {"customer": customer, "customer_email": customer.email}
    form = TransferCreateForm(request.POST or None, partner=partner, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.transfer_create(
                actor=request.user,
                customer=data["customer"],
                source_partner_id=data["source_partner_id"],
                customer_email=data["customer_email"],
                target_product_types=data["target_product_types"],
                partner_of_record=data.get("partner_of_record") or None,
            )
        except RuleViolation as error:
            refusals.refuse_in_form(form, error)
        else:
            messages.success(
                request,
                f"Transfer request #{transfer.pk} sent to {transfer.source.legal_name}. It "
                f"expires on {transfer.expires_at:%d %b %Y} if they don't submit it.",
            )
            return redirect("transfer_detail", pk=transfer.pk)
    return render(
        request,
        "transfers/create.html",
        {"form": form, "crumbs": _crumbs(("New transfer request", None))},
    )


@partner_required()
def transfer_detail(request, pk):
    partner = request.partner
    transfer = _transfer_or_404(partner, pk)
    is_source = transfer.source_id == partner.pk
    rows, target_refusal = [], ""
    if is_source and transfer.status == TransferStatus.PENDING:
        rows = selectors.eligibility(transfer=transfer)
        target_refusal = selectors.target_refusal(transfer=transfer)
    lines = transfer.lines.select_related("subscription", "new_subscription")
    return render(
        request,
        "transfers/detail.html",
        {
            "transfer": transfer,
            "is_source": is_source,
            "is_target": transfer.target_id == partner.pk,
            "rows": rows,
            "eligible_count": 0 if target_refusal else sum(1 for r in rows if r["eligible"]),
            "target_refusal": target_refusal,
            "lines": lines,
            "max_items": services.max_line_items(),
            "can_act": request.user.has_role(*services.TRANSFER_ROLES),
            "crumbs": _crumbs((f"Request #{transfer.pk}", None)),
        },
    )


@require_POST
@partner_required(*services.TRANSFER_ROLES)
def transfer_submit(request, pk):
    transfer = _transfer_or_404(request.partner, pk)
    try:
        transfer = services.transfer_submit(
            actor=request.user,
            transfer=transfer,
            subscription_ids=request.POST.getlist("subscriptions"),
        )
    except RuleViolation as error:
        return refusals.refuse(request, error, back=reverse("transfer_detail", args=[pk]))
    else:
        messages.success(
            request,
            f"Transfer complete: {transfer.lines.count()} subscription(s) moved to "
            f"{transfer.target.legal_name}.",
        )
    return redirect("transfer_detail", pk=transfer.pk)


@require_POST
@partner_required(*services.TRANSFER_ROLES)
def transfer_cancel(request, pk):
    transfer = _transfer_or_404(request.partner, pk)
    if not confirmed(request, "cancel the transfer request"):
        return redirect("transfer_detail", pk=transfer.pk)
    try:
        services.transfer_cancel(actor=request.user, transfer=transfer)
    except RuleViolation as error:
        return refusals.refuse(request, error, back=reverse("transfer_detail", args=[pk]))
    else:
        messages.success(request, f"Transfer request #{transfer.pk} cancelled.")
    return redirect("transfer_detail", pk=transfer.pk)


# --- Bulk (TR-2) -----------------------------------------------------------------------------


@provider_required()
def bulk_request(request):
    """The provider requests transfers for all of a reseller's ready customers."""
    provider = request.partner
    if request.method == "POST":
        try:
            require_role(request.user, *services.TRANSFER_ROLES)
            reseller = (
                selectors.resellers_of(provider=provider)
                .filter(pk=parse_id(request.POST.get("reseller")))
                .first()
            )
            if reseller is not None:
                job = jobs.start_request_all(actor=request.user, reseller=reseller)
                messages.success(request, f"Requesting transfers for {job.total} customer(s).")
                return redirect("bulk_job", pk=job.pk)
        except RuleViolation as error:
            return refusals.refuse(request, error, back=reverse("transfer_bulk_request"))
        messages.error(request, "Choose one of your resellers.")
    resellers = [
        (reseller, selectors.ready_customers(provider=provider, reseller=reseller).count())
        for reseller in selectors.resellers_of(provider=provider)
    ]
    return render(
        request,
        "transfers/bulk_request.html",
        {"resellers": resellers, "crumbs": _crumbs(("Request transfers in bulk", None))},
    )


@partner_required()
def bulk_submit(request):
    """The transitioning partner submits every pending request in one action."""
    if request.method == "POST":
        try:
            job = jobs.start_submit_all(actor=request.user)
        except RuleViolation as error:
            return refusals.refuse(request, error, back=reverse("transfer_bulk_submit"))
        messages.success(request, f"Submitting {job.total} transfer request(s).")
        return redirect("bulk_job", pk=job.pk)
    pending = selectors.pending_incoming(source=request.partner).select_related(
        "customer", "target"
    )
    return render(
        request,
        "transfers/bulk_submit.html",
        {
            "pending": pending[:PAGE_SIZE],  # one page shown; the button submits them all
            "count": pending.count(),
            "crumbs": _crumbs(("Submit all", None)),
        },
    )


# --- Transition (MCA-1, TR-2, TX-1) ----------------------------------------------------------


def _enrollment_or_404(partner):
    enrollment = selectors.direct_bill_enrollment(partner=partner)
    if enrollment is None:
        raise Http404("The Transition page is for direct-bill partners.")
    return enrollment


@partner_required()
def transition(request):
    partner = request.partner
    enrollment = _enrollment_or_404(partner)
    totals = readiness.page_totals(partner)
    current, q, qs = selectors.transition_checklist(partner=partner, params=request.GET)
    # Unfiltered, the rows are the customers the totals already counted (memoised).
    count = None if (q or current) else totals["customers"]
    page = keyset.paginate(request, qs, size=PAGE_SIZE, salt="transition", count=count)
    for customer in page.object_list:
        customer.extend_url = _optional_url(["relationship_extend"], customer.pk)
        # The customer's page holds the "Migrate to new commerce" action (TR-5) and its MCA
        # status. The reseller's own MCA attestation page is not linked: it doesn't count for
        # the provider (MCA-3), so the provider or the customer must fix it.
        customer.customer_url = _optional_url(["customer_detail"], customer.pk)
    progress_bars = readiness.progress(totals)
    providers = selectors.providers_serving(reseller=partner)
    pending_incoming = selectors.pending_incoming(source=partner).count()
    # The same check direct_bill_close runs (registered with enrollment.closing), fed the
    # totals this page already counted.
    orphans = readiness.orphans_shown(partner)
    blocking = (
        readiness.blocking_reasons(partner, totals, orphans=orphans)
        if enrollment.status != DirectBillStatus.CLOSED
        else []
    )
    return render(
        request,
        "transfers/transition.html",
        {
            "enrollment": enrollment,
            "page": page,
            "totals": totals,
            "progress": progress_bars,
            "charts": progress.transition_charts(partner, customers=totals["customers"]),
            "filters": [(key, label) for key, (label, _) in readiness.FILTERS.items()],
            "current": current,
            "q": q,
            "providers": providers,
            "pending_incoming": pending_incoming,
            "blocking": blocking,
            "orphans": orphans,
            "can_end_orphans": request.user.has_role(*services.ORPHAN_ROLES),
            "close_form": CloseForm(),
            "is_global_admin": request.user.has_role(Role.GLOBAL_ADMIN),
            "extend_bulk_url": _optional_url(["relationship_extend_bulk"]),
            "programs_url": _optional_url(["program_info", "account_programs"]),
            "crumbs": [("Transition", None)],
        },
    )


@require_POST
@partner_required(*services.ORPHAN_ROLES)
def orphan_end(request, sid):
    """TR-11 repair: end an add-on left behind by its base (listed on the Transition page).
    A subscription the partner doesn't bill is not found (AC-2); one it bills that isn't an
    orphan is refused by the service."""
    if not selectors.bills_subscription(partner=request.partner, subscription_id=sid):
        raise Http404("No such subscription.")
    if not confirmed(request, "end the add-on"):
        return redirect("transition")
    try:
        sub = services.subscription_end_orphan(actor=request.user, subscription=sid)
    except RuleViolation as error:
        return refusals.refuse(request, error, back=reverse("transition"))
    else:
        messages.success(request, f"{sub.offer_name} of {sub.customer.company_name} ended.")
    return redirect("transition")


@require_POST
@partner_required(Role.GLOBAL_ADMIN)
def transition_close(request):
    partner = request.partner
    _enrollment_or_404(partner)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for closing the direct-bill enrollment.")
        return redirect("transition")
    try:
        direct_bill_close(actor=request.user, partner=partner, reason=form.cleaned_data["reason"])
    except RuleViolation as error:
        return refusals.refuse(request, error, back=reverse("transition"))
    else:
        messages.success(
            request,
            "Your direct-bill enrollment is closed. You now work as an indirect reseller; your "
            "sandbox and API credentials no longer work.",
        )
    return redirect("transition")
