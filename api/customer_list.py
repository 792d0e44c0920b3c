"""GET /v1/customers, the API's most called and largest read: its rows come from one
hand-written statement (building the equivalent query with the ORM cost as much as running
it), and the JSON of each row is kept per process — rendering it is a pure function of the
row, so a changed customer or relationship is simply a new row."""

import functools
import json

from django.db import connection
from rest_framework.renderers import JSONRenderer

from core import keyset
from core.models import Customer, CustomerRelationship, Partner, Tenant

from .representations.customers import customer_resource

# Every value a Customer resource shows (`customer_resource`), in the caller's list order
# (AC-2: its active relationships), narrowed by one of SEARCH_SQL's conditions.
ROWS_SQL = """
SELECT c.tenant_id::text, t.domain, c.company_name, c.email, c.contact_name, c.address_line,
       c.city, c.postal_code, c.country, c.phone,
       r.kind, r.has_admin_privileges, r.reseller_id, reseller.tenant_id::text,
       r.bill_to_copy::text, c.id, r.id
FROM partnerportal_customerrelationship r
JOIN partnerportal_customer c ON c.id = r.customer_id
JOIN partnerportal_tenant t ON t.id = c.tenant_id
LEFT JOIN partnerportal_partner reseller ON reseller.id = r.reseller_id
WHERE r.partner_id = %(partner)s AND r.ended_at IS NULL {search} {after}
ORDER BY c.company_name, c.id, r.id
LIMIT %(limit)s
"""

# The customers `filter` (api.filters.field_filter): each CustomerSearchField as a condition on
# the lower-cased prefix `%(search)s` ("starts_with"; the case of the value is ignored). Names
# and domains compare UPPER(column) LIKE 'PREFIX%' (`%(prefix)s`, wildcards escaped), which the
# pg_trgm indexes on those expressions answer (models.trigram_index).
# IndirectReseller: the reseller the caller (a provider) serves the customer for, by tenant ID
# (Get customers of an indirect reseller). IndirectCloudSolutionProvider: a provider that serves
# the customer for the caller (a reseller), by tenant ID.
SEARCH_SQL = {
    "CompanyName": "AND upper(c.company_name::text) LIKE upper(%(prefix)s)",
    "Domain": "AND upper(t.domain::text) LIKE upper(%(prefix)s)",
    "IndirectReseller": "AND starts_with(reseller.tenant_id::text, %(search)s)",
    "IndirectCloudSolutionProvider": """AND EXISTS (
        SELECT 1 FROM partnerportal_customerrelationship p
        JOIN partnerportal_partner provider ON provider.id = p.partner_id
        WHERE p.customer_id = r.customer_id AND p.ended_at IS NULL
          AND p.kind = 'indirect_provider' AND p.reseller_id = r.partner_id
          AND starts_with(provider.tenant_id::text, %(search)s))""",
}
SEARCH_FIELDS = tuple(SEARCH_SQL)


# Keyset paging: the rows after the last one sent, by the list's order (no OFFSET); the
# relationship breaks the tie between a provider's rows for one customer (IR-4).
AFTER_SQL = "AND (c.company_name, c.id, r.id) > (%(after_name)s, %(after_id)s, %(after_rel)s)"


def like_prefix(value: str) -> str:
    """A LIKE pattern matching what starts with `value` (its wildcards taken literally)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


class CustomerRows:
    """The caller's customers as rows of ROWS_SQL, those matching `search` (a FieldFilter on
    one of SEARCH_FIELDS) when given; `window` runs the statement for one page."""

    def __init__(self, partner, search=None):
        self.partner_id = partner.pk
        self.search_sql = SEARCH_SQL[search.field] if search else ""
        self.search = search.value.lower() if search else None

    def window(self, *, size: int, salt: str, after: str | None) -> tuple[list[tuple], str | None]:
        """`size` rows after the continuation token `after` (keyset.BadCursor when we didn't
        make it), and the next page's token (None on the last page)."""
        params = {
            "partner": self.partner_id,
            "search": self.search,
            "prefix": like_prefix(self.search or ""),
            "limit": size + 1,
        }
        if after:
            name, pk, rel = keyset.decode(after, salt=salt, length=3)
            if not isinstance(name, str) or type(pk) is not int or type(rel) is not int:
                raise keyset.BadCursor()
            params.update(after_name=name, after_id=pk, after_rel=rel)
        sql = ROWS_SQL.format(search=self.search_sql, after=AFTER_SQL if after else "")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if len(rows) <= size:
            return rows, None
        rows = rows[:size]
        last = rows[-1]
        return rows, keyset.encode([last[2], last[-2], last[-1]], salt=salt)


@functools.lru_cache(maxsize=4096)
def customer_json(row: tuple) -> bytes:
    """The Customer resource of a row of ROWS_SQL, as the JSON renderer writes it."""
    (
        tenant_id,
        domain,
        name,
        email,
        contact_name,
        address_line,
        city,
        postal_code,
        country,
        phone,
        kind,
        has_admin_privileges,
        reseller_id,
        reseller_tenant_id,
        bill_to_copy,
        _customer_id,
        _relationship_id,
    ) = row
    customer = Customer(
        tenant=Tenant(id=tenant_id, domain=domain),
        company_name=name,
        email=email,
        contact_name=contact_name,
        address_line=address_line,
        city=city,
        postal_code=postal_code,
        country=country,
        phone=phone,
    )
    rel = CustomerRelationship(
        customer=customer,
        kind=kind,
        has_admin_privileges=has_admin_privileges,
        bill_to_copy=json.loads(bill_to_copy),
    )
    if reseller_id is not None:
        rel.reseller = Partner(pk=reseller_id, tenant_id=reseller_tenant_id)
    return JSONRenderer().render(customer_resource(rel))
