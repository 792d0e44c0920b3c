"""Sweepers of the relationships app (PV-3, GD-1, GD-2): fired by the periodic sweep at the
simulation clock's time; each is idempotent (row locks with skip_locked, status re-checked)."""

from core.sweep import sweeper

from .services import gdap, invitations, partnerships


@sweeper
def expire_invitations(now) -> int:
    """PV-3: partnership and customer invitations past their expiry become Expired."""
    return partnerships.expire_partnership_invitations(
        now
    ) + invitations.expire_customer_invitations(now)


@sweeper
def gdap_lifecycle(now) -> int:
    """GD-1/GD-2: notices before the end, then end-or-extend, then unanswered requests."""
    return gdap.send_expiry_notices(now) + gdap.end_or_extend(now) + gdap.expire_requests(now)
