"""PostgreSQL extensions the schema needs, created by migrations with a clear failure.

`pg_trgm` backs the customer search indexes (`models.tenancy.trigram_index`). Creating an extension
needs a superuser, or (PostgreSQL 13+, pg_trgm being a trusted extension) a role with CREATE on
the database. When neither holds, the migration stops with what to run instead of a bare
"permission denied".
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.db.migrations.operations.base import Operation


def ensure_extension(connection, name: str) -> bool:
    """Create extension `name` unless it exists; True if it was created. ImproperlyConfigured
    (the database is set up wrong; not a refusal of the program), saying what to do, when the
    server doesn't ship it or the role may not create it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [name])
        if cursor.fetchone():
            return False
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [name])
        if not cursor.fetchone():
            raise ImproperlyConfigured(
                f"The PostgreSQL extension {name} is not available on this server: install "
                f"PostgreSQL's contrib package (e.g. postgresql-contrib), then migrate again."
            )
        database = connection.settings_dict.get("NAME")
        try:
            with transaction.atomic(using=connection.alias, savepoint=True):
                cursor.execute(f'CREATE EXTENSION IF NOT EXISTS "{name}"')
        except DatabaseError as error:
            raise ImproperlyConfigured(
                f"The PostgreSQL extension {name} is needed (index-backed customer search) and "
                f"this database user may not create it ({error.__class__.__name__}: "
                f"{str(error).strip()}). Ask a superuser to run: CREATE EXTENSION IF NOT "
                f"EXISTS {name}; in the database {database}, then migrate again."
            ) from error
    return True


class CreateExtension(Operation):
    """Migration operation: `ensure_extension`; reversing leaves the extension in place (other
    schemas of the database may use it)."""

    reversible = True

    def __init__(self, name: str):
        self.name = name

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            ensure_extension(schema_editor.connection, self.name)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Creates extension {self.name} (if missing)"

    def deconstruct(self):
        return self.__class__.__qualname__, [self.name], {}
