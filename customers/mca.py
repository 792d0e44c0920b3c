"""Is the Microsoft Customer Agreement valid for a partner? (MCA-2, MCA-3; used by MCA-4.)

The customers app's MCA *policy*: the one definition of a valid acceptance (`_valid_q`), the
reads built on it and the status a page shows. Kept as its own module rather than moved into
`customers/selectors.py` because services of higher apps (relationships' extension, transfers'
submission) check it too, and the selectors import it; its functions are selectors all the same,
keyword-only and typed (issue 16)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, Subquery

from core.models import Customer, Partner

from .models import McaAcceptance, McaMethod


def _valid_q(partner: Partner | int) -> Q:
    # An admin-center acceptance belongs to the customer and holds for every partner; an
    # attestation holds only for the partner that attested (MCA-3).
    return Q(method=McaMethod.ADMIN_CENTER) | Q(method=McaMethod.ATTESTATION, partner=partner)


def mca_valid_for(*, customer: Customer, partner: Partner) -> bool:
    """True when `customer`'s MCA is valid for `partner` (MCA-3)."""
    return McaAcceptance.objects.filter(_valid_q(partner), customer=customer).exists()


def mca_valid_ids(*, customer_ids: Iterable[int], partner: Partner | int) -> set[int]:
    """The ids among `customer_ids` whose MCA is valid for `partner` (a partner or its id; one
    query)."""
    return set(
        McaAcceptance.objects.filter(_valid_q(partner), customer_id__in=customer_ids).values_list(
            "customer_id", flat=True
        )
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
    """The status of a list row from two flags: valid for the partner, accepted in the admin
    center (no query)."""
    if admin_center:
        return McaStatus(valid=True, method=McaMethod.ADMIN_CENTER)
    return McaStatus(valid=valid, method=McaMethod.ATTESTATION if valid else None)


def mca_status_for(*, customer: Customer, partner: Partner) -> McaStatus:
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


def valid_method(*, partner: Partner) -> Subquery:
    """The method of an acceptance that makes the MCA valid for `partner` ("admin_center"
    first) or None, as a subquery over the outer query's customer: `status_from_flags` reads a
    list row's status from it. Ordered and limited, it is looked up per row shown; an Exists()
    was answered by hashing every acceptance in the table."""
    acceptances = McaAcceptance.objects.filter(_valid_q(partner), customer=OuterRef("pk"))
    return Subquery(acceptances.order_by("method").values("method")[:1])
