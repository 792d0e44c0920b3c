"""Sweeps at scale (issue 18): the GDAP request (GD-1), customer invitation and partnership
invitation (PV-3) expiries work set-based, a chunk of due rows per transaction
(`sweep.each_due_chunk`): one sweep handles every due row, once, with one audit event each and
the notices the row-by-row code sent; a second sweep finds nothing."""

from datetime import timedelta

import pytest

from core import clock, sweep
from core.models import AuditEvent, Notification, Outcome
from relationships.models import (
    GdapRelationship,
    GdapStatus,
    InvitationStatus,
    PartnershipStatus,
    ProviderPartnership,
)
from relationships.services import gdap_expiry, invitations, partnerships
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db

N, BATCH = 7, 3  # three chunks: 3, 3, 1


@pytest.fixture
def chunks(monkeypatch):
    """Small chunks for every converted sweeper; records the size of each chunk handed over."""
    sizes = []
    real = sweep.each_due_chunk

    def small(due, handle_chunk, *, batch=500):
        def counted(rows):
            sizes.append(len(rows))
            return handle_chunk(rows)

        return real(due, counted, batch=BATCH)

    for module in (gdap_expiry, invitations, partnerships):
        monkeypatch.setattr(module, "each_due_chunk", small)
    return sizes


def _events(operation):
    return AuditEvent.objects.filter(operation=operation, outcome=Outcome.SUCCESS)


@pytest.mark.rule("GD-1")
def test_gd1_many_unanswered_requests_expire_in_chunks_once_each(chunks):
    partner = f.PartnerFactory()
    agent = rf.admin_agent(partner)
    past = clock.now() - timedelta(days=1)
    requests = [
        f.GdapFactory(partner=partner, requested_by=agent, request_expires_at=past)
        for _ in range(N)
    ]
    waiting = f.GdapFactory(partner=partner, requested_by=agent)  # not due yet
    now = clock.now()
    assert gdap_expiry.expire_requests(now) == N
    assert chunks == [3, 3, 1]
    for gdap in requests:
        gdap.refresh_from_db()
        assert gdap.status == GdapStatus.EXPIRED and gdap.closed_at == now
        (event,) = _events("gdap.request_expire").filter(object_id=str(gdap.pk))
        assert (event.partner, event.customer) == (partner, gdap.customer)
        assert (event.old_state, event.new_state) == ("pending", "expired")
        assert event.detail == "The customer did not answer the request in time."
    assert GdapRelationship.objects.get(pk=waiting.pk).status == GdapStatus.PENDING
    # One notice per request, as the row-by-row sweeper sent.
    assert Notification.objects.filter(user=agent).count() == N
    assert gdap_expiry.expire_requests(now) == 0  # the rerun finds nothing
    assert _events("gdap.request_expire").count() == N
    assert not AuditEvent.objects.filter(outcome=Outcome.REFUSED).exists()
    assert Notification.objects.filter(user=agent).count() == N


@pytest.mark.rule("PV-3")
def test_pv3_many_customer_invitations_expire_in_chunks_once_each(chunks):
    partner = rf.reseller()
    past = clock.now() - timedelta(days=1)
    invites = [
        rf.InvitationFactory(
            partner=partner,
            status=InvitationStatus.PENDING if i % 2 else InvitationStatus.DRAFT,
            expires_at=past,
        )
        for i in range(N)
    ]
    open_one = rf.InvitationFactory(partner=partner, status=InvitationStatus.PENDING)
    now = clock.now()
    assert invitations.expire_customer_invitations(now) == N
    assert chunks == [3, 3, 1]
    for invite in invites:
        old = invite.status
        invite.refresh_from_db()
        assert invite.status == InvitationStatus.EXPIRED
        (event,) = _events("customer_invitation.expire").filter(object_id=str(invite.pk))
        assert (event.partner, event.customer) == (partner, None)
        assert (event.old_state, event.new_state) == (old, "expired")
    open_one.refresh_from_db()
    assert open_one.status == InvitationStatus.PENDING
    assert invitations.expire_customer_invitations(now) == 0
    assert _events("customer_invitation.expire").count() == N
    assert not AuditEvent.objects.filter(outcome=Outcome.REFUSED).exists()


@pytest.mark.rule("PV-3")
def test_pv3_many_partnership_invitations_expire_in_chunks_once_each(chunks):
    provider = f.ProviderFactory()
    past = clock.now() - timedelta(days=1)
    invited = [rf.invited(provider, rf.reseller(), expires_at=past) for _ in range(N)]
    fresh = rf.invited(provider, rf.reseller(), expires_at=clock.now() + timedelta(days=5))
    now = clock.now()
    assert partnerships.expire_partnership_invitations(now) == N
    assert chunks == [3, 3, 1]
    for p in invited:
        p.refresh_from_db()
        assert p.status == PartnershipStatus.EXPIRED and p.ended_at == now
        (event,) = _events("partnership.expire").filter(object_id=str(p.pk))
        assert (event.partner, event.customer) == (provider, None)
        assert (event.old_state, event.new_state) == ("invited", "expired")
        assert event.detail == f"The invitation to {p.reseller} expired unanswered."
    assert ProviderPartnership.objects.get(pk=fresh.pk).status == PartnershipStatus.INVITED
    assert partnerships.expire_partnership_invitations(now) == 0
    assert _events("partnership.expire").count() == N
    assert not AuditEvent.objects.filter(outcome=Outcome.REFUSED).exists()


def test_the_sweep_runs_the_converted_sweepers_through_chunks(chunks):
    """Through the periodic sweep itself: every due row of the three kinds in one sweep."""
    provider = f.ProviderFactory()
    past = clock.now() - timedelta(days=1)
    for _ in range(4):
        rf.invited(provider, rf.reseller(), expires_at=past)
        f.GdapFactory(request_expires_at=past)
    sweep.run_sweep()
    assert _events("partnership.expire").count() == 4
    assert _events("gdap.request_expire").count() == 4
    before = AuditEvent.objects.count()
    sweep.run_sweep()
    assert AuditEvent.objects.count() == before
