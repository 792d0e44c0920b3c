"""The customer admin's Partner relationships page (MV-6, CU-1, CU-6)."""

from django.shortcuts import render

from core import clock
from core.models import CustomerRelationship
from core.roles import customer_admin_required

from .. import gdap as gdap_queries
from ..models import GdapRelationship, GdapStatus
from .common import crumbs


@customer_admin_required
def partner_relationships(request):
    """MV-6/CU-1/CU-6: every CSP partner of the customer, its roles and admin permissions."""
    customer = request.customer
    relationships = gdap_queries.annotate_admin_permissions(
        CustomerRelationship.objects.active()
        .filter(customer=customer)
        .select_related("partner", "reseller")
    )
    active = (
        GdapRelationship.objects.filter(
            customer=customer, status=GdapStatus.ACTIVE, ends_at__gt=clock.now()
        )
        .order_by("ends_at")
        .only("partner_id", "roles", "ends_at", "name")
    )
    by_partner = {}
    for g in active:
        by_partner.setdefault(g.partner_id, []).append(g)
    rows = []
    for r in relationships:
        roles = [r.get_kind_display()]
        if r.reseller_id:
            roles = [f"Indirect provider for {r.reseller.legal_name}"]
        rows.append(
            {
                "relationship": r,
                "roles": roles,
                "gdap": by_partner.get(r.partner_id, []),
            }
        )
    return render(
        request,
        "relationships/partner_relationships.html",
        {"rows": rows, "customer": customer, "crumbs": crumbs(("Partner relationships", ""))},
    )
