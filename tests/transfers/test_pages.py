"""Transfers pages: list, create, detail (select + submit, cancel), role and isolation checks."""

import pytest
from django.urls import reverse

from core.models import Role
from tests import factories as f
from transfers.models import TransferRequest


@pytest.fixture
def as_target(client, setup):
    client.force_login(setup.target_agent)
    return client


@pytest.fixture
def as_source(client, setup):
    client.force_login(setup.source_agent)
    return client


@pytest.mark.rule("TR-4")
def test_tr4_create_page_creates_a_request(as_target, setup):
    page = as_target.get(reverse("transfer_create") + f"?customer={setup.customer.pk}")
    assert page.status_code == 200
    assert setup.customer.email in page.content.decode()
    response = as_target.post(
        reverse("transfer_create"),
        {
            "customer": setup.customer.pk,
            "customer_email": setup.customer.email,
            "source_partner_id": setup.source.partner_id,
        },
        follow=True,
    )
    transfer = TransferRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse("transfer_detail", args=[transfer.pk])
    assert "sent to Contoso Test" in response.content.decode()
    assert transfer.partner_of_record == setup.source


@pytest.mark.rule("TR-7")
def test_tr7_create_page_shows_the_refusal_inline(as_target, setup):
    response = as_target.post(
        reverse("transfer_create"),
        {
            "customer": setup.customer.pk,
            "customer_email": setup.customer.email,
            "source_partner_id": setup.target.partner_id,
        },
    )
    assert response.status_code == 200
    assert "must be different" in response.content.decode()
    assert not TransferRequest.objects.exists()


def test_create_page_rejects_a_customer_of_another_partner(as_target, setup):
    stranger = f.CustomerFactory()
    assert as_target.get(reverse("transfer_create") + f"?customer={stranger.pk}").status_code == 404
    assert as_target.get(reverse("transfer_create") + "?customer=abc").status_code == 404
    response = as_target.post(
        reverse("transfer_create"),
        {"customer": stranger.pk, "customer_email": stranger.email, "source_partner_id": "1"},
    )
    assert response.status_code == 200
    assert "No customer of yours matches" in response.content.decode()


@pytest.mark.rule("TR-4")
def test_tr4_source_selects_and_submits_on_the_detail_page(as_source, setup, create):
    transfer = create()
    page = as_source.get(reverse("transfer_detail", args=[transfer.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "migrate it to new commerce" in html and "Trial subscriptions" in html
    assert f'value="{setup.base.pk}"' in html and f'value="{setup.legacy.pk}"' not in html
    assert "nothing moves" in html  # the summary before the consequential submit
    response = as_source.post(
        reverse("transfer_submit", args=[transfer.pk]),
        {"subscriptions": [str(setup.base.pk), str(setup.azure.pk)]},
        follow=True,
    )
    assert "Transfer complete: 3 subscription(s) moved" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == "complete"


@pytest.mark.rule("TR-5")
def test_tr5_submit_page_refusal_is_a_message_and_nothing_moves(as_source, setup, create):
    transfer = create()
    response = as_source.post(
        reverse("transfer_submit", args=[transfer.pk]),
        {"subscriptions": [str(setup.legacy.pk)]},
        follow=True,
    )
    assert "migrate it to new commerce" in response.content.decode()
    setup.legacy.refresh_from_db()
    assert setup.legacy.status == "active"
    response = as_source.post(
        reverse("transfer_submit", args=[transfer.pk]), {"subscriptions": ["not-a-uuid"]}
    )
    assert response.status_code == 302


@pytest.mark.rule("TR-7")
def test_tr7_target_cancels_on_the_detail_page(client, setup, create):
    transfer = create()
    client.force_login(setup.source_agent)
    response = client.post(reverse("transfer_cancel", args=[transfer.pk]), {"confirm": "on"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    client.force_login(setup.target_agent)
    page = client.get(reverse("transfer_detail", args=[transfer.pk])).content.decode()
    assert "Cancel transfer request" in page
    client.post(reverse("transfer_cancel", args=[transfer.pk]))  # not confirmed: nothing
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    client.post(reverse("transfer_cancel", args=[transfer.pk]), {"confirm": "on"})
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"


def test_other_partners_requests_are_404_and_roles_403(client, setup, create):
    transfer = create()
    outsider = f.UserFactory(roles=[Role.ADMIN_AGENT])
    client.force_login(outsider)
    for name in ("transfer_detail",):
        assert client.get(reverse(name, args=[transfer.pk])).status_code == 404
    assert client.post(reverse("transfer_submit", args=[transfer.pk])).status_code == 404
    assert client.post(reverse("transfer_cancel", args=[transfer.pk])).status_code == 404
    assert client.get("/transfers/999999/").status_code == 404
    sales = f.UserFactory(partner=setup.source, roles=[Role.SALES_AGENT])
    client.force_login(sales)
    assert client.get(reverse("transfer_detail", args=[transfer.pk])).status_code == 200
    assert client.post(reverse("transfer_submit", args=[transfer.pk])).status_code == 403
    admin = f.CustomerAdminFactory()
    client.force_login(admin)
    assert client.get(reverse("transfer_list")).status_code == 403


def test_list_page_filters_by_direction_status_and_customer(as_source, setup, create):
    transfer = create()
    url = reverse("transfer_list")
    assert f"#{transfer.pk}" in as_source.get(url).content.decode()
    assert f"#{transfer.pk}" in as_source.get(url + "?direction=incoming").content.decode()
    assert f"#{transfer.pk}" not in as_source.get(url + "?direction=outgoing").content.decode()
    assert f"#{transfer.pk}" not in as_source.get(url + "?status=complete").content.decode()
    assert f"#{transfer.pk}" not in as_source.get(url + "?q=zzz").content.decode()
    assert as_source.get(url + "?status=bogus&page=x").status_code == 200
    assert "Submit all pending requests (1)" in as_source.get(url).content.decode()


def test_home_dashboard_panel_counts_pending_requests(client, setup, create):
    create()
    client.force_login(setup.source_agent)
    html = client.get("/").content.decode()
    assert 'data-testid="transfers-panel"' in html and "waiting for you" in html


def test_transfer_list_queries_do_not_grow_with_requests(client, setup, create):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import direct_customer

    client.force_login(setup.target_agent)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("transfer_list")).status_code == 200
        return len(ctx.captured_queries)

    create()
    small = count()
    for _ in range(12):
        customer = direct_customer(setup.source, setup.target)
        create(customer=customer, customer_email=customer.email)
    assert count() == small


def test_admin_lists_transfers_read_only(client, setup, create, staff):
    transfer = create()
    client.force_login(staff)
    assert client.get("/admin/transfers/transferrequest/").status_code == 200
    page = client.get(f"/admin/transfers/transferrequest/{transfer.pk}/change/")
    assert page.status_code == 200
    assert client.get("/admin/transfers/transferrequest/add/").status_code == 403
