"""What Microsoft's current new commerce transfer pages print of their sample requests (issue 13),
replayed as far as the stored copies of the pages show them.

The stored copies of "Create a transfer for new commerce" and "Update a transfer request for
new commerce" end inside their first sample body, so these are not sample files of
tests/api/data/samples/ (those hold whole documented bodies; docs/api.md, "New commerce transfer
samples"). What is visible is replayed with the page's property names, types and values:

- create-a-transfer: `{"id": "43fb1d3a-…", "status": "InProgress", "transferType": 3,
  "customerEmailId": "", …}` — a client may echo a read-only `id`/`status` and send
  `transferType` as the number 3 ("3 indicates New Commerce");
  https://learn.microsoft.com/en-us/partner-center/developer/create-a-transfer
- update-a-transfer, "Request example for cancel transfer": `{"id": …, "status": "Cancel",
  "targetPartnerTenantId": …, "sourcePartnerTenantId": …, "customerN…` — the target cancels
  with the whole entity echoed; https://learn.microsoft.com/en-us/partner-center/developer/update-a-transfer
"""

import pytest

from tests.api.test_transfer_flow import flow  # noqa: F401  (the fixture)
from transfers.models import TransferRequest

from .test_contract import assert_error

PAGE_TRANSFER_ID = "43fb1d3a-79fe-45a9-863e-9a4acf17b630"


def page_create_body(flow, email: str) -> dict:  # noqa: F811
    """The create page's sample as far as it is visible, with the world's partners."""
    return {
        "id": PAGE_TRANSFER_ID,
        "status": "InProgress",
        "transferType": 3,
        "customerEmailId": email,
        "sourcePartnerTenantId": str(flow["source"].tenant_id),
        "targetPartnerTenantId": str(flow["target"].tenant_id),
    }


@pytest.mark.rule("AP-1")
@pytest.mark.rule("TR-4")
def test_create_page_body_with_numeric_transfer_type_AP1_TR4(flow):  # noqa: F811
    """TR-4/AP-1: the page's body (read-only `id` and `status` echoed, `transferType` the number
    3) creates a pending request; the portal numbers it and starts it Active, ignoring the
    echoed id and status. The page's empty `customerEmailId` is refused naming the field (TR-4:
    the target gives the customer's email), and nothing is created."""
    r = flow["target_api"].post(flow["path"], page_create_body(flow, ""))
    assert_error(r, 400, "invalid_input")
    assert "customerEmailId" in r.content.decode()
    assert not TransferRequest.objects.exists()

    r = flow["target_api"].post(flow["path"], page_create_body(flow, flow["customer"].email))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["id"] != PAGE_TRANSFER_ID and body["status"] == "Active"
    assert body["transferType"] == 3  # a number, as the page prints it
    assert body["sourcePartnerTenantId"] == str(flow["source"].tenant_id)
    assert body["targetPartnerTenantId"] == str(flow["target"].tenant_id)
    assert TransferRequest.objects.get().status == "pending"


@pytest.mark.rule("AP-1")
@pytest.mark.rule("TR-7")
def test_cancel_page_body_echoing_the_entity_AP1_TR7(flow):  # noqa: F811
    """TR-7/AP-1: the cancel sample echoes the entity (id, partners, customer name) with
    `status: "Cancel"`; the target's request cancels, the source's same body is refused and
    changes nothing."""
    r = flow["target_api"].post(flow["path"], page_create_body(flow, flow["customer"].email))
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    body = {
        "id": tid,
        "status": "Cancel",
        "targetPartnerTenantId": str(flow["target"].tenant_id),
        "sourcePartnerTenantId": str(flow["source"].tenant_id),
        "customerName": flow["customer"].company_name,
    }
    assert_error(
        flow["source_api"].patch(f"{flow['path']}/{tid}", body), 403, "not_transfer_target"
    )
    assert TransferRequest.objects.get().status == "pending"

    r = flow["target_api"].patch(f"{flow['path']}/{tid}", body)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "Cancelled"
    assert TransferRequest.objects.get().status == "cancelled"
