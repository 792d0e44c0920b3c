import pytest

from core.models import Role
from enrollment.models import DirectBillStatus
from tests import factories as f


@pytest.fixture
def direct_partner(db):
    """A direct-bill partner (Active) with a Global admin and an Admin agent."""
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    return partner


@pytest.fixture
def restricted_partner(db):
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner, status=DirectBillStatus.RESTRICTED)
    return partner


@pytest.fixture
def global_admin(make_user):
    def make(partner):
        return make_user(partner, Role.GLOBAL_ADMIN)

    return make


@pytest.fixture
def agent(make_user):
    def make(partner):
        return make_user(partner, Role.ADMIN_AGENT)

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on-commit callbacks (task enqueue, email delivery) eagerly."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture(autouse=True)
def _no_closing_checks(monkeypatch):
    """The TX-1 checks higher apps register are theirs to test; here closing is unblocked
    unless a test registers its own check."""
    from enrollment import closing

    monkeypatch.setattr(closing, "_checks", [])
