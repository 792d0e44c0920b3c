"""The core's own bookkeeping rows move along their tables without audit noise, and the
partner-customer relationship rows have one writer."""

import re
from pathlib import Path

import pytest
from django.core import mail

from core import fsm, notifications
from core.exceptions import InvalidTransition
from core.models import (
    BULK_JOB_TRANSITIONS,
    EMAIL_TRANSITIONS,
    AuditEvent,
    EmailStatus,
    JobStatus,
    OutboundEmail,
    Role,
)
from core.tasks import deliver_queued_emails
from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_move_checks_the_table_and_saves_without_an_audit_event():
    job = f.BulkJobFactory()
    fsm.move(job, BULK_JOB_TRANSITIONS, JobStatus.RUNNING)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    with pytest.raises(InvalidTransition):
        fsm.move(job, BULK_JOB_TRANSITIONS, JobStatus.QUEUED)
    assert not AuditEvent.objects.exists()


def test_the_sweep_delivers_every_queued_email_once():
    queued = [f.OutboundEmailFactory(subject=f"Mail {n}") for n in range(3)]
    f.OutboundEmailFactory(status=EmailStatus.SENT, subject="Sent already")
    assert deliver_queued_emails(None) == 3
    assert sorted(m.subject for m in mail.outbox) == ["Mail 0", "Mail 1", "Mail 2"]
    assert set(
        OutboundEmail.objects.filter(pk__in=[e.pk for e in queued]).values_list("status", flat=True)
    ) == {EmailStatus.SENT}
    assert deliver_queued_emails(None) == 0
    sent = OutboundEmail.objects.get(pk=queued[0].pk)
    with pytest.raises(InvalidTransition):
        fsm.move(sent, EMAIL_TRANSITIONS, EmailStatus.FAILED)


def test_partner_notice_email_links_the_page():
    partner = f.PartnerFactory()
    f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    notifications.notify_partner(partner=partner, subject="Hello", body="Body.", url="/x/")
    email = OutboundEmail.objects.get()
    assert email.body == "Body.\n\nOpen it in the portal: " + notifications.email_link("/x/")
    assert notifications.email_link("/x/").endswith("/notifications/open/?to=/x/")


WRITES = re.compile(
    r"CustomerRelationship\.objects\.(create|bulk_create|update|get_or_create|update_or_create)"
    r"|copy_(insert|values)\(\s*CustomerRelationship"
)


def test_customer_relationships_have_one_writer():
    """Rows of CustomerRelationship are written by `core.services.relationships` only (demo
    seeding loads its starting rows with COPY: data loading, not a change)."""
    allowed = {"core/services/relationships.py", "demo/seeding.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if path.parts[len(ROOT.parts)] not in ("tests", "benchmarks", ".venv", ".local")
        and "migrations" not in path.parts
        and str(path.relative_to(ROOT)) not in allowed
        and WRITES.search(path.read_text())
    ]
    assert offenders == []
