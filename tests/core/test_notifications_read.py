"""Notifications are marked read when opened; the list shows read and unread; "Mark all as read"
(AC-2: a user opens only its own)."""

import pytest
from django.conf import settings
from django.urls import reverse

from core import clock, notifications
from core.exceptions import NotificationNotFound
from core.models import Notification, OutboundEmail, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return f.UserFactory(partner=f.PartnerFactory(), roles=[Role.SALES_AGENT])


def test_opening_marks_read_once_and_keeps_the_first_time(user):
    n = f.NotificationFactory(user=user, url="/transfers/")
    opened = notifications.notification_open(actor=user, notification_id=n.pk)
    assert opened.read_at is not None
    first = opened.read_at
    again = notifications.notification_open(actor=user, notification_id=n.pk)
    assert again.read_at == first


@pytest.mark.rule("AC-2")
def test_AC_2_another_users_notification_is_not_found_and_unchanged(user):
    other = f.NotificationFactory(user=f.UserFactory(partner=f.PartnerFactory()))
    with pytest.raises(NotificationNotFound):
        notifications.notification_open(actor=user, notification_id=other.pk)
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_touches_only_the_users_own(user):
    mine = [f.NotificationFactory(user=user) for _ in range(3)]
    theirs = f.NotificationFactory(user=f.UserFactory(partner=user.partner))
    assert notifications.notifications_mark_all_read(actor=user) == 3
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert notifications.notifications_mark_all_read(actor=user) == 0


def test_open_url_follows_only_paths_of_this_site(user):
    assert notifications.open_url(f.NotificationFactory(user=user, url="/audit/")) == "/audit/"
    for url in ("https://evil.example/", "//evil.example/x", "/\\evil.example", ""):
        n = f.NotificationFactory(user=user, url=url)
        assert notifications.open_url(n) == reverse("notifications")


def test_the_page_opens_marks_read_and_shows_read_and_unread(client, user):
    target = f.NotificationFactory(user=user, subject="Transfer waiting", url="/transfers/")
    f.NotificationFactory(user=user, subject="Still unread")
    client.force_login(user)
    body = client.get(reverse("notifications")).content.decode()
    assert body.count(">Unread<") == 2
    assert reverse("notification_open", args=[target.pk]) in body
    response = client.get(reverse("notification_open", args=[target.pk]))
    assert response.status_code == 302 and response["Location"] == "/transfers/"
    target.refresh_from_db()
    assert target.read_at is not None and target.read_at <= clock.now()
    body = client.get(reverse("notifications")).content.decode()
    assert body.count(">Unread<") == 1 and body.count(">Read<") == 1
    assert client.post(reverse("notifications_mark_read")).status_code == 302
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert "Mark all as read" not in client.get(reverse("notifications")).content.decode()


@pytest.mark.rule("AC-2")
def test_AC_2_opening_another_users_notification_is_404(client, user):
    other = f.NotificationFactory(user=f.UserFactory(partner=user.partner), url="/audit/")
    client.force_login(user)
    assert client.get(reverse("notification_open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_the_email_link_opens_the_page_and_marks_its_notifications_read(client, user):
    """notify_partner's email links through notification_open_link: following it marks the
    reader's notifications about that page read (as opening them in the portal does) and goes
    to the page; another user's notifications about the same page stay unread (AC-2)."""
    partner = user.partner
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    colleague = f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT])
    notifications.notify_partner(partner=partner, subject="Transfer waiting", url="/transfers/7/")
    body = OutboundEmail.objects.get(subject="Transfer waiting").body
    link = body.rsplit("Open it in the portal: ", 1)[1].strip()
    path = link.removeprefix(settings.PORTAL_BASE_URL.rstrip("/"))
    assert path == reverse("notification_open_link") + "?to=/transfers/7/"
    older = f.NotificationFactory(user=admin, url="/transfers/7/")
    elsewhere = f.NotificationFactory(user=admin, url="/audit/")
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/transfers/7/"
    mine = Notification.objects.filter(user=admin, url="/transfers/7/")
    assert mine.count() == 2 and not mine.filter(read_at__isnull=True).exists()
    assert older.pk in {n.pk for n in mine}
    elsewhere.refresh_from_db()
    assert elsewhere.read_at is None
    assert Notification.objects.get(user=colleague).read_at is None


def test_the_email_link_follows_only_paths_of_this_site(client, user):
    n = f.NotificationFactory(user=user, url="https://evil.example/")
    client.force_login(user)
    for to in ("https://evil.example/", "//evil.example/x", ""):
        response = client.get(reverse("notification_open_link"), {"to": to})
        assert response["Location"] == reverse("notifications")
    n.refresh_from_db()
    assert n.read_at is None


def test_the_email_link_asks_a_signed_out_reader_to_sign_in_first(client, user):
    n = f.NotificationFactory(user=user, url="/transfers/")
    link = reverse("notification_open_link") + "?to=/transfers/"
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    n.refresh_from_db()
    assert n.read_at is None
