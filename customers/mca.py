"""Is the Microsoft Customer Agreement valid for a partner? (MCA-2, MCA-3; used by MCA-4.)"""

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
