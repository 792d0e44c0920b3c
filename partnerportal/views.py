"""Core pages: home dashboards per persona, the audit log, notifications, sent mail (staff),
the simulation clock (staff) and error pages."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from . import bulk, clock, dashboard, program_rules, refusals, services
from .exceptions import RuleViolation
from .forms import AuditFilterForm, ClockForm, ClockResetForm, day_end, day_start
from .models import AuditEvent, BulkJob, CustomerRelationship, Notification, OutboundEmail
from .redirects import safe_next
from .roles import customers_of, partner_required, staff_required


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
    return render(request, f"partnerportal/home_{persona}.html", context)


@partner_required()
def audit_log(request):
    """The partner's own audit events, last 90 days, filterable (AC-4)."""
    partner = request.partner
    retention = settings.PROGRAM_RULES["AUDIT_RETENTION_DAYS"]
    events = AuditEvent.objects.filter(
        partner=partner, occurred_at__gte=clock.now() - timedelta(days=retention)
    ).select_related("customer")
    operations = (
        AuditEvent.objects.filter(partner=partner)
        .order_by()
        .values_list("operation", flat=True)
        .distinct()
    )
    form = AuditFilterForm(
        request.GET or None, customers=customers_of(partner), operations=sorted(operations)
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["customer"]:
            events = events.filter(customer=data["customer"])
        if data["operation"]:
            events = events.filter(operation=data["operation"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["start"]:
            events = events.filter(occurred_at__gte=day_start(data["start"]))
        if data["end"]:
            events = events.filter(occurred_at__lt=day_end(data["end"]))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partnerportal/audit_log.html",
        {"form": form, "page": page, "retention_days": retention},
    )


@login_required
def notification_list(request):
    items = Notification.objects.filter(user=request.user)
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    return render(request, "partnerportal/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_mark_read(request):
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=clock.now()
    )
    messages.success(request, f"{count} notification(s) marked as read.")
    return redirect("notifications")


@staff_required
def sent_mail(request):
    page = Paginator(OutboundEmail.objects.all(), 25).get_page(request.GET.get("page"))
    return render(request, "partnerportal/sent_mail.html", {"page": page})


@staff_required
def sent_mail_detail(request, pk):
    email = get_object_or_404(OutboundEmail, pk=pk)
    return render(request, "partnerportal/sent_mail_detail.html", {"email": email})


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
                new = clock.set_to(actor=request.user, when=data["to"])
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
    return render(request, "partnerportal/clock.html", context)


@login_required
@require_GET
def program_rules_view(request):
    """The Program rules help page: every rule in plain words, one anchor per rule ID (the
    target of the Why? link on each refusal). Any signed-in user may read it."""
    return render(
        request,
        "partnerportal/program_rules.html",
        {"sections": program_rules.SECTIONS, "crumbs": [("Program rules", None)]},
    )


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors: the failure may be the database itself.
    return HttpResponseServerError(render_to_string("500.html"))


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
    labels = bulk.item_labels(job)
    rows = [
        {"item": item, "label": labels.get(item, item), **job.results.get(item, {})}
        for item in job.params.get("items", [])
    ]
    return render(request, "partnerportal/bulk_job.html", {"job": job, "rows": rows})
