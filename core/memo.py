"""Values derived from a partner's data, computed once and kept in the database until the
partner's data changes (e.g. the Transition totals over all of a partner's customers).

Invalidation rides on the audit trail: every state change records an audit event naming the
partner and/or the customer (`audit.record`, `audit.record_many`), and once that transaction
commits, `invalidate` bumps the memos of the event's partner and of every partner related to
its customers. Code that writes rows without an audit event (the demo world) calls
`invalidate` itself. Memos hold only what the database says, never values that depend on time.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import PartnerMemo

# One statement, so a bump costs a single round trip after the commit. Rows are locked in id
# order: two bumps touching the same memos in different orders would otherwise deadlock.
BUMP_SQL = """
WITH affected AS (
    SELECT id FROM partnerportal_partnermemo
    WHERE partner_id = ANY(%(partners)s)
       OR partner_id IN (SELECT partner_id FROM partnerportal_customerrelationship
                         WHERE customer_id = ANY(%(customers)s))
       OR partner_id IN (SELECT reseller_id FROM partnerportal_customerrelationship
                         WHERE customer_id = ANY(%(customers)s))
    ORDER BY id
    FOR UPDATE
)
UPDATE partnerportal_partnermemo AS memo SET generation = memo.generation + 1
FROM affected WHERE memo.id = affected.id
"""


def get_or_compute(partner, name: str, compute):
    """`compute()` (a JSON-serialisable value) for `partner`, reused until `invalidate` names
    the partner or one of its customers.

    Inside a transaction it just computes: a memo written there could be computed before a
    concurrent change commits and saved after that change's bump, and so outlive it."""
    if connection.in_atomic_block:
        return compute()
    memos = PartnerMemo.objects.filter(partner=partner, name=name)
    fields = ("generation", "value_generation", "value", "computed_at")
    row = memos.values_list(*fields).first()
    if row is None:
        PartnerMemo.objects.bulk_create(
            [PartnerMemo(partner=partner, name=name)], ignore_conflicts=True
        )
        row = memos.values_list(*fields).get()
    generation, value_generation, value, computed_at = row
    now = timezone.now()
    if value_generation == generation and computed_at and now - computed_at < _max_age():
        return value
    # Read the generation first, compute second: a change committed in between bumps the
    # generation, so the update below no longer matches and the value is not kept.
    value = compute()
    memos.filter(generation=generation).update(
        value=value, value_generation=generation, computed_at=now
    )
    return value


def _max_age() -> timedelta:
    """The safety net under the audit-driven invalidation: a value is recomputed at the latest
    this long after it was computed, should a change have escaped the audit trail (a process
    killed between a commit and its bump, a raw SQL fix)."""
    return timedelta(seconds=settings.MEMO_MAX_AGE_SECONDS)


def invalidate(*, partner_ids=(), customer_ids=()) -> None:
    """Drop the memos of `partner_ids` and of every partner with a relationship (its own, or
    as the reseller an indirect provider serves) with one of `customer_ids`."""
    partners, customers = sorted(set(partner_ids)), sorted(set(customer_ids))
    if not (partners or customers):
        return
    with connection.cursor() as cursor:
        cursor.execute(BUMP_SQL, {"partners": partners, "customers": customers})
