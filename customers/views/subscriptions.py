"""Direct-bill purchases (CU-5, refused while Restricted, DB-2) and the actions on an existing
subscription (NC-1..NC-4; a legacy one's migration, TR-5)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from core.exceptions import RuleViolation
from core.models import RelationshipKind
from core.refusals import refuse, refuse_in_form
from core.roles import (
    customer_for,
    partner_required,
)

from ..forms import (
    CancelForm,
    MigrationForm,
    PurchaseForm,
    QuantityForm,
    RenewalQuantityForm,
    SuspendForm,
)
from ..models import Subscription
from ..selectors import (
    relationship_of,
)
from ..services.common import MANAGE_ROLES
from ..services.migration import subscription_migrate_new_commerce
from ..services.orders import subscription_purchase
from ..services.subscriptions import (
    subscription_auto_renew,
    subscription_cancel,
    subscription_change_quantity,
    subscription_reactivate,
    subscription_schedule_quantity,
    subscription_suspend,
)
from .common import back_to, form_errors, section_url


@partner_required(*MANAGE_ROLES)
def purchase_view(request, pk):
    """Add products (direct-bill customers only, CU-5; refused while Restricted, DB-2)."""
    partner = request.partner
    customer = customer_for(partner, pk)
    rel = relationship_of(partner=partner, customer=customer)
    if rel.kind != RelationshipKind.DIRECT:
        raise Http404("No products to add for this customer.")
    form = PurchaseForm(request.POST or None, customer=customer, billing_partner=partner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sub = subscription_purchase(
                actor=request.user,
                customer=customer,
                offer_id=data["offer_id"],
                quantity=data["quantity"],
                parent=data["parent"],
                trial=data["trial"],
                convert_trial=data["convert_trial"],
            )
        except RuleViolation as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, f"Purchased {sub.offer_name} ×{sub.quantity}.")
            return back_to(customer, "#subscriptions")
    return render(request, "customers/purchase.html", {"customer": customer, "form": form})


SUBSCRIPTION_ACTIONS = {
    "quantity",
    "renewal-seats",
    "suspend",
    "reactivate",
    "cancel",
    "auto-renew",
    "migrate",
}
SUBSCRIPTION_FORMS = {
    "quantity": QuantityForm,
    "renewal-seats": RenewalQuantityForm,
    "cancel": CancelForm,
    "migrate": MigrationForm,
    "suspend": SuspendForm,
}


@require_POST
@partner_required(*MANAGE_ROLES)
def subscription_action_view(request, pk, sid, action):
    """Manage an existing subscription (allowed while Restricted, DB-2; NC-1..NC-4) or migrate
    a legacy one (TR-5). Another partner's subscription is 404 (AC-2)."""
    partner = request.partner
    customer = customer_for(partner, pk)
    if action not in SUBSCRIPTION_ACTIONS:
        raise Http404("No such action.")
    sub = get_object_or_404(Subscription, pk=sid, customer=customer, billing_partner=partner)
    actor = request.user
    form_class = SUBSCRIPTION_FORMS.get(action)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return form_errors(request, form, customer, "#subscriptions")
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "quantity":
            subscription_change_quantity(actor=actor, subscription=sub, quantity=data["quantity"])
            message = f"{sub.offer_name}: seat count is now {data['quantity']}."
        elif action == "renewal-seats":
            sub = subscription_schedule_quantity(
                actor=actor, subscription=sub, quantity=data["quantity"]
            )
            seats = sub.renewal_quantity or sub.quantity
            message = f"{sub.offer_name} renews with {seats} seats."
        elif action == "suspend":
            subscription_suspend(actor=actor, subscription=sub)
            message = f"{sub.offer_name} is suspended."
        elif action == "reactivate":
            subscription_reactivate(actor=actor, subscription=sub)
            message = f"{sub.offer_name} is active again."
        elif action == "cancel":
            subscription_cancel(actor=actor, subscription=sub)
            message = f"{sub.offer_name} is cancelled."
        elif action == "auto-renew":
            enabled = request.POST.get("enabled") == "on"
            subscription_auto_renew(actor=actor, subscription=sub, enabled=enabled)
            message = f"Auto-renew {'on' if enabled else 'off'} for {sub.offer_name}."
        else:
            new = subscription_migrate_new_commerce(
                actor=actor, subscription=sub, **form.service_kwargs()
            )
            message = (
                f"{sub.offer_name} was migrated to new commerce as {new.offer_name} "
                f"×{new.quantity}, {new.term_duration} billed {new.billing_cycle}."
            )
    except RuleViolation as error:
        return refuse(request, error, back=section_url(customer, "#subscriptions"))
    messages.success(request, message)
    return back_to(customer, "#subscriptions")
