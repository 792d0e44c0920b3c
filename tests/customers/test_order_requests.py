"""IR-2: the indirect reseller sees what its provider bills and asks it to order; the provider
works a queue of its resellers' requests, fulfils or declines them; both are told."""

import pytest
from django.urls import reverse

from core.exceptions import InvalidInput, RoleRequired
from core.models import AuditEvent, Notification
from customers import services
from customers.catalog import M365_BP
from customers.exceptions import OrderRequestClosed
from customers.models import Order, OrderRequest, Subscription
from tests import factories as f
from tests.factories import make_indirect


def _ask(world, quantity=15):
    return services.order_request_create(
        actor=world.reseller_admin,
        customer=world.customer,
        offer_id=M365_BP,
        quantity=quantity,
        note="For the new office",
    )


def _state(req):
    req.refresh_from_db()
    return (req.status, req.order_id, req.decided_at, req.decline_reason)


@pytest.mark.rule("IR-2")
def test_ir2_reseller_sees_provider_billed_subscriptions_read_only(indirect, client):
    services.order_submit(
        actor=indirect.provider_admin, customer=indirect.customer, offer_id=M365_BP, quantity=8
    )
    client.force_login(indirect.reseller_admin)
    page = client.get(reverse("customer_detail", args=[indirect.customer.pk])).content.decode()
    table = page[page.index('data-testid="provider-subscriptions"') :]
    table = table[: table.index("</table>")]
    assert "Microsoft 365 Business Premium" in table
    assert f"billed by {indirect.provider.legal_name}" in table
    assert "Your provider manages it" in table
    assert "Change seats" not in table and "Suspend" not in table
    # Read-only for real: the subscription action is not found for the reseller (AC-2).
    sub = Subscription.objects.get(customer=indirect.customer)
    response = client.post(
        reverse("subscription_action", args=[indirect.customer.pk, sub.pk, "suspend"])
    )
    assert response.status_code == 404
    sub.refresh_from_db()
    assert sub.status == "active" and sub.partner_of_record == indirect.reseller


@pytest.mark.rule("IR-2")
def test_ir2_provider_fulfils_a_request_from_its_queue(indirect, client):
    req = _ask(indirect)
    assert Notification.objects.filter(
        user=indirect.provider_admin, subject__contains="asks you to order"
    ).exists()
    client.force_login(indirect.provider_admin)
    queue = client.get(reverse("order_request_list")).content.decode()
    assert indirect.reseller.legal_name in queue and "Fulfil: order 15" in queue
    client.post(reverse("order_request_fulfil", args=[req.pk]))
    status, order_id, decided_at, _ = _state(req)
    assert status == "ordered" and order_id and decided_at
    order = Order.objects.get(pk=order_id)
    assert order.billing_partner == indirect.provider
    assert order.partner_of_record == indirect.reseller
    sub = order.lines.get().subscription
    assert (sub.billing_partner, sub.partner_of_record, sub.quantity) == (
        indirect.provider,
        indirect.reseller,
        15,
    )
    assert AuditEvent.objects.filter(
        operation="order_request.fulfil", partner=indirect.reseller
    ).exists()
    assert Notification.objects.filter(
        user=indirect.reseller_admin, subject__contains="ordered"
    ).exists()
    # The reseller sees the status on its own list.
    client.force_login(indirect.reseller_admin)
    mine = client.get(reverse("order_request_list")).content.decode()
    assert "Ordered by the provider" in mine and f"order #{order_id}" in mine
    # A fulfilled request can't be fulfilled or declined again; nothing changes.
    before = (_state(req), Order.objects.count())
    with pytest.raises(OrderRequestClosed, match="already ordered"):
        services.order_request_decline(
            actor=indirect.provider_admin, order_request_id=req.pk, reason="late"
        )
    with pytest.raises(OrderRequestClosed):
        services.order_submit(
            actor=indirect.provider_admin,
            customer=indirect.customer,
            offer_id=M365_BP,
            quantity=15,
            order_request=req,
        )
    assert (_state(req), Order.objects.count()) == before


@pytest.mark.rule("IR-2")
def test_ir2_provider_declines_with_a_reason_the_reseller_sees(indirect, client):
    req = _ask(indirect)
    # Refusal: no reason, nothing changes.
    with pytest.raises(InvalidInput, match="reason"):
        services.order_request_decline(
            actor=indirect.provider_admin, order_request_id=req.pk, reason="   "
        )
    assert _state(req) == ("open", None, None, "")
    client.force_login(indirect.provider_admin)
    client.post(reverse("order_request_decline", args=[req.pk]), {"reason": "Out of credit"})
    status, order_id, decided_at, reason = _state(req)
    assert (status, order_id, reason) == ("declined", None, "Out of credit") and decided_at
    assert not Order.objects.exists()
    assert Notification.objects.filter(
        user=indirect.reseller_admin, subject__contains="declined"
    ).exists()
    client.force_login(indirect.reseller_admin)
    page = client.get(reverse("customer_detail", args=[indirect.customer.pk])).content.decode()
    assert "Declined" in page and "Out of credit" in page


@pytest.mark.rule("IR-2")
@pytest.mark.rule("AC-2")
def test_ir2_only_the_addressed_provider_decides(indirect, client):
    req = _ask(indirect)
    stranger = make_indirect()  # another provider with its own reseller
    with pytest.raises(OrderRequestClosed, match="not addressed to you"):
        services.order_request_decline(
            actor=stranger.provider_admin, order_request_id=req.pk, reason="no"
        )
    client.force_login(stranger.provider_admin)
    assert client.post(reverse("order_request_fulfil", args=[req.pk])).status_code == 404
    assert (
        client.post(reverse("order_request_decline", args=[req.pk]), {"reason": "no"}).status_code
        == 404
    )
    # The reseller itself can't decide its own request (providers only), nor a Sales agent.
    client.force_login(indirect.reseller_admin)
    assert client.post(reverse("order_request_fulfil", args=[req.pk])).status_code == 403
    sales = f.UserFactory(partner=indirect.provider, roles=["sales_agent"])
    with pytest.raises(RoleRequired):
        services.order_request_decline(actor=sales, order_request_id=req.pk, reason="no")
    assert _state(req) == ("open", None, None, "")
    assert not Order.objects.exists()
    assert OrderRequest.objects.get().status == "open"


@pytest.mark.rule("IR-2")
def test_ir2_queue_is_the_providers_own_and_filters_by_status(indirect, client):
    mine = _ask(indirect)
    other = make_indirect()
    theirs = _ask(other, quantity=2)
    services.order_request_decline(
        actor=other.provider_admin, order_request_id=theirs.pk, reason="No stock"
    )
    client.force_login(indirect.provider_admin)
    rows = client.get(reverse("order_request_list")).context["page"].object_list
    assert [r.pk for r in rows] == [mine.pk]
    declined = client.get(reverse("order_request_list"), {"status": "declined"})
    assert list(declined.context["page"].object_list) == []
    bad = client.get(reverse("order_request_list"), {"status": "bogus", "page": "x"})
    assert bad.status_code == 200 and [r.pk for r in bad.context["page"].object_list] == [mine.pk]
