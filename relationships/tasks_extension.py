"""The bulk "Transfer customers to an indirect provider" job: one relationship extension per
customer, run by a worker with a result per customer. Imported by RelationshipsConfig.ready()
so the handler is registered in the web process and in the Celery worker."""

from datetime import date

from partnerportal import bulk
from partnerportal.models import Customer, Partner
from relationships.exceptions_extension import ExtensionAlreadyExists, ExtensionCustomerNotDirect
from relationships.models import RelationshipExtension
from relationships.services.extension import (
    ALREADY_ESTABLISHED,
    BULK_KIND,
    relationship_extend,
)


def customer_labels(item_ids) -> dict:
    ids = [int(i) for i in item_ids if str(i).isdigit()]
    return {
        str(pk): name
        for pk, name in Customer.objects.filter(pk__in=ids).values_list("pk", "company_name")
    }


@bulk.handler(BULK_KIND, labels=customer_labels)
def extend_one(job, item) -> str:
    """Extend one customer; a customer already extended to the provider counts as done."""
    params = job.params
    customer = Customer.objects.filter(pk=int(item)).first() if str(item).isdigit() else None
    if customer is None:
        raise ExtensionCustomerNotDirect("This customer no longer exists.")
    provider = Partner.objects.get(pk=params["provider_id"])
    # A rerun (or a second job) over customers already extended reports them as established.
    if RelationshipExtension.objects.filter(customer=customer, provider=provider).exists():
        return ALREADY_ESTABLISHED
    try:
        relationship_extend(
            actor=job.created_by,
            customer=customer,
            provider=provider,
            consent_given_by=params["consent_given_by"],
            consent_given_on=date.fromisoformat(params["consent_given_on"]),
            consent_method=params["consent_method"],
            bill_to_sharing_confirmed=params["bill_to_sharing_confirmed"],
        )
    except ExtensionAlreadyExists:
        return ALREADY_ESTABLISHED
    return f"Established: {provider.legal_name} now has a reseller relationship (no admin rights)."
