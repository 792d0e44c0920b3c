"""Bulk transfer actions (Celery jobs through `core.bulk`), each calling the same
services as the pages; a rerun skips items already done, and each handler is itself idempotent
(an existing pending request or a completed request is reported, not repeated)."""

from core import bulk
from core.exceptions import RuleViolation
from core.models import Customer, Partner
from core.roles import require_role
from core.validators import ids_by_item

from . import selectors, services
from .exceptions import (
    NoRelationshipWithTarget,
    NothingSelected,
    NothingToDo,
    NothingToTransfer,
    TransferNotFound,
)
from .models import TransferRequest, TransferStatus

REQUEST_ALL = "transfers.request_all"
SUBMIT_ALL = "transfers.submit_all"


def start_request_all(*, actor, reseller):
    """TR-2: the provider requests transfers for all of a reseller's ready customers."""
    require_role(actor, *services.TRANSFER_ROLES)
    ids = list(
        selectors.ready_customers(provider=actor.partner, reseller=reseller).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        raise NothingToDo(
            f"None of {reseller.legal_name}'s customers is ready for a transfer request: each "
            "needs a relationship with you, no pending request, and a valid MCA."
        )
    return bulk.start(
        kind=REQUEST_ALL,
        actor=actor,
        items=ids,
        params={
            "title": f"Transfer requests to {reseller.legal_name}",
            "reseller": reseller.pk,
            "back_url": "/transfers/",
        },
    )


def start_submit_all(*, actor):
    """TR-2: the transitioning partner submits every pending request with all eligible
    subscriptions."""
    require_role(actor, *services.TRANSFER_ROLES)
    ids = list(selectors.pending_incoming(source=actor.partner).values_list("pk", flat=True))
    if not ids:
        raise NothingToDo("There are no pending transfer requests to submit.")
    return bulk.start(
        kind=SUBMIT_ALL,
        actor=actor,
        items=ids,
        params={"title": "Submit all pending transfer requests", "back_url": "/transition/"},
    )


def _customer_labels(ids):
    names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "company_name"))
    return {str(k): v for k, v in names.items()}


def _transfer_labels(ids):
    rows = TransferRequest.objects.filter(pk__in=ids).values_list(
        "pk", "customer__company_name", "target__legal_name"
    )
    return {str(pk): f"{name} → {target}" for pk, name, target in rows}


@bulk.handler(REQUEST_ALL, labels=_customer_labels, batch=True)
def request_chunk(job, items) -> dict:
    """Request transfers for a chunk of customers; one already requested counts as done."""
    reseller = Partner.objects.get(pk=job.params["reseller"])
    ids = ids_by_item(items)
    existing = dict(
        TransferRequest.objects.filter(
            customer_id__in=ids.values(),
            source=reseller,
            target=job.partner,
            status=TransferStatus.PENDING,
        ).values_list("customer_id", "pk")
    )
    customers = Customer.objects.filter(pk__in=ids.values()).exclude(pk__in=existing)
    outcomes = services.transfer_create_many(
        actor=job.created_by, source=reseller, customers=customers, partner_of_record=reseller
    )
    results = {}
    for item in items:
        pk = ids.get(item)
        outcome = outcomes.get(pk)
        if pk in existing:
            results[item] = f"Already requested (request #{existing[pk]})."
        elif outcome is None:
            results[item] = NoRelationshipWithTarget("This customer no longer exists.")
        elif isinstance(outcome, RuleViolation):
            results[item] = outcome
        else:
            results[item] = f"Transfer request #{outcome.pk} created."
    return results


@bulk.handler(SUBMIT_ALL, labels=_transfer_labels, batch=True)
def submit_chunk(job, items) -> dict:
    """Submit a chunk of requests with every eligible subscription; a completed one is done."""
    ids = ids_by_item(items)
    complete = set(
        TransferRequest.objects.filter(
            pk__in=ids.values(), source=job.partner, status=TransferStatus.COMPLETE
        ).values_list("pk", flat=True)
    )
    outcomes = services.transfer_submit_many(
        actor=job.created_by, transfer_ids=[pk for pk in ids.values() if pk not in complete]
    )
    results = {}
    for item in items:
        pk = ids.get(item)
        outcome = outcomes.get(pk)
        if pk in complete:
            results[item] = "Already complete."
        elif outcome is None:
            results[item] = TransferNotFound()
        elif isinstance(outcome, NothingSelected):
            results[item] = NothingToTransfer(
                "No subscription of this customer can be transferred: migrate legacy ones first."
            )
        elif isinstance(outcome, RuleViolation):
            results[item] = outcome
        else:
            results[item] = f"Complete: {len(outcome.moved)} subscription(s) moved."
    return results
