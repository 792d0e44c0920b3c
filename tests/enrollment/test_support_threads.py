"""Support requests as threads (DB-1): the partner sees its requests again, replies while one is
open; staff answer in the admin (a service, audited) and the partner is notified."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from core.exceptions import InvalidInput, RoleRequired
from core.models import AuditEvent, Notification, OutboundEmail, Role
from enrollment.exceptions import SupportRequestClosed, SupportRequestNotFound, SupportStaffOnly
from enrollment.models import SupportMessage
from enrollment.services import support_threads
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    partner = f.PartnerFactory(legal_name="Thread Partner")
    f.DirectBillEnrollmentFactory(partner=partner)
    return partner


@pytest.fixture
def admin_agent(partner):
    return f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT])


@pytest.fixture
def support_request(partner, admin_agent):
    return f.SupportRequestFactory(partner=partner, created_by=admin_agent, topic="other")


def _successes(operation):
    return AuditEvent.objects.filter(operation=operation, outcome="success").count()


@pytest.mark.rule("DB-1")
def test_DB_1_partner_replies_to_its_open_request(support_request, admin_agent):
    message = support_threads.support_request_reply(
        actor=admin_agent, request_id=support_request.pk, body="  Any news?  "
    )
    assert message.body == "Any news?" and not message.from_support
    assert message.author == admin_agent
    assert _successes("support_request.reply") == 1


@pytest.mark.rule("DB-1")
def test_DB_1_partner_reply_notifies_staff_with_a_link_to_answer(
    partner, support_request, admin_agent, staff
):
    """Staff learn of a partner's reply in the portal and by email, with the request's admin
    page; partner users and inactive staff are not told."""
    inactive = f.StaffFactory(is_active=False)
    support_threads.support_request_reply(
        actor=admin_agent, request_id=support_request.pk, body="Any news?"
    )
    url = reverse("admin:enrollment_supportrequest_change", args=[support_request.pk])
    notice = Notification.objects.get(user=staff)
    assert notice.url == url
    assert notice.subject == f"Thread Partner replied on support request #{support_request.pk}"
    assert "Any news?" in notice.body
    assert not Notification.objects.filter(user__in=[admin_agent, inactive]).exists()
    email = OutboundEmail.objects.get(to__contains=[staff.email])
    assert email.subject == notice.subject and "Any news?" in email.body
    assert inactive.email not in email.to and admin_agent.email not in email.to
    assert reverse("notification_open_link") + "?to=" + url in email.body


@pytest.mark.rule("AC-1")
def test_AC_1_a_sales_agent_cannot_reply_and_nothing_changes(partner, support_request):
    sales = f.UserFactory(partner=partner, roles=[Role.SALES_AGENT])
    with pytest.raises(RoleRequired):
        support_threads.support_request_reply(
            actor=sales, request_id=support_request.pk, body="Hello"
        )
    assert not SupportMessage.objects.exists()
    assert _successes("support_request.reply") == 0
    assert not Notification.objects.exists() and not OutboundEmail.objects.exists()


@pytest.mark.rule("AC-2")
def test_AC_2_another_partners_request_is_not_found_and_unchanged(support_request):
    stranger = f.UserFactory(partner=f.PartnerFactory(), roles=[Role.GLOBAL_ADMIN])
    with pytest.raises(SupportRequestNotFound):
        support_threads.support_request_reply(
            actor=stranger, request_id=support_request.pk, body="Hello"
        )
    assert not SupportMessage.objects.exists()
    assert AuditEvent.objects.filter(operation="support_request.reply", outcome="refused").exists()


@pytest.mark.rule("DB-1")
def test_DB_1_a_closed_request_takes_no_message(support_request, admin_agent, staff):
    from enrollment.services.support import support_request_close

    support_request_close(actor=staff, request_id=support_request.pk, resolution="Done")
    with pytest.raises(SupportRequestClosed, match="closed"):
        support_threads.support_request_reply(
            actor=admin_agent, request_id=support_request.pk, body="One more thing"
        )
    with pytest.raises(SupportRequestClosed):
        support_threads.support_request_answer(
            actor=staff, request_id=support_request.pk, body="Late answer"
        )
    assert not SupportMessage.objects.exists()


def test_an_empty_message_is_refused(support_request, admin_agent, staff):
    with pytest.raises(InvalidInput, match="Write your reply"):
        support_threads.support_request_reply(
            actor=admin_agent, request_id=support_request.pk, body="   "
        )
    with pytest.raises(InvalidInput, match="Write the answer"):
        support_threads.support_request_answer(actor=staff, request_id=support_request.pk, body="")
    assert not SupportMessage.objects.exists()


@pytest.mark.rule("DB-1")
def test_DB_1_staff_answer_notifies_the_partner(partner, support_request, admin_agent, staff):
    billing = f.UserFactory(partner=partner, roles=[Role.BILLING_ADMIN])
    message = support_threads.support_request_answer(
        actor=staff, request_id=support_request.pk, body="We restricted it."
    )
    assert message.from_support and message.author == staff
    assert _successes("support_request.answer") == 1
    url = reverse("support_request_detail", args=[support_request.pk])
    notice = Notification.objects.get(user=admin_agent)
    assert notice.url == url and f"#{support_request.pk}" in notice.subject
    assert not Notification.objects.filter(user=billing).exists()
    assert OutboundEmail.objects.filter(to__contains=[admin_agent.email]).exists()


@pytest.mark.rule("DB-1")
def test_DB_1_only_staff_answer_and_nothing_changes(support_request, admin_agent):
    with pytest.raises(SupportStaffOnly):
        support_threads.support_request_answer(
            actor=admin_agent, request_id=support_request.pk, body="I answer myself"
        )
    assert not SupportMessage.objects.exists()
    assert not Notification.objects.exists()


# --- pages ------------------------------------------------------------------------------------


def test_the_partner_sees_the_thread_and_replies_on_the_page(client, support_request, admin_agent):
    f.SupportMessageFactory(
        request=support_request, author=f.StaffFactory(), from_support=True, body="Which tenant?"
    )
    client.force_login(admin_agent)
    listing = client.get(reverse("contact_support")).content.decode()
    url = reverse("support_request_detail", args=[support_request.pk])
    assert url in listing
    body = client.get(url).content.decode()
    assert "Which tenant?" in body and support_request.message in body
    response = client.post(url, {"body": "The main one."})
    assert response.status_code == 302 and response["Location"] == url
    body = client.get(url).content.decode()
    assert "The main one." in body and "Your message is sent to support." in body


def test_an_empty_reply_on_the_page_is_400_and_changes_nothing(
    client, support_request, admin_agent
):
    client.force_login(admin_agent)
    url = reverse("support_request_detail", args=[support_request.pk])
    response = client.post(url, {"body": ""})
    assert response.status_code == 400
    assert not SupportMessage.objects.exists()


@pytest.mark.rule("AC-1")
def test_AC_1_a_sales_agent_reads_but_cannot_reply_on_the_page(client, partner, support_request):
    sales = f.UserFactory(partner=partner, roles=[Role.SALES_AGENT])
    client.force_login(sales)
    url = reverse("support_request_detail", args=[support_request.pk])
    body = client.get(url).content.decode()
    assert "Send reply" not in body and "A Global admin or an Admin agent can reply." in body
    assert client.post(url, {"body": "Hi"}).status_code == 403
    assert not SupportMessage.objects.exists()


@pytest.mark.rule("AC-2")
def test_AC_2_another_partners_thread_is_404(client, support_request):
    stranger = f.UserFactory(partner=f.PartnerFactory(), roles=[Role.GLOBAL_ADMIN])
    client.force_login(stranger)
    url = reverse("support_request_detail", args=[support_request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Hi"}).status_code == 404
    assert not SupportMessage.objects.exists()


def test_staff_answer_in_the_admin_through_the_service(client, support_request, admin_agent, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    changelist = reverse("admin:enrollment_supportrequest_changelist")
    data = {"action": "answer", ACTION_CHECKBOX_NAME: [support_request.pk]}
    page = client.post(changelist, data)
    assert page.status_code == 200 and b"Send answer" in page.content
    response = client.post(changelist, {**data, "apply": "1", "body": "Done on our side."})
    assert response.status_code == 302
    message = SupportMessage.objects.get()
    assert message.from_support and message.body == "Done on our side."
    assert _successes("support_request.answer") == 1
    assert Notification.objects.filter(user=admin_agent).exists()
    # The change page shows the thread, read-only.
    change = client.get(
        reverse("admin:enrollment_supportrequest_change", args=[support_request.pk])
    )
    assert b"Done on our side." in change.content
