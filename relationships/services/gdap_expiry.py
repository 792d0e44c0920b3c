"""The GDAP sweeper bodies (GD-1, GD-2), idempotent, by the simulation clock: unanswered
requests expire; active relationships get notices before their end, then auto-extend or
expire. Source for the numbers: https://learn.microsoft.com/partner-center/dap-faq"""

from datetime import datetime, timedelta

from django.urls import reverse

from core import audit, notifications
from core.fsm import apply_transition, apply_transition_many
from core.models import Role, User
from core.sweep import each_due, each_due_chunk

from .. import emails
from ..models import GDAP_TRANSITIONS, GdapRelationship, GdapStatus
from ..selectors import gdap_rules
from .gdap_notices import tell_both


def _ends_at(gdap: GdapRelationship) -> datetime:
    """An active relationship's end (set when it was approved)."""
    assert gdap.ends_at is not None, "an active GDAP relationship has an end"
    return gdap.ends_at


def expire_requests(now: datetime) -> int:
    """GD-1: a request unanswered for GDAP_REQUEST_EXPIRY_DAYS expires. Set-based: a chunk of
    due requests at a time (`each_due_chunk`), one UPDATE and one audit insert per chunk; the
    partner's Admin agents are told of each request, as before."""

    def expire(rows: list[GdapRelationship]) -> None:
        apply_transition_many(
            rows,
            GDAP_TRANSITIONS,
            GdapStatus.EXPIRED,
            actor=None,
            operation="gdap.request_expire",
            partner_of=lambda gdap: gdap.partner,
            customer_of=lambda gdap: gdap.customer,
            detail="The customer did not answer the request in time.",
            at=now,
            closed_at=now,
        )
        url = reverse("partner_gdap")
        users: dict[int, list[User]] = {}  # one read of a partner's agents per chunk
        for gdap in rows:
            if gdap.partner_id not in users:
                users[gdap.partner_id] = list(
                    notifications.partner_users(gdap.partner, Role.ADMIN_AGENT)
                )
            notifications.notify(
                users=users[gdap.partner_id],
                subject=emails.render("gdap_request_expired", gdap=gdap)[0],
                url=url,
            )

    due = GdapRelationship.objects.filter(
        status=GdapStatus.PENDING, request_expires_at__lte=now
    ).select_related("partner", "customer")
    return each_due_chunk(due, expire)


def end_or_extend(now: datetime) -> int:
    """GD-2: an active relationship past its end auto-extends by GDAP_AUTO_EXTEND_DAYS when
    auto-extend is on (never with Global Administrator), else expires.

    Row by row (`each_due`), not set-based: each row's change is its own (an extension moves
    its end by its own number of steps and resets its notices; an expiry names its own end),
    and each is told to both sides by email, so a chunk would save little but the loop."""
    extend_days = gdap_rules()["extend_days"]

    def end_or_extend_one(gdap: GdapRelationship) -> None:
        old_end = ends_at = _ends_at(gdap)
        if gdap.auto_extend and not gdap.includes_global_admin:
            while ends_at <= now:
                ends_at += timedelta(days=extend_days)
                gdap.extensions += 1
            gdap.ends_at = ends_at
            gdap.notices_sent = []
            gdap.save(update_fields=["ends_at", "extensions", "notices_sent"])
            audit.record(
                actor=None,
                operation="gdap.auto_extend",
                partner=gdap.partner,
                customer=gdap.customer,
                obj=gdap,
                old_state=f"ends {old_end:%Y-%m-%d}",
                new_state=f"ends {gdap.ends_at:%Y-%m-%d}",
                at=now,
            )
            subject, _ = emails.render("gdap_extended", gdap=gdap)
        else:
            apply_transition(
                gdap,
                GDAP_TRANSITIONS,
                GdapStatus.EXPIRED,
                actor=None,
                operation="gdap.expire",
                partner=gdap.partner,
                customer=gdap.customer,
                detail=f"Ended on {old_end:%d %b %Y}.",
                at=now,
                closed_at=now,
            )
            subject, _ = emails.render("gdap_expired", gdap=gdap)
        tell_both(gdap, subject)

    due = GdapRelationship.objects.filter(
        status=GdapStatus.ACTIVE, ends_at__lte=now
    ).select_related("partner", "customer")
    return each_due(due, end_or_extend_one)


def send_expiry_notices(now: datetime) -> int:
    """GD-2: notices 30, 7 and 1 days before the end; each threshold is sent once (stored in
    `notices_sent`); a clock jump over several thresholds sends one notice for the nearest.

    Row by row (`each_due`), not set-based: which notice a row gets (if any) depends on its own
    end and the notices it already had, and each is an email to both sides; rows are due for
    at most 30 days before their end, so a clock jump does not pile them up."""
    thresholds = gdap_rules()["notice_days"]

    def notify_once(gdap: GdapRelationship) -> bool:
        ends_at = _ends_at(gdap)
        passed = [d for d in thresholds if ends_at - timedelta(days=d) <= now]
        new = [d for d in passed if d not in gdap.notices_sent]
        if not new:
            return False
        gdap.notices_sent = sorted({*gdap.notices_sent, *new}, reverse=True)
        gdap.save(update_fields=["notices_sent"])
        nearest = min(new)
        audit.record(
            actor=None,
            operation="gdap.expiry_notice",
            partner=gdap.partner,
            customer=gdap.customer,
            obj=gdap,
            detail=f"{nearest}-day notice: ends {gdap.ends_at:%d %b %Y}.",
            at=now,
        )
        subject, body = emails.render(
            "gdap_expiry_notice",
            gdap=gdap,
            days=nearest,
            extends=gdap.auto_extend and not gdap.includes_global_admin,
            extend_days=gdap_rules()["extend_days"],
        )
        tell_both(gdap, subject, body)
        return True

    due = GdapRelationship.objects.filter(
        status=GdapStatus.ACTIVE,
        ends_at__gt=now,
        ends_at__lte=now + timedelta(days=max(thresholds)),
    ).select_related("partner", "customer")
    return each_due(due, notify_once)
