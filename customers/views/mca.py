"""The Microsoft Customer Agreement: a partner's attestation and the customer admin's acceptance
in the admin center (MCA-2)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from core.exceptions import RuleViolation
from core.refusals import refuse_in_form
from core.roles import (
    customer_admin_required,
    customer_decision_refusal,
    customer_for,
    partner_required,
)
from enrollment import agreements

from ..forms import (
    McaAcceptForm,
    McaAttestForm,
)
from ..mca import mca_status_for
from ..models import McaMethod
from ..services.common import MCA_ROLES
from ..services.mca import mca_accept, mca_attest
from .common import back_to


@partner_required(*MCA_ROLES)
def mca_attest_view(request, pk):
    """MCA-2: attest the customer's acceptance (Admin agent or Sales agent)."""
    customer = customer_for(request.partner, pk)
    form = McaAttestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mca_attest(actor=request.user, customer=customer, **form.cleaned_data)
        except RuleViolation as error:
            refuse_in_form(form, error)
        else:
            messages.success(request, "The Microsoft Customer Agreement attestation is recorded.")
            return back_to(customer, "#mca")
    return render(
        request,
        "customers/mca_attest.html",
        {
            "customer": customer,
            "form": form,
            "mca": mca_status_for(customer=customer, partner=request.partner),
        },
    )


@customer_admin_required
def mca_admin_center_view(request):
    """The customer's admin reads the agreement summary and accepts it (MCA-2)."""
    customer = request.customer
    existing = customer.mca_acceptances.filter(method=McaMethod.ADMIN_CENTER).first()
    form = McaAcceptForm(
        request.POST or None,
        initial={"signatory_name": request.user.full_name, "signatory_email": request.user.email},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mca_accept(
                actor=request.user,
                signatory_name=data["signatory_name"],
                signatory_email=data["signatory_email"],
            )
        except RuleViolation as error:
            refuse_in_form(form, error)
        else:
            messages.success(
                request,
                "You accepted the Microsoft Customer Agreement. It holds for all your partners.",
            )
            return redirect("mca_admin_center")
    return render(
        request,
        "customers/mca_admin_center.html",
        {
            "customer": customer,
            "form": form,
            "acceptance": existing,
            "agreement": agreements.accepted(
                agreements.CUSTOMER_AGREEMENT, existing.agreement_version
            )
            if existing
            else agreements.current(agreements.CUSTOMER_AGREEMENT),
            "decision_refusal": customer_decision_refusal(
                request.user, "accept the Microsoft Customer Agreement"
            ),
        },
    )
