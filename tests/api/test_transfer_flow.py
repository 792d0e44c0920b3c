"""The whole new commerce transfer flow through /v1/ alone (TR-3..TR-7, AP-3): the target
creates, the source reads and submits, the target cancels another, one expires by the sweep
after the clock moves; then the same requests as the portal pages show them."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.services import clock_advance
from core.sweep import run_sweep
from customers.models import Subscription
from tests import factories as f
from transfers.models import TransferRequest

from .test_contract import assert_error

TRANSFER_KEYS = {
    "id",
    "status",
    "transferType",
    "customerEmailId",
    "createdTime",
    "lastModifiedTime",
    "lastModifiedUser",
    "completedTime",
    "expirationTime",
    "customerName",
    "customerTenantId",
    "partnerTenantId",
    "sourcePartnerName",
    "sourcePartnerTenantId",
    "targetPartnerName",
    "targetPartnerTenantId",
    "targetPartnerEmailId",
    "partnerOnRecord",
    "targetProductTypes",
    "lineItems",
    "sourcePartnerId",
    "targetPartnerId",
    "cancelledTime",
    "expiredTime",
    "links",
    "attributes",
}
LINE_KEYS = {
    "id",
    "subscriptionId",
    "quantity",
    "billingCycle",
    "friendlyName",
    "partnerIdOnRecord",
    "offerId",
    "termDuration",
    "transferGroupId",
    "transferError",
    "status",
    "newSubscriptionId",
    "addonItems",
}


@pytest.fixture
def flow(api, make_token):
    source = f.DirectBillEnrollmentFactory().partner
    target = f.DirectBillEnrollmentFactory().partner
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=source)
    f.RelationshipFactory(customer=customer, partner=target)
    f.McaAcceptanceFactory(customer=customer)  # admin-center acceptance: valid for the target
    sub = f.SubscriptionFactory(customer=customer, billing_partner=source, quantity=12)
    source_user = f.UserFactory(partner=source, roles=["admin_agent"])
    target_user = f.UserFactory(partner=target, roles=["admin_agent"])
    return {
        "source": source,
        "target": target,
        "customer": customer,
        "sub": sub,
        "source_user": source_user,
        "target_user": target_user,
        "source_api": api(make_token(source_user)),
        "target_api": api(make_token(target_user)),
        "path": f"/v1/customers/{customer.tenant_id}/transfers",
    }


def create(flow, **extra):
    body = {
        "customerEmailId": flow["customer"].email,
        "sourcePartnerTenantId": str(flow["source"].tenant_id),
        "sourcePartnerName": flow["source"].legal_name,
        "targetPartnerTenantId": str(flow["target"].tenant_id),
        "targetProductTypes": ["OnlineServicesNCE"],
        "transferType": "NewCommerce",
        **extra,
    }
    return flow["target_api"].post(flow["path"], body)


@pytest.mark.rule("TR-4")
@pytest.mark.rule("TR-7")
@pytest.mark.rule("TR-9")
@pytest.mark.rule("AP-3")
def test_full_transfer_flow_through_the_api_TR4_TR7_TR9(flow, staff, login):
    """TR-9: everything a transfer does — create, read, submit, cancel, expire — works through
    the API alone, with the same outcome the pages show; a refusal has its stable code."""
    source_api, target_api, path = flow["source_api"], flow["target_api"], flow["path"]

    # 1. The target creates a request.
    r = create(flow)
    assert r.status_code == 201, r.content
    a = r.json()
    assert set(a) == TRANSFER_KEYS
    assert a["status"] == "Active" and a["lineItems"] == []
    assert a["transferType"] == 3  # "3 indicates New Commerce" (create-a-transfer)
    assert a["targetProductTypes"] == ["OnlineServicesNCE"]
    assert a["attributes"]["objectType"] == "TransferEntity"
    assert a["sourcePartnerTenantId"] == str(flow["source"].tenant_id)

    # 2. The source reads it (list and by id).
    listed = source_api.get(path).json()
    assert [t["id"] for t in listed["items"]] == [a["id"]]
    assert source_api.get(f"{path}/{a['id']}").json()["status"] == "Active"

    # Only the source submits; only the target cancels (TR-4, TR-7).
    sid = str(flow["sub"].pk)
    assert_error(
        target_api.patch(f"{path}/{a['id']}", {"lineItems": [{"subscriptionId": sid}]}),
        403,
        "not_transfer_source",
    )
    assert_error(
        source_api.patch(f"{path}/{a['id']}", {"status": "Cancel"}), 403, "not_transfer_target"
    )
    assert_error(source_api.patch(f"{path}/{a['id']}", {"lineItems": []}), 400, "nothing_selected")

    # 3. The source submits the selected line items: the transfer completes.
    r = source_api.patch(
        f"{path}/{a['id']}", {"lineItems": [{"subscriptionId": sid, "quantity": 12}]}
    )
    assert r.status_code == 200, r.content
    done = r.json()
    assert done["status"] == "Complete" and done["completedTime"]
    assert len(done["lineItems"]) == 1 and set(done["lineItems"][0]) == LINE_KEYS
    new = Subscription.objects.get(pk=done["lineItems"][0]["newSubscriptionId"])
    assert new.billing_partner == flow["target"] and new.quantity == 12
    flow["sub"].refresh_from_db()
    assert flow["sub"].status == "deleted"
    assert_error(
        source_api.patch(f"{path}/{a['id']}", {"lineItems": [{"subscriptionId": sid}]}),
        409,
        "transfer_not_pending",
    )

    # 4. The target creates another and cancels it.
    b = create(flow).json()
    r = target_api.patch(f"{path}/{b['id']}", {"status": "Cancel"})
    assert r.status_code == 200 and r.json()["status"] == "Cancelled"
    assert r.json()["cancelledTime"]

    # 5. A third one expires after 30 days by the sweep (TR-7); it can't be submitted then.
    c = create(flow).json()
    clock_advance(actor=staff, delta=timedelta(days=31))
    run_sweep()
    expired = source_api.get(f"{path}/{c['id']}").json()
    assert expired["status"] == "Expired" and expired["expiredTime"]
    assert_error(
        source_api.patch(f"{path}/{c['id']}", {"lineItems": [{"subscriptionId": sid}]}),
        409,
        "transfer_not_pending",
    )

    # The same requests as the pages show them (AP-3: one set of services, one outcome).
    statuses = dict(TransferRequest.objects.values_list("pk", "status"))
    assert statuses == {
        int(a["id"]): "complete",
        int(b["id"]): "cancelled",
        int(c["id"]): "expired",
    }
    page = login(flow["source_user"]).get(reverse("transfer_detail", args=[int(a["id"])]))
    assert page.status_code == 200 and b"Complete" in page.content


@pytest.mark.rule("TR-7")
def test_one_pending_request_per_pair_TR7(flow):
    assert create(flow).status_code == 201
    assert_error(create(flow), 409, "transfer_already_open")


@pytest.mark.rule("TR-4")
def test_create_refusals_have_stable_codes_TR4(flow):
    assert_error(create(flow, customerEmailId="wrong@x.example"), 400, "customer_email_mismatch")
    assert_error(create(flow, sourcePartnerTenantId="9999999"), 400, "source_partner_not_found")
    assert_error(
        create(flow, sourcePartnerTenantId=str(flow["target"].tenant_id)), 400, "source_is_target"
    )
    assert_error(create(flow, targetProductTypes=["Software"]), 400, "invalid_product_types")
    assert_error(create(flow, customerEmailId=12), 400, "invalid_input")
    assert not TransferRequest.objects.exists()


@pytest.mark.rule("TR-3")
@pytest.mark.rule("AC-2")
def test_target_without_relationship_gets_404_TR3_AC2(flow, api, make_token):
    """TR-3: a target with no relationship with the customer can't create a request; through
    the API the customer is not even visible to it (AC-2), so the answer is 404."""
    outsider = f.DirectBillEnrollmentFactory().partner
    outsider_api = api(make_token(f.UserFactory(partner=outsider, roles=["admin_agent"])))
    r = outsider_api.post(
        flow["path"],
        {
            "customerEmailId": flow["customer"].email,
            "sourcePartnerTenantId": str(flow["source"].tenant_id),
        },
    )
    assert_error(r, 404, "not_found")
    assert not TransferRequest.objects.exists()


@pytest.mark.rule("AC-1")
def test_transfer_needs_admin_agent_AC1(flow, api, make_token):
    sales = f.UserFactory(partner=flow["target"], roles=["sales_agent"])
    flow["target_api"] = api(make_token(sales))
    assert_error(create(flow), 403, "role_required")


@pytest.mark.rule("AC-2")
def test_other_partners_transfer_is_404_AC2(flow, api, make_token):
    a = create(flow).json()
    third = f.DirectBillEnrollmentFactory().partner
    f.RelationshipFactory(customer=flow["customer"], partner=third)
    third_api = api(make_token(f.UserFactory(partner=third, roles=["admin_agent"])))
    assert_error(third_api.get(f"{flow['path']}/{a['id']}"), 404, "transfer_not_found")
    assert third_api.get(flow["path"]).json()["items"] == []
    assert_error(
        third_api.patch(f"{flow['path']}/{a['id']}", {"status": "Cancel"}),
        404,
        "transfer_not_found",
    )
    assert_error(flow["source_api"].get(f"{flow['path']}/abc"), 404, "transfer_not_found")
    # The transfer under another customer's path: 404 too.
    other_customer = f.CustomerFactory()
    f.RelationshipFactory(customer=other_customer, partner=flow["source"])
    r = flow["source_api"].get(f"/v1/customers/{other_customer.tenant_id}/transfers/{a['id']}")
    assert_error(r, 404, "not_found")


@pytest.mark.rule("AP-1")
def test_transfer_create_is_idempotent_by_request_id(flow):
    headers = {"MS-RequestId": "transfer-1"}
    body = {
        "customerEmailId": flow["customer"].email,
        "sourcePartnerTenantId": flow["source"].partner_id,
    }
    first = flow["target_api"].post(flow["path"], body, headers=headers)
    second = flow["target_api"].post(flow["path"], body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert TransferRequest.objects.count() == 1


@pytest.mark.rule("AP-3")
@pytest.mark.rule("TR-7")
def test_source_cannot_cancel_same_through_page_and_api_AP3_TR7(flow, login):
    """AP-3: TR-7 "only the target cancels" — the page and the API refuse with the same
    sentence; the API adds the stable code not_transfer_target; nothing changes."""
    a = create(flow).json()
    body = assert_error(
        flow["source_api"].patch(f"{flow['path']}/{a['id']}", {"status": "Cancel"}),
        403,
        "not_transfer_target",
    )
    client = login(flow["source_user"])
    r = client.post(reverse("transfer_cancel", args=[int(a["id"])]), {"confirm": "on"}, follow=True)
    shown = [str(m) for m in r.context["messages"]]
    assert body["description"] in shown
    assert TransferRequest.objects.get(pk=a["id"]).status == "pending"


def test_app_management_in_navigation(login, flow):
    r = login(flow["source_user"]).get(reverse("home"))
    assert reverse("api_tokens").encode() in r.content
