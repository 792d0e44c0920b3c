"""MS-RequestId replays (AP-1): a retry of the same call (same user, operation and body) gets
the first response without acting again; any other request under a used id gets 409
`request_id_reused` with Partner Center's error body, and is not executed."""

import pytest

from api.models import IdempotencyRecord
from core.models import Customer
from customers.models import McaAcceptance
from tests import factories as f

from .test_contract import assert_error
from .test_operations import customer_body

HEADERS = {"MS-RequestId": "3f1c9a4e-0d1b-4c55-9a0e-7c1f2b6d8e01"}


@pytest.fixture
def first(direct_api):
    response = direct_api.post("/v1/customers", customer_body("first.example"), headers=HEADERS)
    assert response.status_code == 201, response.content
    return response


@pytest.mark.rule("AP-1")
def test_same_user_and_body_replays_the_first_response_AP1(direct_api, first):
    again = direct_api.post("/v1/customers", customer_body("first.example"), headers=HEADERS)
    assert again.status_code == 201 and again.json() == first.json()
    assert again["MS-Idempotent-Replay"] == "true"
    assert Customer.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize("roles", [["billing_admin"], ["global_admin"]])
def test_another_user_of_the_partner_gets_409_not_the_replay_AP1(
    api, make_token, direct_partner, direct_user, first, roles
):
    """A colleague (even one whose role forbids creating customers) reusing the id gets no
    copy of the first user's success, and nothing is created for them."""
    colleague = api(make_token(f.UserFactory(partner=direct_partner, roles=roles)))
    response = colleague.post("/v1/customers", customer_body("first.example"), headers=HEADERS)
    body = assert_error(response, 409, "request_id_reused")
    assert "MS-RequestId was already used" in body["description"]
    assert "MS-Idempotent-Replay" not in response
    assert Customer.objects.count() == 1
    assert IdempotencyRecord.objects.get().user == direct_user


@pytest.mark.rule("AP-1")
def test_same_user_with_another_body_gets_409_and_nothing_runs_AP1(direct_api, first):
    response = direct_api.post("/v1/customers", customer_body("second.example"), headers=HEADERS)
    assert_error(response, 409, "request_id_reused")
    assert not Customer.objects.filter(tenant__domain="second.example").exists()
    assert Customer.objects.count() == 1
    # A new id is a new call: it runs.
    response = direct_api.post(
        "/v1/customers", customer_body("second.example"), headers={"MS-RequestId": "new-id"}
    )
    assert response.status_code == 201
    assert Customer.objects.count() == 2


@pytest.mark.rule("AP-1")
def test_same_id_on_another_operation_gets_409_AP1(direct_api, first):
    customer = Customer.objects.get()
    response = direct_api.post(
        f"/v1/customers/{customer.tenant_id}/agreements",
        customer_body("first.example"),
        headers=HEADERS,
    )
    assert_error(response, 409, "request_id_reused")
    assert not McaAcceptance.objects.filter(customer=customer).exists()
