"""Reads for the customers pages: the list (constant number of queries) and the customer page
per relationship type (CU-4, CU-5)."""

from datetime import date
from decimal import Decimal

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import F, OuterRef, Q, Subquery

from core import clock, memo
from core.models import Customer, CustomerRelationship, RelationshipKind

from . import history, hooks
from .catalog import price_of
from .mca import mca_status_for, status_from_flags, valid_method
from .models import (
    CustomerUser,
    McaMethod,
    Order,
    OrderRequest,
    ProductType,
    ServiceRequest,
    Subscription,
    SubscriptionStatus,
)
from .services import license_pool, provider_for, relationship_of, resellers_served

TYPE_FILTERS = [
    ("", "All types"),
    (RelationshipKind.DIRECT, "Direct-bill"),
    (RelationshipKind.INDIRECT_RESELLER, "Indirect (through a provider)"),
    (RelationshipKind.INDIRECT_PROVIDER, "Indirect (provider for a reseller)"),
]


def customer_list(partner, *, q: str = "", kind: str = ""):
    """The partner's customers (AC-2) as rows for the list: `pk`, `company_name`, `domain`,
    `rel_kind`, the provider (`rel_provider`, for an indirect reseller) or the reseller
    (`rel_reseller`, for a provider) and `mca_method` (see `decorate_rows`) — one query
    whatever their number.

    One row per active relationship: one per customer, except that a provider serving a
    customer for several resellers (IR-4) gets one row per reseller, each labelled with it."""
    # The providers serving the customer for this partner, named together (IR-4: several).
    providers = (
        CustomerRelationship.objects.active()
        .filter(customer=OuterRef("pk"), kind=RelationshipKind.INDIRECT_PROVIDER, reseller=partner)
        .order_by()
        .values("customer")
        .annotate(names=StringAgg("partner__legal_name", ", ", order_by="partner__legal_name"))
        .values("names")
    )
    customers = Customer.objects.filter(
        relationships__partner=partner, relationships__ended_at__isnull=True
    ).values(
        "pk",
        "company_name",
        domain=F("tenant__domain"),
        rel_id=F("relationships__id"),
        rel_kind=F("relationships__kind"),
        rel_reseller=F("relationships__reseller__legal_name"),
        rel_provider=Subquery(providers),
        mca_method=valid_method(partner),
    )
    q = (q or "").strip()
    if q:
        customers = customers.filter(
            Q(company_name__icontains=q) | Q(tenant__domain__icontains=q) | Q(email__icontains=q)
        )
    if kind in RelationshipKind.values:
        customers = customers.filter(rel_kind=kind)
    # The relationship breaks the tie between a provider's rows for one customer (IR-4), so
    # a keyset page boundary between them skips neither.
    return customers.order_by("company_name", "id", "rel_id")


def customer_count(partner, *, q: str = "", kind: str = "") -> int | None:
    """How many rows `customer_list` has without a search or filter: the partner's active
    relationships (one per row), counted once and kept until the partner's customers change
    (`memo`). None with a search or filter: then the list is counted."""
    if (q or "").strip() or kind in RelationshipKind.values:
        return None
    own = CustomerRelationship.objects.active().filter(partner=partner)
    return memo.get_or_compute(partner, "customers.count", own.count)


def decorate_rows(customers):
    """Attach display fields to a page of rows (no query): the MCA state, the relationship's
    label and pill."""
    for c in customers:
        method = c["mca_method"]
        c["mca"] = status_from_flags(
            valid=method is not None, admin_center=method == McaMethod.ADMIN_CENTER
        )
        kind = c["rel_kind"]
        c["type_pill"] = "info" if kind == RelationshipKind.DIRECT else "success"
        if kind == RelationshipKind.DIRECT:
            c["type_label"] = "Direct-bill"
        elif kind == RelationshipKind.INDIRECT_RESELLER:
            provider = c["rel_provider"]
            c["type_label"] = f"Indirect via {provider}" if provider else "Indirect"
        else:
            c["type_label"] = f"Indirect provider for {c['rel_reseller'] or '—'}"
    return customers


def subscription_tree(subscriptions):
    """Base subscriptions in order, each with `.children` (its add-ons) — no extra query."""
    subs = list(subscriptions)
    by_id = {s.pk: s for s in subs}
    for s in subs:
        s.children = []
    roots = []
    for s in subs:
        if s.parent_id and s.parent_id in by_id:
            by_id[s.parent_id].children.append(s)
        else:
            roots.append(s)
    return roots


