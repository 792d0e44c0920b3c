"""Index-backed customer search: pg_trgm GIN indexes on UPPER(name), UPPER(email) and
UPPER(domain), the expressions Django's icontains/istartswith compare.

The statements are written by hand: Django 5.2 renders an OpClass over an expression inside a
GinIndex as `(UPPER(col) gin_trgm_ops)`, which PostgreSQL refuses; the state is the models'
`trigram_index`."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations

from core.db_extensions import CreateExtension

INDEXES = [
    ("customer", "partnerportal_customer", "company_name", "customer_name_trgm"),
    ("customer", "partnerportal_customer", "email", "customer_email_trgm"),
    ("tenant", "partnerportal_tenant", "domain", "tenant_domain_trgm"),
]


def _index(model, table, column, name):
    index = django.contrib.postgres.indexes.GinIndex(
        django.contrib.postgres.indexes.OpClass(
            django.db.models.functions.text.Upper(column), name="gin_trgm_ops"
        ),
        name=name,
    )
    return migrations.RunSQL(
        f'CREATE INDEX "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops);',
        f'DROP INDEX IF EXISTS "{name}";',
        state_operations=[migrations.AddIndex(model_name=model, index=index)],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partnerportal", "0010_bulk_job_items"),
    ]

    operations = [CreateExtension("pg_trgm"), *[_index(*spec) for spec in INDEXES]]
