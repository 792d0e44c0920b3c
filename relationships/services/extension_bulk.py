"""The bulk reseller relationship extension (MV-2..MV-5): start a job extending many customers
to one provider; the worker runs chunks of them through `relationship_extend_many`
(`relationships.tasks`)."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from core import audit, bulk
from core.exceptions import InvalidInput
from core.models import BulkJob, CustomerRelationship, Partner, User

from ..exceptions import ExtensionProviderNotAccepted
from .actors import partner_of
from .extension import accepted_partnership, check_request

BULK_OPERATION = "relationship.extend_bulk"
BULK_KIND = "relationships.extend"


@audit.refusals(BULK_OPERATION)
def relationship_extend_bulk(
    *,
    actor: User,
    customer_ids: Iterable[int | str],
    provider: Partner,
    consent_given_by: str,
    consent_given_on: date,
    consent_method: str,
    bill_to_sharing_confirmed: bool,
    back_url: str = "",
) -> BulkJob:
    """Start a bulk job extending each customer to `provider` (one result per customer).

    The checks that hold for every customer are made here, so a job that could only fail is
    never started; each customer's own checks run in `relationship_extend`.
    """
    who, how = check_request(
        actor,
        provider,
        consent_given_by,
        consent_given_on,
        consent_method,
        bill_to_sharing_confirmed,
    )
    if accepted_partnership(partner_of(actor), provider) is None:
        raise ExtensionProviderNotAccepted(
            f"You haven't accepted a partnership invitation from {provider.legal_name}."
        )
    try:
        wanted = {int(pk) for pk in customer_ids}
    except (TypeError, ValueError):
        raise InvalidInput("The customer selection is not valid.") from None
    # AC-2: only customers the partner has a relationship with (others are not its business).
    ids = list(
        CustomerRelationship.objects.active()
        .filter(partner=actor.partner, customer_id__in=wanted)
        .order_by("customer__company_name", "customer_id")
        .values_list("customer_id", flat=True)
    )
    if not ids:
        raise InvalidInput("Select at least one of your customers.")
    with transaction.atomic():
        job = bulk.start(
            kind=BULK_KIND,
            actor=actor,
            items=ids,
            params={
                "title": f"Extend reseller relationships to {provider.legal_name}",
                "provider_id": provider.pk,
                "consent_given_by": who,
                "consent_given_on": consent_given_on.isoformat(),
                "consent_method": how,
                "bill_to_sharing_confirmed": True,
                "back_url": back_url,
            },
        )
        audit.record(
            actor=actor,
            operation=BULK_OPERATION,
            obj=job,
            new_state="started",
            detail=f"{len(ids)} customer(s) to {provider.legal_name}.",
        )
    return job
