"""Sweepers of the customers app (NC-1, NC-3), fired by the periodic sweep at the simulation
clock's time. Trials first, so a trial that converts is renewed in the same sweep if its first
paid term has already ended too. Both work in set-based chunks (`customers.lifecycle`), not row
by row through `sweep.each_due`; the migration sweeper (`nce_migrations`) goes row by row."""

from datetime import datetime

from core.sweep import sweeper

from . import lifecycle


@sweeper
def end_trials(now: datetime) -> int:
    """NC-3: trials past their month convert to paid or expire."""
    return lifecycle.end_trials(now)


@sweeper
def renew_or_expire_terms(now: datetime) -> int:
    """NC-1: licence-based subscriptions past their term end renew or expire."""
    return lifecycle.renew_or_expire_terms(now)


from . import nce_migrations  # noqa: E402, F401  (registers the migration task and its sweeper)