def _months_back(today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _bars(rows, *, width=420, bar_height=22, gap=8, label_width=0):
    """Geometry for a horizontal SVG bar chart: rows of (label, value)."""
    top = max((v for _, v in rows), default=0) or 1
    out = []
    for i, (label, value) in enumerate(rows):
        out.append(
            {
                "label": label,
                "value": value,
                "y": i * (bar_height + gap),
                "text_y": i * (bar_height + gap) + bar_height * 0.7,
                "width": max(2, round(width * float(value) / float(top))) if value else 0,
            }
        )
    return {"bars": out, "height": len(rows) * (bar_height + gap), "bar_height": bar_height}


def customer_analytics(customer) -> dict:
    """Seats by product and monthly spend over the last 6 months, as SVG geometry (CU-4)."""
    subs = list(
        Subscription.objects.filter(customer=customer).only(
            "offer_id", "offer_name", "product_type", "quantity", "status", "created_at", "ended_at"
        )
    )
    seats = {}
    for s in subs:
        if s.status == SubscriptionStatus.ACTIVE and s.product_type == ProductType.LICENSE:
            seats[s.offer_name] = seats.get(s.offer_name, 0) + s.quantity
    months = _months_back(clock.today(), 6)
    spend = []
    for start in months:
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        total = Decimal(0)
        for s in subs:
            if s.created_at.date() < end and (s.ended_at is None or s.ended_at.date() >= start):
                total += price_of(s.offer_id) * s.quantity
        spend.append((start.strftime("%b %Y"), total.quantize(Decimal("1"))))
    return {
        "seats": _bars(sorted(seats.items(), key=lambda kv: -kv[1])),
        "spend": _bars(spend),
        "has_data": bool(subs),
    }


def _billed_by(partner, customer) -> list[Subscription]:
    """The subscriptions `partner` bills (or billed) for `customer`, with what moved them away
    (IR-3: to whom and when from the successor, which request from `history`)."""
    subs = list(
        Subscription.objects.filter(customer=customer, billing_partner=partner)
        .select_related("transferred_to__billing_partner")
        .order_by("status", "offer_name", "created_at")
    )
    for sub in subs:
        sub.successor = getattr(sub, "transferred_to", None)  # None unless it was transferred
    return history.describe(subs)


def visible_relationships(partner, customer):
    """The customer's active relationships `partner` may see (AC-2, IR-4): its own, those of
    the providers serving the customer for it, and — for a provider — those of the resellers it
    serves the customer for. Nothing of another reseller or its provider relationship."""
    own = CustomerRelationship.objects.active().filter(partner=partner, customer=customer)
    served = own.filter(kind=RelationshipKind.INDIRECT_PROVIDER).values("reseller_id")
    return (
        CustomerRelationship.objects.active()
        .filter(customer=customer)
        .filter(
            Q(partner=partner) | Q(reseller=partner) | Q(partner__in=served, reseller__isnull=True)
        )
        .select_related("partner", "reseller")
    )


def customer_page(partner, customer) -> dict:
    """Everything the customer page shows for `partner`'s relationship type."""
    rel = relationship_of(partner, customer)
    context = {
        "customer": customer,
        "relationship": rel,
        "mca": mca_status_for(customer, partner),
        "partners": visible_relationships(partner, customer),
    }
    kind = rel.kind
    if kind in (RelationshipKind.DIRECT, RelationshipKind.INDIRECT_PROVIDER):
        context["subscriptions"] = subscription_tree(_billed_by(partner, customer))
        context["orders"] = (
            Order.objects.filter(customer=customer, billing_partner=partner)
            .select_related("placed_by", "partner_of_record")
            .prefetch_related("lines")[:20]
        )
    if kind == RelationshipKind.INDIRECT_PROVIDER:
        context["resellers"] = resellers_served(partner, customer)  # IR-4: one or several
        context["order_requests"] = OrderRequest.objects.filter(
            customer=customer, provider=partner
        ).select_related("reseller", "requested_by")
    if kind == RelationshipKind.INDIRECT_RESELLER:
        provider_rel = provider_for(partner, customer)
        context["provider"] = provider_rel.partner if provider_rel else None
        if provider_rel is not None:
            # MCA-3/MCA-4: what matters for the indirect customer is validity for the provider.
            context["mca_provider"] = mca_status_for(customer, provider_rel.partner)
        context["order_requests"] = OrderRequest.objects.filter(
            customer=customer, reseller=partner
        ).select_related("provider", "requested_by", "decided_by")
        # IR-2: what the providers bill with this partner as partner of record, read-only;
        # IR-3: what the partner billed itself before the move (Transferred, not Deleted).
        context["provider_subscriptions"] = subscription_tree(
            Subscription.objects.filter(customer=customer, partner_of_record=partner)
            .exclude(billing_partner=partner)
            .select_related("billing_partner")
            .order_by("status", "offer_name", "created_at")
        )
        context["direct_history"] = subscription_tree(_billed_by(partner, customer))
        context["tenant_users"] = CustomerUser.objects.filter(customer=customer)
        context["license_pool"] = license_pool(customer)
        # CU-6: which GDAP roles the reseller holds, and why a tenant task is refused.
        rights = hooks.admin_rights(partner, customer)
        context["admin_rights"] = rights
        context["users_refusal"] = rights.refusal(hooks.MANAGE_USERS, customer)
        context["licenses_refusal"] = rights.refusal(hooks.ASSIGN_LICENSES, customer)
        context["service_requests"] = ServiceRequest.objects.filter(
            customer=customer, partner=partner
        ).select_related("created_by")
        context["analytics"] = customer_analytics(customer)
    return context
