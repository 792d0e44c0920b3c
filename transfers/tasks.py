"""The transfer sweepers: a pending request the source has not answered in 30 days expires
(TR-7); a closed direct-bill partner keeps no sandbox or trial (TX-2). Registered with the
periodic sweep; idempotent and safe to run concurrently."""

from core.sweep import sweeper

from . import services


@sweeper
def expire_transfer_requests(now) -> int:
    return services.expire_due(now)


@sweeper
def remove_sandboxes_of_closed_partners(now) -> int:
    """TX-2: a closed direct-bill partner has no sandbox and no trial left (heals a close
    interrupted before they were removed)."""
    return services.remove_sandboxes_due(now)
