"""Notifications: in-portal messages per user, and email through Django's email framework.

`queue_email` writes the message to the database in the caller's transaction and rings a worker
on commit; the worker (or the sweep, if the broker lost the message) delivers it exactly once.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import clock, fsm
from .copyrows import copy_insert
from .exceptions import NotificationNotFound
from .models import EMAIL_TRANSITIONS, EmailStatus, Notification, OutboundEmail, Partner, User
from .queue import enqueue
from .role_names import Role, roles_granting
from .validators import CONTROL_CHARACTERS

log = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path if path.startswith("/") else path


def email_link(path: str) -> str:
    """The link an email gives to the page `path` its notifications lead to: through
    `notification_open_link`, so following it from the email marks the reader's notifications
    about that page read, as opening them in the portal does (one email goes to several users,
    so its link can't name one notification)."""
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        return absolute_url(path)
    return absolute_url(reverse("notification_open_link") + "?to=" + quote(path, safe="/"))


def single_line_subject(subject: str) -> str:
    """An email subject on one line (a line break in a header makes the email undeliverable),
    runs of whitespace and control characters as one space, at most 200 characters."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", subject).split())[:200]


def build_email(
    *,
    to: Iterable[str],
    subject: str,
    body: str,
    partner: Partner | None = None,
    at: datetime | None = None,
) -> OutboundEmail:
    """An unsaved email; `queue_emails` writes many at once (pass them one `at`)."""
    recipients = sorted({address.lower() for address in to if address})
    return OutboundEmail(
        to=recipients,
        subject=single_line_subject(subject),
        body=body,
        partner=partner,
        created_at=at or clock.now(),
    )


def queue_email(
    *, to: Iterable[str], subject: str, body: str, partner: Partner | None = None
) -> OutboundEmail:
    return queue_emails([build_email(to=to, subject=subject, body=body, partner=partner)])[0]


def queue_emails(emails: Iterable[OutboundEmail]) -> list[OutboundEmail]:
    """Write the emails in one statement and ring a worker once, on commit, for all of them."""
    emails = copy_insert(OutboundEmail, emails)
    if len(emails) == 1:
        enqueue(deliver_email, emails[0].pk)
    elif emails:
        enqueue(deliver_emails, [e.pk for e in emails])
    return emails


def listed(names: Iterable[str], limit: int = 10) -> str:
    """'A, B and 3 more': names for a message about many things."""
    names = list(names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def render_email(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, {"base_url": settings.PORTAL_BASE_URL, **context})


def render_message(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of an email/notification template (`templates/<app>/email/*.txt`),
    rendered once: its first line is the subject, the rest the body (blank lines around it
    dropped; the text is plain, the template turns autoescape off)."""
    subject, _, body = render_email(template, context).strip().partition("\n")
    return subject.strip(), body.strip()


def notify(*, users: Iterable[User], subject: str, body: str = "", url: str = "") -> None:
    """Create an in-portal notification for each user."""
    at = clock.now()
    Notification.objects.bulk_create(
        [
            Notification(user=u, subject=subject[:200], body=body, url=url, created_at=at)
            for u in users
        ]
    )


def partner_users(partner: Partner, *roles: str) -> QuerySet[User]:
    """Active users of `partner` with the permissions of any of `roles` (all users when none
    is given): a Global admin is told what an Admin agent is told (AC-1)."""
    users = User.objects.filter(partner=partner, is_active=True)
    if roles:
        users = users.filter(roles__overlap=list(roles_granting(roles)))
    return users


def notify_partner(
    *,
    partner: Partner,
    roles: Iterable[str] = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT),
    subject: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> None:
    """Notify the partner's users with `roles` in the portal and, when `email`, by email."""
    users = list(partner_users(partner, *roles))
    notify(users=users, subject=subject, body=body, url=url)
    if email and users:
        text = render_email(
            "core/email/partner_notice.txt", {"body": body, "url": email_link(url) if url else ""}
        )
        queue_email(to=[u.email for u in users], subject=subject, body=text, partner=partner)


def staff_users() -> QuerySet[User]:
    """Active support staff: staff accounts of no partner and no customer."""
    return User.objects.filter(
        is_staff=True, is_active=True, partner__isnull=True, customer__isnull=True
    )


def notify_staff(*, subject: str, body: str = "", url: str = "", email: bool = True) -> None:
    """Notify support staff in the portal and, when `email`, by email (what a partner asks of
    support), as `notify_partner` tells a partner's users."""
    users = list(staff_users())
    notify(users=users, subject=subject, body=body, url=url)
    if email and users:
        text = render_email(
            "core/email/partner_notice.txt", {"body": body, "url": email_link(url) if url else ""}
        )
        queue_email(to=[u.email for u in users], subject=subject, body=text)


@shared_task(name="core.deliver_email", acks_late=True)
def deliver_email(email_id: int) -> bool:
    """The worker's task for one email (`core.tasks` registers it)."""
    return deliver(email_id)


@shared_task(name="core.deliver_emails", acks_late=True)
def deliver_emails(email_ids: list[int]) -> int:
    """The worker's task for many emails queued together."""
    return sum(deliver(pk) for pk in email_ids)


def queued_emails() -> QuerySet[OutboundEmail]:
    """The emails still to deliver."""
    return OutboundEmail.objects.filter(status=EmailStatus.QUEUED)


def deliver(email_id: int) -> bool:
    """Send one queued email; True when this call sent it. Safe to call twice or concurrently."""
    with transaction.atomic():
        email = queued_emails().select_for_update(skip_locked=True).filter(pk=email_id).first()
        if email is None:
            return False
        return send_locked(email)


def send_locked(email: OutboundEmail) -> bool:
    """Send `email` (queued, locked by the caller's transaction); True when it went. A failure
    is recorded on the row; the fifth gives up on it."""
    email.attempts += 1
    try:
        EmailMessage(
            subject=single_line_subject(email.subject),
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=email.to,
            headers={"X-Portal-Email-Id": str(email.pk)},
        ).send()
    except Exception as exc:  # the transport's failure is recorded, never raised to a page
        log.warning("email %s not delivered: %s", email.pk, exc)
        email.last_error = str(exc)[:2000]
        if email.attempts >= 5:
            fsm.move(
                email,
                EMAIL_TRANSITIONS,
                EmailStatus.FAILED,
                attempts=email.attempts,
                last_error=email.last_error,
            )
        else:
            email.save(update_fields=["attempts", "last_error"])
        return False
    fsm.move(
        email, EMAIL_TRANSITIONS, EmailStatus.SENT, attempts=email.attempts, sent_at=timezone.now()
    )
    return True


# --------------------------------------------------------------------------- read receipts
# Reading is a user's own bookkeeping, not a change of the partner's business: these writes
# are not audit events (AC-4 covers state changes of the program; a read receipt per click
# would bury them in the partner's audit log and drop its memoised totals on every click).


def notification_open(*, actor: User | AnonymousUser | None, notification_id: int) -> Notification:
    """The user opens one of its notifications: it is marked read (once; the first read time
    is kept). Another user's notification is not found (AC-2) and nothing changes."""
    owner = getattr(actor, "pk", None)  # an anonymous visitor owns none
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, user_id=owner)
            .first()
            if owner is not None
            else None
        )
        if notification is None:
            raise NotificationNotFound()
        if notification.read_at is None:
            notification.read_at = clock.now()
            notification.save(update_fields=["read_at"])
    return notification


def notifications_open_url(*, actor: User, url: str) -> str:
    """The user follows an email's link to the page `url`: its own unread notifications about
    that page are marked read (another user's never change, AC-2). Returns where to go: `url`
    when it is a path of this site, else the notifications list."""
    target = open_url(Notification(url=url or ""))
    user_id: int | None = getattr(actor, "pk", None)
    if target == url and user_id is not None:
        Notification.objects.filter(user_id=user_id, url=url, read_at__isnull=True).update(
            read_at=clock.now()
        )
    return target


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark all of the user's unread notifications read; returns how many."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=clock.now())


def open_url(notification: Notification) -> str:
    """Where opening `notification` leads: its page when that is a path of this site, else
    the notifications list (a stored absolute or protocol-relative URL is never followed)."""
    url = notification.url or ""
    if url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    return reverse("notifications")
