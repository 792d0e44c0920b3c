"""IR-3: a subscription that moved by transfer shows as Transferred, with the request that
moved it (registered with `customers.history`)."""

from django.urls import reverse

from .models import LineStatus, TransferLineItem


def describe_transfers(subscriptions: list) -> None:
    """Set `transfer_request_id` and `transfer_url` on each subscription a completed transfer
    moved away (one query for the list)."""
    moved = [s for s in subscriptions if s.status == "deleted"]
    if not moved:
        return
    lines = dict(
        TransferLineItem.objects.filter(
            subscription__in=moved, status=LineStatus.COMPLETE
        ).values_list("subscription_id", "request_id")
    )
    for sub in moved:
        request_id = lines.get(sub.pk)
        if request_id is not None:
            sub.transfer_request_id = request_id
            sub.transfer_url = reverse("transfer_detail", args=[request_id])
