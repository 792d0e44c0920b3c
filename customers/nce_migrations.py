"""Migrations of legacy subscriptions to new commerce run on the worker (TR-5), as Partner
Center runs them: "Create a migration" answers at once with a migration `Processing`, the
migration then completes (`Completed`, with the new subscription) or fails (`Failed`, with the
error), and "Get a migration" / "Get migrations" poll it.
https://learn.microsoft.com/en-us/partner-center/developer/create-migration
https://learn.microsoft.com/en-us/partner-center/developer/get-migration
"Validate migration eligibility" answers whether the same request would be accepted:
https://learn.microsoft.com/en-us/partner-center/developer/validate-migration-eligibility
"""

from datetime import datetime
from typing import Any

from celery import shared_task
from django.db import transaction

from core import audit, clock
from core.exceptions import RuleViolation
from core.fsm import apply_transition
from core.models import User
from core.queue import enqueue
from core.roles import require_role
from core.sweep import each_due, sweeper

from .exceptions import MigrationInProgress
from .models import (
    NEW_COMMERCE_MIGRATION_TRANSITIONS,
    MigrationStatus,
    NewCommerceMigration,
    Subscription,
)
from .services.common import MANAGE_ROLES
from .services.migration import checked_migration, subscription_migrate_new_commerce


def _options(
    term_duration: str | None, billing_cycle: str | None, quantity: Any, full_term: bool | None
) -> dict[str, Any]:
    return {
        "term_duration": term_duration or None,
        "billing_cycle": billing_cycle or None,
        "quantity": quantity,
        "full_term": full_term,
    }


def migration_eligibility(
    *,
    actor: User,
    subscription: Subscription,
    term_duration: str | None = None,
    billing_cycle: str | None = None,
    quantity: Any = None,
    full_term: bool | None = None,
) -> RuleViolation | None:
    """Why a migration with these options would be refused now, or None when it would be
    accepted (the same checks as `migration_create`; changes nothing)."""
    try:
        require_role(actor, *MANAGE_ROLES)
        with transaction.atomic():
            checked_migration(
                actor=actor,
                subscription=subscription,
                **_options(term_duration, billing_cycle, quantity, full_term),
                today=clock.today(),
            )
            _require_none_processing(subscription)
    except RuleViolation as refusal:
        return refusal
    return None


def _require_none_processing(subscription: Subscription) -> None:
    if NewCommerceMigration.objects.filter(
        current_subscription=subscription, status=MigrationStatus.PROCESSING
    ).exists():
        raise MigrationInProgress()


@audit.refusals("migration.create")
def migration_create(
    *,
    actor: User,
    subscription: Subscription,
    term_duration: str | None = None,
    billing_cycle: str | None = None,
    quantity: Any = None,
    full_term: bool | None = None,
) -> NewCommerceMigration:
    """Accept a migration of a legacy subscription (checked now, so a request that cannot
    succeed is refused at once) and hand it to the worker; it starts `processing`, holding the
    terms as checked (the legacy values where none were chosen)."""
    require_role(actor, *MANAGE_ROLES)
    options = _options(term_duration, billing_cycle, quantity, full_term)
    at = clock.now()
    with transaction.atomic():
        sub, (term, cycle, seats, _end) = checked_migration(
            actor=actor, subscription=subscription, **options, today=at.date()
        )
        _require_none_processing(sub)
        migration = NewCommerceMigration.objects.create(
            customer=sub.customer,
            partner=sub.billing_partner,
            current_subscription=sub,
            options={**options, "term_duration": term, "billing_cycle": cycle, "quantity": seats},
            requested_by=actor,
            created_at=at,
        )
        audit.record(
            actor=actor,
            operation="migration.create",
            customer=sub.customer,
            obj=migration,
            new_state=MigrationStatus.PROCESSING,
            detail=f"{sub.offer_name} to new commerce",
            at=at,
        )
        enqueue(run_migration, str(migration.pk))
    return migration


@audit.refusals("migration.run")
def migration_run(*, migration_id: str) -> NewCommerceMigration:
    """Run a processing migration through the subscription service: `completed` with the new
    subscription, or `failed` with the refusal's code and sentence. A migration that is no
    longer processing is left as it is (the task may run twice)."""
    at = clock.now()
    with transaction.atomic():
        migration = NewCommerceMigration.objects.select_for_update().get(pk=migration_id)
        if migration.status != MigrationStatus.PROCESSING:
            return migration
        try:
            with transaction.atomic():
                new = subscription_migrate_new_commerce(
                    actor=migration.requested_by,
                    subscription=migration.current_subscription,
                    **migration.options,
                )
        except RuleViolation as refusal:
            apply_transition(
                migration,
                NEW_COMMERCE_MIGRATION_TRANSITIONS,
                MigrationStatus.FAILED,
                actor=None,
                operation="migration.run",
                partner=migration.partner,
                customer=migration.customer,
                detail=str(refusal),
                at=at,
                error_code=refusal.code,
                error_description=str(refusal),
                completed_at=at,
            )
        else:
            apply_transition(
                migration,
                NEW_COMMERCE_MIGRATION_TRANSITIONS,
                MigrationStatus.COMPLETED,
                actor=None,
                operation="migration.run",
                partner=migration.partner,
                customer=migration.customer,
                at=at,
                new_subscription=new,
                completed_at=at,
            )
    return migration


@shared_task(name="customers.run_migration", acks_late=True)
def run_migration(migration_id: str) -> str:
    """The worker's side of `migration_create`."""
    return migration_run(migration_id=migration_id).status


@sweeper
def run_processing_migrations(now: datetime) -> int:
    """Migrations whose task never ran (broker down) are run by the periodic sweep, each in its
    own transaction (`sweep.each_due`; one a worker is running is passed over)."""

    def run(migration: NewCommerceMigration) -> bool:
        return migration_run(migration_id=str(migration.pk)).status != MigrationStatus.PROCESSING

    return each_due(NewCommerceMigration.objects.filter(status=MigrationStatus.PROCESSING), run)
