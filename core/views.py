"""Core pages: home dashboards per persona, the audit log, notifications, sent mail (staff),
the simulation clock (staff) and error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from . import (
    bulk,
    clock,
    csv_export,
    customer_picker,
    dashboard,
    keyset,
    notifications,
    program_rules,
    refusals,
    selectors,
    services,
)
from .exceptions import NotificationNotFound, RoleRequired, RuleViolation
from .forms import ClockForm, ClockResetForm
from .models import AuditEvent, BulkJob, CustomerRelationship, Notification, OutboundEmail
from .redirects import safe_next
from .roles import partner_required, role_help, staff_required


@login_required
def home(request):
    """Each persona's dashboard: partner, provider, customer admin or staff."""
    user = request.user
    persona = user.persona
    context = {"persona": persona, "panels": dashboard.panels_for(request)}
    if user.partner_id:
        partner = user.partner
        context["partner"] = partner
        context["relationship_counts"] = (
            CustomerRelationship.objects.active()
            .filter(partner=partner)
            .aggregate(  # customers, not relationships: a provider may have several (IR-4)
                total=Count("customer", distinct=True),
                direct=Count("customer", distinct=True, filter=Q(kind="direct")),
                indirect=Count("customer", distinct=True, filter=~Q(kind="direct")),
            )
        )
        context["recent_events"] = AuditEvent.objects.filter(partner=partner).select_related(
            "customer"
        )[:5]
    elif user.customer_id:
        context["customer"] = user.customer
        context["partners"] = (
            CustomerRelationship.objects.active()
            .filter(customer=user.customer)
            .select_related("partner", "reseller")
        )
    elif user.is_staff:
        context["queued_emails"] = OutboundEmail.objects.filter(status="queued").count()
        context["recent_events"] = AuditEvent.objects.select_related("partner", "customer")[:8]
    context["notifications"] = Notification.objects.filter(user=user, read_at__isnull=True)[:5]
    return render(request, f"core/home_{persona}.html", context)


@partner_required()
def audit_log(request):
    """The partner's own audit events, last 90 days, filterable (AC-4)."""
    retention = settings.PROGRAM_RULES["AUDIT_RETENTION_DAYS"]
    form, events = selectors.audit_log(partner=request.partner, params=request.GET)
    page = keyset.paginate(request, events, size=50, salt="audit_log")
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "retention_days": retention},
    )


@partner_required()
def audit_log_export(request):
    """The audit log as CSV, with the page's filters (AC-4, AC-2), streamed."""
    _form, events = selectors.audit_log(partner=request.partner, params=request.GET)
    return csv_export.streaming_csv(
        stem="audit-log",
        header=[
            "Time (UTC, simulated)",
            "Operation",
            "Outcome",
            "Customer",
            "Actor",
            "Object type",
            "Object id",
            "Old state",
            "New state",
            "Detail",
        ],
        rows=events.iterator(chunk_size=csv_export.CHUNK_SIZE),
        to_cells=lambda e: [
            e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.operation,
            e.outcome,
            e.customer.company_name if e.customer_id else "",
            e.actor_label,
            e.object_type,
            e.object_id,
            e.old_state,
            e.new_state,
            e.detail,
        ],
    )


@partner_required()
@require_GET
def customer_lookup(request):
    """The customer picker's JSON: at most PICKER_SIZE of the partner's own customers (AC-2) in
    the picker's scope whose name or domain contains `q`. An unknown scope is a 404."""
    customers = customer_picker.scope_customers(request.GET.get("scope", "all"), request.partner)
    if customers is None:
        return JsonResponse({"error": "Unknown picker scope."}, status=404)
    items = customer_picker.search(customers, request.GET.get("q", ""))
    return JsonResponse({"items": items, "limit": customer_picker.PICKER_SIZE})


@login_required
def notification_list(request):
    items = Notification.objects.filter(user=request.user)
    page = keyset.paginate(request, items, size=25, salt="notifications")
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_mark_read(request):
    count = notifications.notifications_mark_all_read(actor=request.user)
    messages.success(request, f"{count} notification(s) marked as read.")
    return redirect("notifications")


