"""The transfer sweeper: a pending request the source has not answered in 30 days expires
(TR-7). Registered with the periodic sweep; idempotent and safe to run concurrently."""

from django.db.models import Q

from core.models import Partner
from core.sweep import sweeper
from customers.models import LIVE_STATUSES, Subscription
from enrollment.models import DirectBillStatus, Sandbox

from . import services


@sweeper
def expire_transfer_requests(now) -> int:
    return services.expire_due(now)


@sweeper
def remove_sandboxes_of_closed_partners(now) -> int:
    """TX-2: a closed direct-bill partner has no sandbox and no trial left (heals a close
    interrupted before they were removed)."""
    partners = Partner.objects.filter(
        Q(pk__in=Sandbox.objects.filter(deleted_at__isnull=True).values("partner_id"))
        | Q(
            pk__in=Subscription.objects.filter(is_trial=True, status__in=LIVE_STATUSES).values(
                "billing_partner_id"
            )
        ),
        direct_bill_enrollment__status=DirectBillStatus.CLOSED,
    )[:100]
    return sum(services.remove_sandboxes(partner=p) for p in partners)
