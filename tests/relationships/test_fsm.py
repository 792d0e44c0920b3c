"""The status tables of partnerships, customer invitations and GDAP hold even in raw SQL."""

import pytest
from django.db import ProgrammingError, connection, transaction

from core.exceptions import InvalidTransition
from core.fsm import check_transition
from relationships.models import (
    GDAP_TRANSITIONS,
    INVITATION_TRANSITIONS,
    PARTNERSHIP_TRANSITIONS,
    CustomerInvitation,
    GdapRelationship,
    ProviderPartnership,
)
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db


def _raw_update(model, pk, status):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET status = %s WHERE id = %s", [status, pk])


@pytest.mark.rule("PV-3")
def test_partnership_fsm_in_raw_sql():
    p = f.PartnershipFactory()  # accepted
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        _raw_update(ProviderPartnership, p.pk, "invited")
    _raw_update(ProviderPartnership, p.pk, "ended")
    p.refresh_from_db()
    assert p.status == "ended"
    with pytest.raises(InvalidTransition):
        check_transition(PARTNERSHIP_TRANSITIONS, "revoked", "accepted")


@pytest.mark.rule("CU-2")
def test_invitation_fsm_in_raw_sql():
    invitation = rf.InvitationFactory(status="accepted")
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        _raw_update(CustomerInvitation, invitation.pk, "pending")
    draft = rf.InvitationFactory()
    _raw_update(CustomerInvitation, draft.pk, "pending")
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        _raw_update(CustomerInvitation, draft.pk, "draft")
    with pytest.raises(InvalidTransition):
        check_transition(INVITATION_TRANSITIONS, "expired", "accepted")


@pytest.mark.rule("GD-1")
def test_gdap_fsm_in_raw_sql():
    gdap = f.GdapFactory(status="rejected")
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        _raw_update(GdapRelationship, gdap.pk, "active")
    expired = f.GdapFactory()
    _raw_update(GdapRelationship, expired.pk, "expired")
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        _raw_update(GdapRelationship, expired.pk, "pending")
    with pytest.raises(InvalidTransition):
        check_transition(GDAP_TRANSITIONS, "expired", "active")
