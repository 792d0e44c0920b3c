"""Index-backed customer search: the pg_trgm GIN indexes exist on the expressions Django's
icontains compares, PostgreSQL uses them for the picker's and the list's searches, and the
migration's extension step fails with a clear message when the role may not create it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from core.customer_picker import scope_customers
from core.db_extensions import ensure_extension
from core.models import Customer, Tenant
from tests import factories as f

pytestmark = pytest.mark.django_db

INDEXES = {
    "customer_name_trgm": ("partnerportal_customer", "company_name"),
    "customer_email_trgm": ("partnerportal_customer", "email"),
    "tenant_domain_trgm": ("partnerportal_tenant", "domain"),
}


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: show what it *can* use
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_trigram_indexes_exist_on_upper_of_the_searched_columns():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(INDEXES)],
        )
        found = {name: (table, definition) for name, table, definition in cursor.fetchall()}
    assert set(found) == set(INDEXES)
    for name, (table, column) in INDEXES.items():
        assert found[name][0] == table
        assert f"gin (upper(({column})::text) gin_trgm_ops)" in found[name][1]


@pytest.mark.parametrize("text", ["ntos", "Cont"])  # contains and prefix
def test_customer_search_uses_the_trigram_indexes(text):
    partner = f.PartnerFactory()
    f.RelationshipFactory(partner=partner, customer=f.CustomerFactory(company_name="Contoso"))
    with transaction.atomic():
        # Unordered: on a tiny table the planner may otherwise walk the (name, id) order index.
        by_name = _plan(Customer.objects.filter(company_name__icontains=text).order_by())
        by_prefix = _plan(Customer.objects.filter(company_name__istartswith=text).order_by())
        by_domain = _plan(Tenant.objects.filter(domain__icontains=text).order_by())
    assert "customer_name_trgm" in by_name
    assert "customer_name_trgm" in by_prefix
    assert "tenant_domain_trgm" in by_domain
    # The picker's own query, scoped to the partner, is the same icontains on those columns.
    picker = scope_customers("all", partner).filter(company_name__icontains=text)
    assert 'UPPER("partnerportal_customer"."company_name"::text) LIKE UPPER(' in str(picker.query)


def test_an_extension_this_role_may_not_create_is_a_clear_error():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_available_extensions WHERE installed_version IS NULL "
            "AND name IN ('fuzzystrmatch', 'btree_gin', 'unaccent', 'citext') ORDER BY name"
        )
        row = cursor.fetchone()
    assert row, "the server ships none of the contrib extensions this test tries"
    name = row[0]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE ROLE pp_no_create NOLOGIN")
            cursor.execute("SET LOCAL ROLE pp_no_create")
        with pytest.raises(ImproperlyConfigured) as refused:
            ensure_extension(connection, name)
        message = str(refused.value)
        assert f"The PostgreSQL extension {name} is needed" in message
        assert f"Ask a superuser to run: CREATE EXTENSION IF NOT EXISTS {name};" in message
        transaction.set_rollback(True)
    with pytest.raises(ImproperlyConfigured, match="not available on this server"):
        ensure_extension(connection, "no_such_extension_here")
    assert ensure_extension(connection, "pg_trgm") is False  # already there: nothing to do


def test_the_live_relationship_kind_probe_every_page_asks_uses_its_index():
    """ "Has the partner a live relationship of this kind?" (is it an indirect reseller yet?)
    is asked on every page: a probe of a partial index, not a scan of all its relationships."""
    from core.models import CustomerRelationship, RelationshipKind

    partner = f.PartnerFactory()
    f.RelationshipFactory(partner=partner)
    probe = CustomerRelationship.objects.filter(
        partner=partner, kind=RelationshipKind.INDIRECT_RESELLER, ended_at__isnull=True
    )
    with transaction.atomic():
        assert "live_relationship_partner_kind" in _plan(probe)
