"""App management › Webhooks: the partner's registration, its recent deliveries, Send test event
and Redeliver. Every change goes through `webhooks.services`."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import refusals, shown_once
from core.exceptions import RuleViolation
from core.roles import partner_required

from . import services
from .forms import RegistrationForm
from .models import WebhookDelivery, WebhookRegistration

RECENT = 50


@partner_required()
def webhook_list(request):
    registration = WebhookRegistration.objects.filter(partner=request.partner).first()
    initial = (
        {"webhook_url": registration.webhook_url, "webhook_events": registration.events}
        if registration
        else {}
    )
    form = RegistrationForm(request.POST or None, initial=initial)
    secret = shown_once.take(request, "webhook_secret") if request.method == "GET" else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new_secret = _save(request, registration, form.cleaned_data)
            except RuleViolation as error:
                refusals.refuse_in_form(form, error)
                status = 400
            else:
                if new_secret:  # PRG: shown once by the GET this redirects to
                    shown_once.keep(request, "webhook_secret", new_secret)
                return redirect("webhooks")
        else:
            status = 400
    deliveries = (
        WebhookDelivery.objects.filter(registration__partner=request.partner)
        .select_related("event", "registration")
        .order_by("-event_id", "-id")[:RECENT]
    )
    context = {
        "form": form,
        "registration": registration,
        "secret": secret,
        "deliveries": deliveries,
    }
    response = render(request, "webhooks/list.html", context, status=status)
    if secret:
        response["Cache-Control"] = "no-store"
    return response


def _save(request, registration, data) -> str | None:
    """Register (returns the new secret, shown once) or update the registration."""
    arguments = {
        "actor": request.user,
        "webhook_url": data["webhook_url"],
        "webhook_events": data["webhook_events"],
        "portal_host": request.get_host(),
    }
    if registration is None:
        _, secret = services.webhook_register(**arguments)
        messages.success(request, "Webhook registered. Copy the signing secret now.")
        return secret
    services.webhook_update(**arguments)
    messages.success(request, "Webhook registration updated.")
    return None


@partner_required()
@require_POST
def webhook_send_test(request):
    try:
        event = services.webhook_send_test(actor=request.user)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="webhooks")
    messages.success(request, f"Test event {event.event_id} queued.")
    return redirect("webhooks")


@partner_required()
@require_POST
def webhook_redeliver(request, pk):
    delivery = WebhookDelivery.objects.filter(pk=pk, registration__partner=request.partner).first()
    if delivery is None:
        raise Http404("No such delivery.")
    try:
        services.webhook_redeliver(actor=request.user, delivery=delivery)
    except RuleViolation as error:
        return refusals.refuse(request, error, back="webhooks")
    messages.success(request, "The event is queued again, with the same event id.")
    return redirect("webhooks")
