"""Is the Microsoft Customer Agreement valid for a partner? (MCA-2, MCA-3; used by MCA-4.)"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q

from .models import McaAcceptance, McaMethod


def _valid_q(partner):
    # An admin-center acceptance belongs to the customer and holds for every partner; an
    # attestation holds only for the partner that attested (MCA-3).
    return Q(method=McaMethod.ADMIN_CENTER) | Q(method=McaMethod.ATTESTATION, partner=partner)


def mca_valid_for(customer, partner) -> bool:
    return McaAcceptance.objects.filter(_valid_q(partner), customer=customer).exists()


def annotate_mca_valid(customers, partner, name="mca_valid"):
    """Annotate a Customer queryset with whether its MCA is valid for `partner` (one query)."""
    return customers.annotate(
        **{name: Exists(McaAcceptance.objects.filter(_valid_q(partner), customer=OuterRef("pk")))}
    )


@dataclass(frozen=True)
class McaStatus:
    """What a page shows about a customer's MCA for one partner (MCA-1, MCA-3)."""

    valid: bool
    method: str | None = None  # "admin_center", "attestation" or None
    accepted_on: date | None = None
    signatory: str = ""

    @property
    def label(self) -> str:
        if self.method == McaMethod.ADMIN_CENTER:
            return "Accepted in admin center"
        if self.valid:
            return "Valid for you (attested)"
        return "Not valid for you"

    @property
    def pill(self) -> str:
        return "success" if self.valid else "refused"


def status_from_flags(*, valid: bool, admin_center: bool) -> McaStatus:
    """The status from the two annotations of a list row (no extra query)."""
    if admin_center:
        return McaStatus(valid=True, method=McaMethod.ADMIN_CENTER)
    return McaStatus(valid=valid, method=McaMethod.ATTESTATION if valid else None)


def annotate_mca_admin_center(customers, name="mca_admin_center"):
    """Annotate whether the customer accepted the MCA in the admin center (valid for all)."""
    return customers.annotate(
        **{
            name: Exists(
                McaAcceptance.objects.filter(method=McaMethod.ADMIN_CENTER, customer=OuterRef("pk"))
            )
        }
    )


def mca_status_for(customer, partner) -> McaStatus:
    """The MCA state of `customer` as seen by `partner`: an admin-center acceptance counts for
    everyone; an attestation only for the partner that made it (MCA-3)."""
    acceptance = (
        McaAcceptance.objects.filter(_valid_q(partner), customer=customer)
        .order_by("method", "-recorded_at")  # "admin_center" sorts before "attestation"
        .first()
    )
    if acceptance is None:
        return McaStatus(valid=False)
    return McaStatus(
        valid=True,
        method=acceptance.method,
        accepted_on=acceptance.accepted_on,
        signatory=f"{acceptance.signatory_name} <{acceptance.signatory_email}>",
    )
