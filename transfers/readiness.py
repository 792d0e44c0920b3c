"""Transition readiness (MCA-1, TR-2, TX-1): every direct-bill customer of a transitioning
partner with its checklist, computed with annotations so a page of 50 customers costs the same
number of queries as a page of 5, whatever the partner's size."""

import hashlib

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from core import memo
from core.models import Customer, CustomerRelationship, RelationshipKind
from core.refusals import Reason
from customers.models import LEGACY_TYPES, LIVE_STATUSES, McaAcceptance, McaMethod, Subscription

from .models import TransferRequest, TransferStatus

ENDED = ["deleted", "expired"]

FILTERS = {
    "missing_provider": ("Missing provider", Q(provider_id__isnull=True)),
    "mca_missing": ("MCA missing", Q(provider_id__isnull=False, mca_valid=False)),
    "has_legacy": ("Has legacy subscriptions", Q(legacy_left__gt=0)),
    "ready": (
        "Ready for transfer",
        Q(provider_id__isnull=False, mca_valid=True, legacy_left=0, direct_left__gt=0),
    ),
    "open_transfer": ("Transfer requested", Q(open_transfers__gt=0)),
    "done": ("Done", Q(provider_id__isnull=False, mca_valid=True, direct_left=0)),
}


def _count(qs):
    return Coalesce(
        Subquery(
            qs.order_by().values("customer_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def transitioning_relationships(partner):
    """The partner's relationships with the customers it acquired as direct-bill: still direct,
    or become indirect by the move (IR-1). A customer that was indirect from the start (CU-3,
    an indirect invitation) is not part of the transition (TX-1)."""
    return CustomerRelationship.objects.active().filter(
        Q(kind=RelationshipKind.DIRECT) | Q(became_indirect_at__isnull=False), partner=partner
    )


def customers_of_transitioning(partner):
    """The customers of `transitioning_relationships`."""
    return Customer.objects.filter(
        Exists(transitioning_relationships(partner).filter(customer=OuterRef("pk")))
    )


def readiness(partner):
    """The partner's customers annotated with the checklist:

    provider_id / provider_name — the indirect provider serving the customer for this reseller;
    mca_valid — the MCA is valid for that provider (MCA-3: an attestation by the reseller does
    not count); direct_left — subscriptions still billed by the partner (TR-2); legacy_left —
    legacy ones to migrate first (TR-5); trials_left — trials, which can't transfer (TR-5) and
    end when the direct-bill enrollment closes; open_transfers — pending requests from this partner.
    """
    provider_rel = (
        CustomerRelationship.objects.active()
        .filter(customer=OuterRef("pk"), kind=RelationshipKind.INDIRECT_PROVIDER, reseller=partner)
        .order_by("established_at", "pk")
    )
    billed = Subscription.objects.filter(
        customer=OuterRef("pk"), billing_partner=partner, status__in=LIVE_STATUSES
    )
    live = billed.filter(is_trial=False)
    qs = customers_of_transitioning(partner).annotate(
        provider_id=Subquery(provider_rel.values("partner_id")[:1]),
        provider_name=Subquery(provider_rel.values("partner__legal_name")[:1]),
    )
    return qs.annotate(
        mca_valid=Exists(
            McaAcceptance.objects.filter(customer=OuterRef("pk")).filter(
                Q(method=McaMethod.ADMIN_CENTER)
                | Q(method=McaMethod.ATTESTATION, partner_id=OuterRef("provider_id"))
            )
        ),
        direct_left=_count(live),
        legacy_left=_count(live.filter(product_type__in=LEGACY_TYPES)),
        trials_left=_count(billed.filter(is_trial=True)),
        open_transfers=_count(
            TransferRequest.objects.filter(
                customer=OuterRef("pk"), source=partner, status=TransferStatus.PENDING
            )
        ),
    )


TOTALS_SQL = """
WITH mine AS (
    SELECT DISTINCT customer_id FROM partnerportal_customerrelationship
    WHERE partner_id = %(partner)s AND ended_at IS NULL
      AND (kind = %(direct_kind)s OR became_indirect_at IS NOT NULL)
), provider AS (
    SELECT DISTINCT ON (customer_id) customer_id, partner_id AS provider_id
    FROM partnerportal_customerrelationship
    WHERE reseller_id = %(partner)s AND kind = %(provider_kind)s AND ended_at IS NULL
    ORDER BY customer_id, established_at, id
), subs AS (
    SELECT customer_id,
           COUNT(*) FILTER (WHERE NOT is_trial) AS direct_left,
           COUNT(*) FILTER (WHERE NOT is_trial AND product_type = ANY(%(legacy)s)) AS legacy_left
    FROM customers_subscription
    WHERE billing_partner_id = %(partner)s AND status = ANY(%(live)s)
    GROUP BY customer_id
), open_transfers AS (
    SELECT DISTINCT customer_id FROM transfers_transferrequest
    WHERE source_id = %(partner)s AND status = %(pending)s
), row AS (
    SELECT p.provider_id,
           COALESCE(s.direct_left, 0) AS direct_left,
           COALESCE(s.legacy_left, 0) AS legacy_left,
           o.customer_id IS NOT NULL AS has_open,
           EXISTS (
               SELECT 1 FROM customers_mcaacceptance a
               WHERE a.customer_id = m.customer_id
                 AND (a.method = %(admin_center)s
                      OR (a.method = %(attestation)s AND a.partner_id = p.provider_id))
           ) AS mca_valid
    FROM mine m
    LEFT JOIN provider p USING (customer_id)
    LEFT JOIN subs s USING (customer_id)
    LEFT JOIN open_transfers o USING (customer_id)
)
SELECT COUNT(*),
       COUNT(*) FILTER (WHERE provider_id IS NOT NULL),
       COUNT(*) FILTER (WHERE provider_id IS NOT NULL AND mca_valid),
       COUNT(*) FILTER (WHERE legacy_left = 0),
       COUNT(*) FILTER (WHERE direct_left = 0),
       COUNT(*) FILTER (WHERE provider_id IS NOT NULL AND mca_valid AND legacy_left = 0
                        AND direct_left > 0),
       COUNT(*) FILTER (WHERE has_open),
       COUNT(*) FILTER (WHERE provider_id IS NOT NULL AND mca_valid AND direct_left = 0),
       (SELECT COALESCE(SUM(direct_left), 0) FROM subs)
FROM row
"""
TOTAL_KEYS = [
    "customers",
    "with_provider",
    "mca_ok",
    "no_legacy",
    "transferred",
    "ready",
    "with_open_transfers",
    "done",
    "subscriptions_left",
]


def totals(partner) -> dict:
    """The checklist counted over all the partner's customers, with the same definitions as
    `readiness()` and FILTERS, plus `subscriptions_left`: the partner's live direct-bill
    subscriptions, trials aside (of any customer). Set-based (grouped joins, one statement)
    rather than an aggregate over the per-row correlated subqueries, which cost ten times more
    at 10,000 customers."""
    params = {
        "partner": partner.pk,
        "direct_kind": RelationshipKind.DIRECT.value,
        "provider_kind": RelationshipKind.INDIRECT_PROVIDER.value,
        "legacy": [str(t) for t in LEGACY_TYPES],
        "live": [str(s) for s in LIVE_STATUSES],
        "pending": TransferStatus.PENDING.value,
        "admin_center": McaMethod.ADMIN_CENTER.value,
        "attestation": McaMethod.ATTESTATION.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(TOTALS_SQL, params)
        return dict(zip(TOTAL_KEYS, (int(n) for n in cursor.fetchone()), strict=True))


# Named after the keys too: a release that changes them never reads a value kept by the last.
TOTALS_MEMO = "transition.totals." + hashlib.sha256(" ".join(TOTAL_KEYS).encode()).hexdigest()[:8]


def page_totals(partner) -> dict:
    """`totals()` for the Transition page: counting 10,000 customers on every view costs more
    than the rest of the page, so the result is kept (`memo`) until the next change to the
    partner or one of its customers. Rule checks call `totals()`, which always counts."""
    return memo.get_or_compute(partner, TOTALS_MEMO, lambda: totals(partner))


def _percent(part: int, whole: int) -> int:
    return 100 if not whole else round(100 * part / whole)


def progress(t: dict) -> list[tuple[str, int, int]]:
    """The Transition page's progress bars from `totals()`: (label, customers done, percent).
    The trainers' Rehearsals board shows the same bars per trainee."""
    n = t["customers"]
    return [
        (label, t[key], _percent(t[key], n))
        for label, key in [
            ("With an indirect provider", "with_provider"),
            ("MCA valid for the provider", "mca_ok"),
            ("No legacy subscription left", "no_legacy"),
            ("All subscriptions transferred", "transferred"),
        ]
    ]


def blocking_reasons(partner, t: dict | None = None, *, orphans: list | None = None) -> list[str]:
    """TX-1: what must be true before the direct-bill enrollment can close (registered with
    `enrollment.closing`). `t`: the partner's `totals()` and `orphans`: its first orphaned
    add-ons (`orphans_shown`), when the caller has them already (the Transition page)."""
    t = t or totals(partner)
    reasons: list[str] = []
    missing_provider = t["customers"] - t["with_provider"]
    if missing_provider:
        reasons.append(
            Reason(
                f"{missing_provider} customer(s) have no relationship with an indirect "
                "provider: extend the reseller relationship to your provider.",
                "TX-1",
            )
        )
    mca_missing = t["with_provider"] - t["mca_ok"]
    if mca_missing:
        reasons.append(
            Reason(
                f"{mca_missing} customer(s) have no Microsoft Customer Agreement acceptance "
                "valid for their provider.",
                "MCA-1",
            )
        )
    left = t["subscriptions_left"]
    if left:
        reasons.append(
            Reason(
                f"{left} direct-bill subscription(s) are left: migrate legacy ones and transfer "
                "them all to your provider.",
                "TR-2",
            )
        )
    if orphans is None:
        orphans = list(orphaned_add_ons(partner)[: ORPHANS_NAMED + 1])
    orphans = orphans[: ORPHANS_NAMED + 1]
    if orphans:
        named = "; ".join(f"{s.offer_name} of {s.customer.company_name}" for s in orphans)
        reasons.append(
            Reason(
                f"Add-ons were left behind by their base subscription ({named}"
                f"{', and more' if len(orphans) > ORPHANS_NAMED else ''}): transfer each one to "
                "the partner that bills its base now (a request from that partner), or end it "
                "under Orphaned add-ons.",
                "TR-11",
            )
        )
    return reasons


ORPHANS_NAMED = 5


ORPHANS_LISTED = 50  # the Transition page lists the first 50 (and names the first 5)
ORPHANS_MEMO = "transition.orphans"


def orphans_shown(partner) -> list[Subscription]:
    """The first `ORPHANS_LISTED` orphaned add-ons, for the Transition page. Finding them joins
    every add-on of the partner with its base (~0.2 s at 100,000 customers), so their ids are
    kept (`memo`, like the totals) until the next change to the partner or one of its
    customers; the rows are read by primary key. Rule checks use `orphaned_add_ons`."""
    ids = memo.get_or_compute(
        partner,
        ORPHANS_MEMO,
        lambda: [
            str(pk)
            for pk in orphaned_add_ons(partner).values_list("pk", flat=True)[:ORPHANS_LISTED]
        ],
    )
    rows = {
        str(row.pk): row
        for row in Subscription.objects.filter(pk__in=ids, status__in=LIVE_STATUSES).select_related(
            "customer"
        )
    }
    return [rows[pk] for pk in ids if pk in rows]


def orphaned_add_ons(partner):
    """TR-11: the live add-ons `partner` bills whose base it no longer bills (the base ended or
    another partner bills it) — data an older version could leave behind. Each can be
    transferred on its own to the partner that bills its base now, or ended."""
    return (
        Subscription.objects.filter(
            billing_partner=partner, status__in=LIVE_STATUSES, parent__isnull=False
        )
        .filter(Q(parent__status__in=ENDED) | ~Q(parent__billing_partner=F("billing_partner")))
        .select_related("customer")
        .order_by("customer__company_name", "offer_name", "pk")
    )
