"""The Microsoft Customer Agreement (simulated text, `enrollment.agreements`) with the
acceptances of the partner's customers that the partner may see (AC-2): admin-center
acceptances, which hold for every partner, and the partner's own attestations (MCA-2, MCA-3) —
never another partner's attestation. A customer admin downloads the version its organisation
accepted in the admin center, with that acceptance."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.models import CustomerRelationship
from core.roles import customer_admin_required, partner_required
from enrollment import agreements
from enrollment.agreement_views import Records, agreement_download, agreement_page

from ..mca import _valid_q
from ..models import McaAcceptance, McaMethod


def customer_agreement_records(partner) -> Records:
    """Each acceptance valid for `partner` of a customer it has an active relationship with:
    the customer, how it was accepted, the signatory and date, who recorded it, the version."""
    customers = CustomerRelationship.objects.active().filter(partner=partner).values("customer")
    acceptances = (
        McaAcceptance.objects.filter(_valid_q(partner), customer__in=customers)
        .select_related("customer", "recorded_by")
        .order_by("customer__company_name", "-recorded_at", "pk")
    )

    def row(a):
        how = (
            "Customer, in the admin center"
            if a.method == McaMethod.ADMIN_CENTER
            else f"Attested by {partner.legal_name}"
        )
        return [
            a.customer.company_name,
            how,
            f"{a.signatory_name} <{a.signatory_email}>",
            f"{a.accepted_on:%Y-%m-%d}",
            a.recorded_by.email if a.recorded_by_id else "system",
            f"{a.recorded_at:%Y-%m-%d %H:%M}",
            a.agreement_version,
        ]

    return Records(
        columns=[
            "Customer",
            "Accepted",
            "Signatory",
            "Accepted on",
            "Recorded by",
            "Recorded at (UTC)",
            "Version",
        ],
        queryset=acceptances,
        cells=row,
        empty="None of your customers' acceptances is recorded yet.",
        notes=[
            "Your customers' acceptances that are valid for you: those made in the admin "
            "center (valid for every partner) and your own attestations."
        ],
    )


@partner_required()
def customer_agreement_text(request):
    return agreement_page(
        request,
        key=agreements.CUSTOMER_AGREEMENT,
        records=customer_agreement_records(request.partner),
        download_url=reverse("agreement_customer_download"),
    )


@partner_required()
def customer_agreement_download(request):
    return agreement_download(
        request,
        key=agreements.CUSTOMER_AGREEMENT,
        records=customer_agreement_records(request.partner),
    )


@customer_admin_required
@require_GET
def mca_admin_center_download(request, pk):
    """A customer admin downloads the agreement text its organisation accepted in the admin
    center (the version accepted) with that acceptance's record. Only its own tenant's: another
    customer's acceptance is not found (AC-2)."""
    acceptance = get_object_or_404(
        McaAcceptance,
        pk=pk,
        customer=request.customer,
        method=McaMethod.ADMIN_CENTER,
    )
    records = Records(
        columns=["Accepted", "Signatory", "Accepted on", "Recorded at (UTC)", "Version"],
        rows=[
            [
                "In the admin center",
                f"{acceptance.signatory_name} <{acceptance.signatory_email}>",
                f"{acceptance.accepted_on:%Y-%m-%d}",
                f"{acceptance.recorded_at:%Y-%m-%d %H:%M}",
                acceptance.agreement_version,
            ]
        ],
    )
    return agreement_download(
        request,
        key=agreements.CUSTOMER_AGREEMENT,
        records=records,
        agreement=agreements.accepted(agreements.CUSTOMER_AGREEMENT, acceptance.agreement_version),
        organisation=request.customer.company_name,
    )
