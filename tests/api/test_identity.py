"""The caller's identity is read by one hand-written statement (api.identity): the token, its
user and partner as complete model instances, with the clock offset and direct-bill status."""

from datetime import timedelta

from django.db import connection

from api import identity
from api.services import api_token_create
from core import clock
from core.models import SimulationClock
from tests import factories as f


def test_token_for_loads_token_user_and_partner(db, django_assert_num_queries):
    partner = f.DirectBillEnrollmentFactory().partner
    user = f.UserFactory(partner=partner)
    token, raw = api_token_create(actor=user, name="sync")
    SimulationClock.objects.update_or_create(pk=1, defaults={"offset": timedelta(days=3)})
    with django_assert_num_queries(1):
        loaded = identity.token_for(raw)
        assert loaded.pk == token.pk and loaded.name == "sync"
        assert loaded.user == user and loaded.user.email == user.email
        assert loaded.user.partner == partner and loaded.user.partner.legal_name
        assert loaded.direct_bill_status == "active"
        assert loaded.clock_offset == timedelta(days=3)
    assert clock.now(stored_offset=loaded.clock_offset) - clock.now() < timedelta(seconds=1)
    assert identity.token_for(raw + "x") is None


def test_token_for_a_user_without_partner(db):
    user = f.UserFactory(partner=f.PartnerFactory())
    _token, raw = api_token_create(actor=user, name="x")
    user.partner = None
    user.roles = []
    user.save()
    loaded = identity.token_for(raw)
    assert loaded.user.partner is None and loaded.direct_bill_status is None
    assert loaded.clock_offset == timedelta(0)


def test_loaded_models_need_no_conversion_from_database_values(db):
    """token_for builds instances with Model.from_db from the raw values: a field that needs
    converting (e.g. a JSONField) would have to be converted there first."""
    for model, fields in identity.FIELDS.items():
        for field in fields:
            col = field.get_col(model._meta.db_table)
            converters = col.get_db_converters(connection)
            converters += connection.ops.get_db_converters(col)
            assert not converters, (model.__name__, field.name)
