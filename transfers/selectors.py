"""Reads of the transfers app: a partner's requests and what may move on them (AC-2: only
requests the partner is source or target of), the pages' lists and filters (shared by each
page and its CSV export), and the bulk jobs' sets."""

import uuid

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from core.models import Customer, CustomerRelationship, Partner, RelationshipKind
from core.validators import parse_id
from customers.models import Subscription
from enrollment.capabilities import not_transacting, not_transacting_reasons
from enrollment.models import DirectBillEnrollment

from . import readiness
from .eligibility import RECEIVE, EligibilityRow, eligibility_of
from .exceptions import TransferNotFound
from .forms import TransferFilterForm
from .models import TransferRequest, TransferStatus

# --- one request -----------------------------------------------------------------------------


def transfer_for(*, partner: Partner, transfer_id: object, lock: bool = False) -> TransferRequest:
    """The request if `partner` is its source or target; otherwise TransferNotFound (AC-2).
    `lock`: the row locked for update (the caller's transaction)."""
    pk = parse_id(transfer_id)
    if pk is None:
        raise TransferNotFound()
    qs = TransferRequest.objects.filter(Q(source=partner) | Q(target=partner), pk=pk)
    if lock:
        qs = qs.select_for_update(of=("self",))
    transfer = qs.select_related("customer", "source", "target", "partner_of_record").first()
    if transfer is None:
        raise TransferNotFound()
    return transfer


def eligibility(*, transfer: TransferRequest) -> list[EligibilityRow]:
    """The customer's live subscriptions billed by the source, each with whether it can be
    selected and why not; a base subscription lists the add-ons that move with it (TR-11)."""
    subs = Subscription.objects.filter(customer=transfer.customer_id).order_by(
        "parent_id", "offer_name", "id"
    )
    return eligibility_of(transfer, subs)


def customer_eligibility(
    *, partner: Partner, customer: Customer, transfer: TransferRequest | None = None
) -> list[EligibilityRow]:
    """`eligibility` rows of `customer`'s subscriptions billed by `partner`: against `transfer`
    when given (the caller must be its source), otherwise against an open request of any target
    and product type, so only the subscription's own state counts (TR-5, TR-6, TR-11)."""
    if transfer is None:
        transfer = TransferRequest(
            customer=customer, source=partner, target=partner, target_product_types=[]
        )
    elif transfer.source_id != partner.pk or transfer.customer_id != customer.pk:
        raise TransferNotFound()
    return eligibility(transfer=transfer)


def eligible_base_ids(
    *, transfer: TransferRequest, subs: list[Subscription] | None = None
) -> list[uuid.UUID]:
    """The ids a "submit everything eligible" selects (from `subs` when already loaded): the
    eligible base subscriptions, and orphaned add-ons that can rejoin their base (TR-11)."""
    rows = eligibility(transfer=transfer) if subs is None else eligibility_of(transfer, subs)
    return [row["subscription"].pk for row in rows if row["eligible"]]


def target_refusal(*, transfer: TransferRequest) -> str:
    """TR-10, for the page before submission: why the request's target can't receive
    subscriptions any more ("" when it can), e.g. it closed its direct-bill enrollment since."""
    why = not_transacting_reasons(partners=[transfer.target]).get(transfer.target_id)
    return str(not_transacting(partner=transfer.target, action=RECEIVE, why=why)) if why else ""


def partner_named(*, value: Partner | str | None) -> Partner | None:
    """The partner `value` names: itself, or the partner with that PartnerID (None for none)."""
    if value in (None, ""):
        return None
    if isinstance(value, Partner):
        return value
    return Partner.objects.filter(partner_id=str(value).strip()).first()


# --- the pages -------------------------------------------------------------------------------


def transfer_list(
    *, partner: Partner, params: QueryDict
) -> tuple[TransferFilterForm, QuerySet[TransferRequest]]:
    """The transfer requests `partner` is source or target of, filtered by the page's GET
    (direction, status, customer name): the bound form and the queryset, newest first."""
    form = TransferFilterForm(params or None)
    qs = TransferRequest.objects.filter(Q(source=partner) | Q(target=partner)).select_related(
        "customer", "source", "target"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["direction"] == "incoming":
            qs = qs.filter(source=partner)
        elif data["direction"] == "outgoing":
            qs = qs.filter(target=partner)
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["q"]:
            qs = qs.filter(customer__company_name__icontains=data["q"])
    return form, qs.order_by("-created_at", "-pk")


def transition_checklist(*, partner: Partner, params: QueryDict) -> tuple[str, str, QuerySet]:
    """The Transition checklist (MCA-1, TR-2, TX-1) filtered by the page's GET (`filter`, `q`):
    (the filter applied, the search, the annotated customers by name)."""
    qs = readiness.readiness(partner)
    current = params.get("filter", "")
    if current in readiness.FILTERS:
        qs = qs.filter(readiness.FILTERS[current][1])
    else:
        current = ""
    q = params.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(company_name__icontains=q)
    return current, q, qs.order_by("company_name", "pk")


def pending_incoming(*, source: Partner) -> QuerySet[TransferRequest]:
    """The pending requests `source` is asked to submit, oldest first (TR-2)."""
    return TransferRequest.objects.filter(source=source, status=TransferStatus.PENDING).order_by(
        "created_at", "pk"
    )


def direct_bill_enrollment(*, partner: Partner) -> DirectBillEnrollment | None:
    """The partner's direct-bill enrollment (the Transition page is for these partners)."""
    return DirectBillEnrollment.objects.filter(partner=partner).first()


def providers_serving(*, reseller: Partner) -> QuerySet:
    """The providers serving `reseller`'s customers, with how many each (the Transition page):
    rows of `partner__legal_name` and `n`."""
    return (
        CustomerRelationship.objects.active()
        .filter(reseller=reseller, kind=RelationshipKind.INDIRECT_PROVIDER)
        .values("partner__legal_name")
        .annotate(n=Count("pk"))
        .order_by("partner__legal_name")
    )


def bills_subscription(*, partner: Partner, subscription_id: uuid.UUID | str) -> bool:
    return Subscription.objects.filter(pk=subscription_id, billing_partner=partner).exists()


# --- the bulk jobs (TR-2) --------------------------------------------------------------------


def resellers_of(*, provider: Partner) -> QuerySet[Partner]:
    """The resellers whose customers `provider` serves (extended relationships), by name."""
    ids = (
        CustomerRelationship.objects.active()
        .filter(partner=provider, kind=RelationshipKind.INDIRECT_PROVIDER)
        .values("reseller_id")
    )
    return Partner.objects.filter(pk__in=ids).order_by("legal_name")


def ready_customers(*, provider: Partner, reseller: Partner) -> QuerySet[Customer]:
    """Customers served by `provider` for `reseller` (provider relationship) that have no
    pending request from `reseller` to `provider` yet."""
    return (
        Customer.objects.filter(
            Exists(
                CustomerRelationship.objects.active().filter(
                    customer=OuterRef("pk"),
                    partner=provider,
                    kind=RelationshipKind.INDIRECT_PROVIDER,
                    reseller=reseller,
                )
            )
        )
        .exclude(
            Exists(
                TransferRequest.objects.filter(
                    customer=OuterRef("pk"),
                    source=reseller,
                    target=provider,
                    status__in=[TransferStatus.PENDING, TransferStatus.COMPLETE],
                )
            )
        )
        .order_by("company_name", "pk")
    )
