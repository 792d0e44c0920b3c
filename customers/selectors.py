"""Reads of the customers app: a partner's relationship with a customer (and a provider's per
reseller, IR-4), the list (constant number of queries), the customer page per relationship type
(CU-4, CU-5), a tenant's licence pool and the order request lists (IR-2). Keyword-only; the
services and pages call these, never the reverse."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum

from core import clock, memo
from core.models import Customer, CustomerRelationship, Partner, RelationshipKind

from . import history, hooks
from .catalog import price_of
from .mca import mca_status_for, status_from_flags, valid_method
from .models import (
    CustomerUser,
    McaMethod,
    Order,
    OrderRequest,
    OrderRequestStatus,
    ProductType,
    ServiceRequest,
    Subscription,
    SubscriptionStatus,
)

# --- relationships ----------------------------------------------------------------------------


def relationship_of(*, partner: Partner, customer: Customer) -> CustomerRelationship | None:
    """The partner's active relationship with the customer: its only one, except for a provider
    serving the customer for several resellers (IR-4), where it is the oldest of them (see
    `provider_relationship` to pick the one of a reseller)."""
    return (
        CustomerRelationship.objects.active()
        .filter(partner=partner, customer=customer)
        .select_related("reseller")
        .first()
    )


def resellers_served(*, provider: Partner, customer: Customer) -> list[Partner | None]:
    """The resellers `provider` serves `customer` for, oldest relationship first (IR-4; None
    for a relationship naming no reseller)."""
    return [
        r.reseller
        for r in CustomerRelationship.objects.active()
        .filter(partner=provider, customer=customer, kind=RelationshipKind.INDIRECT_PROVIDER)
        .select_related("reseller")
    ]


def provider_relationship(
    *, provider: Partner, customer: Customer, reseller: Partner | None = None
) -> CustomerRelationship | None:
    """The provider's active relationship with `customer` for `reseller` (IR-4: one per
    reseller). Without a reseller named: the only one, or None when there are several."""
    rels = CustomerRelationship.objects.active().filter(
        partner=provider, customer=customer, kind=RelationshipKind.INDIRECT_PROVIDER
    )
    if reseller is not None:
        return rels.filter(reseller=reseller).select_related("reseller").first()
    found = list(rels.select_related("reseller")[:2])
    return found[0] if len(found) == 1 else None


def provider_for(*, reseller: Partner, customer: Customer) -> CustomerRelationship | None:
    """The provider relationship serving `customer` for `reseller` (CU-1)."""
    return (
        CustomerRelationship.objects.active()
        .filter(customer=customer, kind=RelationshipKind.INDIRECT_PROVIDER, reseller=reseller)
        .select_related("partner")
        .first()
    )


# --- the customers list -----------------------------------------------------------------------

TYPE_FILTERS = [
    ("", "All types"),
    (RelationshipKind.DIRECT, "Direct-bill"),
    (RelationshipKind.INDIRECT_RESELLER, "Indirect (through a provider)"),
    (RelationshipKind.INDIRECT_PROVIDER, "Indirect (provider for a reseller)"),
]


def customer_list(*, partner: Partner, q: str = "", kind: str = "") -> QuerySet[Customer, Any]:
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
        mca_method=valid_method(partner=partner),
    )
    q = (q or "").strip()
    if q:
        customers = customers.filter(
            Q(company_name__icontains=q) | Q(tenant__domain__icontains=q) | Q(email__icontains=q)
        )
    if kind in RelationshipKind.values:
        customers = customers.filter(rel_kind=kind)  # type: ignore[misc]  # an annotation
    # The relationship breaks the tie between a provider's rows for one customer (IR-4), so
    # a keyset page boundary between them skips neither.
    return customers.order_by("company_name", "id", "rel_id")


def customer_count(*, partner: Partner, q: str = "", kind: str = "") -> int | None:
    """How many rows `customer_list` has without a search or filter: the partner's active
    relationships (one per row), counted once and kept until the partner's customers change
    (`memo`). None with a search or filter: then the list is counted."""
    if (q or "").strip() or kind in RelationshipKind.values:
        return None
    own = CustomerRelationship.objects.active().filter(partner=partner)
    return memo.get_or_compute(partner, "customers.count", own.count)


def decorate_rows(*, customers: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


# --- the customer page ------------------------------------------------------------------------


def subscription_tree(*, subscriptions: Iterable[Subscription]) -> list[Subscription]:
    """Base subscriptions in order, each with `.children` (its add-ons) — no extra query."""
    subs = list(subscriptions)
    by_id = {s.pk: s for s in subs}
    for s in subs:
        s.children = []  # type: ignore[attr-defined]
    roots = []
    for s in subs:
        if s.parent_id and s.parent_id in by_id:
            by_id[s.parent_id].children.append(s)  # type: ignore[attr-defined]
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


def _bars(
    rows: list[tuple[str, Any]], *, width: int = 420, bar_height: int = 22, gap: int = 8
) -> dict[str, Any]:
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


def customer_analytics(*, customer: Customer) -> dict[str, Any]:
    """Seats by product and monthly spend over the last 6 months, as SVG geometry (CU-4)."""
    subs = list(
        Subscription.objects.filter(customer=customer).only(
            "offer_id", "offer_name", "product_type", "quantity", "status", "created_at", "ended_at"
        )
    )
    seats: dict[str, int] = {}
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


def _billed_by(partner: Partner, customer: Customer) -> list[Subscription]:
    """The subscriptions `partner` bills (or billed) for `customer`, with what moved them away
    (IR-3: to whom and when from the successor, which request from `history`)."""
    subs = list(
        Subscription.objects.filter(customer=customer, billing_partner=partner)
        .select_related("transferred_to__billing_partner")
        .order_by("status", "offer_name", "created_at")
    )
    for sub in subs:
        sub.successor = getattr(sub, "transferred_to", None)  # type: ignore[attr-defined]  # None unless it was transferred
    return history.describe(subs)


def visible_relationships(
    *, partner: Partner, customer: Customer
) -> QuerySet[CustomerRelationship]:
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


def customer_page(*, partner: Partner, customer: Customer) -> dict[str, Any]:
    """Everything the customer page shows for `partner`'s relationship type (the partner has
    a relationship with the customer: `customer_for` found it)."""
    rel = relationship_of(partner=partner, customer=customer)
    assert rel is not None
    context: dict[str, Any] = {
        "customer": customer,
        "relationship": rel,
        "mca": mca_status_for(customer=customer, partner=partner),
        "partners": visible_relationships(partner=partner, customer=customer),
    }
    kind = rel.kind
    if kind in (RelationshipKind.DIRECT, RelationshipKind.INDIRECT_PROVIDER):
        context["subscriptions"] = subscription_tree(subscriptions=_billed_by(partner, customer))
        context["orders"] = (
            Order.objects.filter(customer=customer, billing_partner=partner)
            .select_related("placed_by", "partner_of_record")
            .prefetch_related("lines")[:20]
        )
    if kind == RelationshipKind.INDIRECT_PROVIDER:
        # IR-4: one or several
        context["resellers"] = resellers_served(provider=partner, customer=customer)
        context["order_requests"] = OrderRequest.objects.filter(
            customer=customer, provider=partner
        ).select_related("reseller", "requested_by")
    if kind == RelationshipKind.INDIRECT_RESELLER:
        provider_rel = provider_for(reseller=partner, customer=customer)
        context["provider"] = provider_rel.partner if provider_rel else None
        if provider_rel is not None:
            # MCA-3/MCA-4: what matters for the indirect customer is validity for the provider.
            context["mca_provider"] = mca_status_for(
                customer=customer, partner=provider_rel.partner
            )
        context["order_requests"] = OrderRequest.objects.filter(
            customer=customer, reseller=partner
        ).select_related("provider", "requested_by", "decided_by")
        # IR-2: what the providers bill with this partner as partner of record, read-only;
        # IR-3: what the partner billed itself before the move (Transferred, not Deleted).
        context["provider_subscriptions"] = subscription_tree(
            subscriptions=Subscription.objects.filter(customer=customer, partner_of_record=partner)
            .exclude(billing_partner=partner)
            .select_related("billing_partner")
            .order_by("status", "offer_name", "created_at")
        )
        context["direct_history"] = subscription_tree(subscriptions=_billed_by(partner, customer))
        context["tenant_users"] = CustomerUser.objects.filter(customer=customer)
        context["license_pool"] = license_pool(customer=customer)
        # CU-6: which GDAP roles the reseller holds, and why a tenant task is refused.
        rights = hooks.admin_rights(partner, customer)
        context["admin_rights"] = rights
        context["users_refusal"] = rights.refusal(hooks.MANAGE_USERS, customer)
        context["licenses_refusal"] = rights.refusal(hooks.ASSIGN_LICENSES, customer)
        context["service_requests"] = ServiceRequest.objects.filter(
            customer=customer, partner=partner
        ).select_related("created_by")
        context["analytics"] = customer_analytics(customer=customer)
    return context


def license_pool(*, customer: Customer) -> dict[str, dict[str, Any]]:
    """offer id → {'name', 'total', 'assigned', 'available'} over the customer's active
    license-based subscriptions (whoever bills them) and its users' assignments."""
    pool: dict[str, dict[str, Any]] = {}
    rows = (
        Subscription.objects.filter(
            customer=customer, status=SubscriptionStatus.ACTIVE, product_type=ProductType.LICENSE
        )
        .values("offer_id", "offer_name")
        .annotate(total=Sum("quantity"))
        .order_by("offer_name")
    )
    for row in rows:
        pool[row["offer_id"]] = {"name": row["offer_name"], "total": row["total"], "assigned": 0}
    for licenses in CustomerUser.objects.filter(customer=customer).values_list(
        "licenses", flat=True
    ):
        for offer_id in licenses:
            if offer_id in pool:
                pool[offer_id]["assigned"] += 1
    for entry in pool.values():
        entry["available"] = max(0, entry["total"] - entry["assigned"])
    return pool


# --- order requests (IR-2) --------------------------------------------------------------------


def requests_for_provider(*, provider: Partner, status: str = "") -> QuerySet[OrderRequest]:
    """The order requests a provider's resellers sent it, open ones first, oldest first."""
    qs = OrderRequest.objects.filter(provider=provider)
    if status in OrderRequestStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("customer", "reseller", "requested_by", "decided_by", "order")


def requests_of_reseller(*, reseller: Partner, status: str = "") -> QuerySet[OrderRequest]:
    """The order requests a reseller sent to its providers, newest first."""
    qs = OrderRequest.objects.filter(reseller=reseller)
    if status in OrderRequestStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("customer", "provider", "requested_by", "decided_by", "order")
