"""Periodic and background work of the relationships app: the sweepers (PV-3, GD-1, GD-2),
fired by the periodic sweep at the simulation clock's time, each idempotent (row locks with
skip_locked, status re-checked); and the bulk "Extend reseller relationships to an indirect
provider" job, the relationship extension for a chunk of customers at a time
(`relationship_extend_many`), run by a worker with a result per customer. Imported by
RelationshipsConfig.ready() so the sweepers and the bulk handler are registered in the web
process and in the Celery worker."""

from datetime import date

from core import bulk
from core.exceptions import RuleViolation
from core.models import Customer, Partner
from core.sweep import sweeper
from core.validators import ids_by_item, parse_ids

from .exceptions import ExtensionAlreadyExists, ExtensionCustomerNotDirect
from .models import RelationshipExtension
from .services import gdap_expiry, invitations, partnerships
from .services.extension import ALREADY_ESTABLISHED, relationship_extend_many
from .services.extension_bulk import BULK_KIND


@sweeper
def expire_invitations(now) -> int:
    """PV-3: partnership and customer invitations past their expiry become Expired."""
    return partnerships.expire_partnership_invitations(
        now
    ) + invitations.expire_customer_invitations(now)


@sweeper
def gdap_lifecycle(now) -> int:
    """GD-1/GD-2: notices before the end, then end-or-extend, then unanswered requests."""
    return (
        gdap_expiry.send_expiry_notices(now)
        + gdap_expiry.end_or_extend(now)
        + gdap_expiry.expire_requests(now)
    )


# --- the bulk relationship extension ---------------------------------------------------------


def customer_labels(item_ids) -> dict:
    ids = parse_ids(str(i) for i in item_ids)
    return {
        str(pk): name
        for pk, name in Customer.objects.filter(pk__in=ids).values_list("pk", "company_name")
    }


@bulk.handler(BULK_KIND, labels=customer_labels, batch=True)
def extend_chunk(job, items) -> dict:
    """Extend a chunk of customers; one already extended to the provider (a rerun, or a second
    job) counts as done."""
    params = job.params
    provider = Partner.objects.get(pk=params["provider_id"])
    ids = ids_by_item(items)
    done = set(
        RelationshipExtension.objects.filter(
            customer_id__in=ids.values(), provider=provider
        ).values_list("customer_id", flat=True)
    )
    outcomes = relationship_extend_many(
        actor=job.created_by,
        customer_ids=[pk for pk in ids.values() if pk not in done],
        provider=provider,
        consent_given_by=params["consent_given_by"],
        consent_given_on=date.fromisoformat(params["consent_given_on"]),
        consent_method=params["consent_method"],
        bill_to_sharing_confirmed=params["bill_to_sharing_confirmed"],
    )
    established = (
        f"Established: {provider.legal_name} now has a reseller relationship (no admin rights)."
    )
    results = {}
    for item in items:
        outcome = outcomes.get(ids.get(item))
        if ids.get(item) in done:
            results[item] = ALREADY_ESTABLISHED
        elif outcome is None:
            results[item] = ExtensionCustomerNotDirect("This customer no longer exists.")
        elif isinstance(outcome, ExtensionAlreadyExists):
            results[item] = ALREADY_ESTABLISHED
        elif isinstance(outcome, RuleViolation):
            results[item] = outcome
        else:
            results[item] = established
    return results
