"""AC-1 under concurrency: the partner row lock means two Global admins acting at the same
moment can't both take away the last active Global admin."""

import pytest

from core.models import Role, User
from tests import factories as f
from tests.proof.test_races import one_winner, race
from users import services
from users.exceptions import LastGlobalAdmin

pytestmark = pytest.mark.django_db(transaction=True)


def _active_global_admins(partner):
    return User.objects.filter(
        partner=partner, is_active=True, roles__contains=[Role.GLOBAL_ADMIN]
    ).count()


@pytest.mark.rule("AC-1")
def test_ac1_two_global_admins_deactivating_each_other_leave_one():
    partner = f.PartnerFactory()
    a, b = (f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN]) for _ in range(2))
    results = race(
        [
            lambda: services.partner_user_deactivate(actor=a, user=b),
            lambda: services.partner_user_deactivate(actor=b, user=a),
        ]
    )
    one_winner(results)
    assert [type(v) for kind, v in results if kind == "refused"] == [LastGlobalAdmin]
    assert _active_global_admins(partner) == 1


@pytest.mark.rule("AC-1")
def test_ac1_two_global_admins_giving_up_the_role_at_once_leave_one():
    partner = f.PartnerFactory()
    a, b = (f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN]) for _ in range(2))
    results = race(
        [
            lambda: services.partner_user_change_roles(actor=a, user=a, roles=["admin_agent"]),
            lambda: services.partner_user_change_roles(actor=b, user=b, roles=["admin_agent"]),
        ]
    )
    one_winner(results)
    assert _active_global_admins(partner) == 1