@login_required
@require_GET
def notification_open(request, pk):
    """Opening a notification marks it read and leads to the page it is about (AC-2: only the
    user's own; another's is 404)."""
    try:
        notification = notifications.notification_open(actor=request.user, notification_id=pk)
    except NotificationNotFound:
        raise Http404("No such notification.") from None
    return redirect(notifications.open_url(notification))


@login_required
@require_GET
def notification_open_link(request):
    """An email's link to a page (`?to=<path>`): the user's notifications about that page are
    marked read, as opening them here does, and it goes to the page."""
    url = request.GET.get("to", "")
    return redirect(notifications.notifications_open_url(actor=request.user, url=url))


@staff_required
def sent_mail(request):
    page = keyset.paginate(request, OutboundEmail.objects.all(), size=25, salt="sent_mail")
    return render(request, "core/sent_mail.html", {"page": page})


@staff_required
def sent_mail_detail(request, pk):
    email = get_object_or_404(OutboundEmail, pk=pk)
    return render(request, "core/sent_mail_detail.html", {"email": email})


@staff_required
def clock_control(request):
    """Staff move the simulation clock forward, within the AC-6 bound, or reset it to real time
    (also reachable from the admin)."""
    resetting = request.method == "POST" and "reset" in request.POST
    form = ClockForm(request.POST if request.method == "POST" and not resetting else None)
    reset_form = ClockResetForm(request.POST if resetting else None)
    if resetting and reset_form.is_valid():
        new = services.clock_reset(actor=request.user)
        messages.success(
            request, f"The simulation clock is back to real time: {new:%a %d %b %Y %H:%M} UTC."
        )
        return redirect("clock")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("to"):
                new = services.clock_advance(actor=request.user, delta=data["to"] - clock.now())
            else:
                new = services.clock_advance(actor=request.user, delta=data["delta"])
        except RuleViolation as error:
            refusals.add_to_form(form, error)
        else:
            messages.success(
                request,
                f"The simulation clock now reads {new:%a %d %b %Y %H:%M} UTC. "
                "Deadlines it passed are being fired by the sweep.",
            )
            return redirect(safe_next(request, "clock"))
    context = {
        "form": form,
        "reset_form": reset_form,
        "offset": clock.offset(),
        "bound": clock.bound(),
    }
    return render(request, "core/clock.html", context)


def error_400(request, exception=None):
    message = str(exception) if isinstance(exception, keyset.BadCursor) else ""
    hint = "Go back to the list and use its own links." if message else ""
    return render(request, "400.html", {"message": message, "hint": hint}, status=400)


@login_required
@require_GET
def program_rules_view(request):
    """The Program rules help page: every rule in plain words, one anchor per rule ID (the
    target of the Why? link on each refusal). Any signed-in user may read it."""
    return render(
        request,
        "core/program_rules.html",
        {"sections": program_rules.SECTIONS, "crumbs": [("Program rules", None)]},
    )


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    context = {"message": message}
    refusal = exception.args[0] if exception is not None and exception.args else None
    if isinstance(refusal, RoleRequired):  # a role is missing: say how to get it
        context.update(role_help(getattr(request, "user", None)))
    return render(request, "403.html", context, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors: the failure may be the database itself.
    return HttpResponseServerError(render_to_string("500.html"))


BULK_ITEMS_SHOWN = 500


@partner_required()
def bulk_job(request, pk):
    """A bulk job's progress bar and per-item results; `?format=json` for polling."""
    job = get_object_or_404(BulkJob, pk=pk, partner=request.partner)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "total": job.total,
                "processed": job.processed,
                "percent": job.percent,
            }
        )
    # Refusals first (what needs attention), then the items in order; a page at most.
    shown = list(job.items.order_by(F("ok").asc(nulls_last=True), "seq")[:BULK_ITEMS_SHOWN])
    labels = bulk.item_labels(job, [i.item for i in shown])
    rows = [{"item": i.item, "label": labels.get(i.item, i.item), **i.result} for i in shown]
    return render(
        request,
        "core/bulk_job.html",
        {"job": job, "rows": rows, "hidden": max(0, job.total - len(shown))},
    )
