"""The customer admin's Partner relationships page (MV-6, CU-1, CU-6)."""

from django.shortcuts import render

from core.roles import customer_admin_required

from .. import selectors
from .common import crumbs


@customer_admin_required
def partner_relationships(request):
    """MV-6/CU-1/CU-6: every CSP partner of the customer, its roles and admin permissions."""
    customer = request.customer
    relationships = selectors.partners_of_customer(customer=customer)
    by_partner = {}
    for g in selectors.active_gdap_of_customer(customer=customer):
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
