"""The customers list counts the partner's customers once and keeps the count until they change
(customer_count, memo): a change shows at once. Commits for real, as the pages do."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from core.models import CustomerRelationship
from customers import services
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def count_on_page(client):
    response = client.get("/customers/")
    assert response.status_code == 200
    return response.context["page"].count


def test_customer_count_follows_changes(client):
    partner = f.DirectBillEnrollmentFactory().partner
    f.RelationshipFactory(partner=partner)
    user = f.UserFactory(partner=partner, roles=["global_admin"])
    client.force_login(user)
    assert count_on_page(client) == count_on_page(client) == 1
    services.customer_create(
        actor=user, company_name="Second Co", domain="second.example", email="it@second.example"
    )
    assert count_on_page(client) == 2
    request = RequestFactory().post("/admin/")
    request.user = f.StaffFactory()
    rel = CustomerRelationship.objects.get(partner=partner, customer__company_name="Second Co")
    admin.site.get_model_admin(CustomerRelationship).delete_model(request, rel)
    assert count_on_page(client) == 1
    searched = client.get("/customers/?q=inc").context["page"]
    assert searched.count is None  # a search is not counted: its pages are linked by key
