"""The one writer of `CustomerRelationship` rows. The apps decide why a relationship starts or
changes, lock what they need and record the audit event under their own operation names
(`customer.create`, `relationship.create`, `reseller_relationship.extend`, ...); the rows
themselves are written here, and nowhere else.

The single service is the set-based one with one item. (Demo seeding writes its thousands of
starting relationships with COPY straight from dicts: that is data loading, not a change.)"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..copyrows import copy_insert
from ..models import Customer, CustomerRelationship, Partner, RelationshipKind


def customer_relationship_build(
    *,
    customer: Customer,
    partner: Partner,
    kind: str,
    origin: str,
    established_at: datetime,
    reseller: Partner | None = None,
    has_admin_privileges: bool = True,
    bill_to_copy: dict[str, Any] | None = None,
) -> CustomerRelationship:
    """An unsaved relationship, for `customer_relationship_create_many`."""
    return CustomerRelationship(
        customer=customer,
        partner=partner,
        kind=kind,
        origin=origin,
        reseller=reseller,
        has_admin_privileges=has_admin_privileges,
        bill_to_copy=bill_to_copy if bill_to_copy is not None else {},
        established_at=established_at,
    )


def customer_relationship_create_many(
    *, relationships: Iterable[CustomerRelationship]
) -> list[CustomerRelationship]:
    """Write the unsaved relationships in one statement (COPY for a large set); returns them
    with their pks. The database's unique index refuses a second active relationship of a
    partner (per reseller, IR-4) with IntegrityError, which the caller turns into its refusal."""
    return copy_insert(CustomerRelationship, relationships)


def customer_relationship_create(
    *,
    customer: Customer,
    partner: Partner,
    kind: str,
    origin: str,
    established_at: datetime,
    reseller: Partner | None = None,
    has_admin_privileges: bool = True,
    bill_to_copy: dict[str, Any] | None = None,
) -> CustomerRelationship:
    """Write one relationship (`customer_relationship_create_many` with one item)."""
    relationship = customer_relationship_build(
        customer=customer,
        partner=partner,
        kind=kind,
        origin=origin,
        established_at=established_at,
        reseller=reseller,
        has_admin_privileges=has_admin_privileges,
        bill_to_copy=bill_to_copy,
    )
    return customer_relationship_create_many(relationships=[relationship])[0]


def customer_relationship_grant_admin(*, relationship: CustomerRelationship) -> bool:
    """Let the partner of `relationship` (locked by the caller) request admin permissions
    (GDAP); True when that changed it, False when it had them already."""
    if relationship.has_admin_privileges:
        return False
    relationship.has_admin_privileges = True
    relationship.save(update_fields=["has_admin_privileges"])
    return True


def customer_relationship_become_indirect_many(
    *, relationships: Sequence[CustomerRelationship], at: datetime
) -> None:
    """IR-1: the direct-bill relationships given (locked by the caller) become indirect
    reseller relationships as of `at`, in one statement."""
    CustomerRelationship.objects.filter(pk__in=[r.pk for r in relationships]).update(
        kind=RelationshipKind.INDIRECT_RESELLER, became_indirect_at=at
    )
    for relationship in relationships:
        relationship.kind = RelationshipKind.INDIRECT_RESELLER
        relationship.became_indirect_at = at
