"""Who is calling: the bearer token with its user and the user's partner, plus what every API
request checks next — the clock offset (token expiry, AC-3) and the partner's direct-bill
status (TX-2) — read by one hand-written statement. Every API call starts here; building the
equivalent select_related query with the ORM cost more than a typical call's own work."""

from datetime import timedelta

from django.db import connection

from core.models import Partner, SimulationClock, User
from enrollment.models import DirectBillEnrollment

from .models import ApiToken, hash_token

# Each model's concrete fields, in column order, for Model.from_db. These models have no field
# that needs converting from the database value (a test keeps it so).
LOADED = (ApiToken, User, Partner)
FIELDS = {model: model._meta.concrete_fields for model in LOADED}


def _columns(model, alias) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in FIELDS[model])


SQL = f"""
SELECT {_columns(ApiToken, "t")}, {_columns(User, "u")}, {_columns(Partner, "p")},
       (SELECT c."offset" FROM {SimulationClock._meta.db_table} c WHERE c.id = 1),
       (SELECT e.status FROM {DirectBillEnrollment._meta.db_table} e
        WHERE e.partner_id = u.partner_id)
FROM {ApiToken._meta.db_table} t
JOIN {User._meta.db_table} u ON u.id = t.user_id
LEFT JOIN {Partner._meta.db_table} p ON p.id = u.partner_id
WHERE t.token_hash = %s
"""


def _load(model, values):
    return model.from_db(connection.alias, [field.attname for field in FIELDS[model]], values)


def token_for(raw: str) -> ApiToken | None:
    """The token whose raw value is `raw`, with `user` and `user.partner` loaded, and
    `clock_offset` (the stored offset of business time) and `direct_bill_status` (the
    partner's, or None) read along; None for an unknown token."""
    with connection.cursor() as cursor:
        cursor.execute(SQL, [hash_token(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    loaded, start = [], 0
    for model in LOADED:
        end = start + len(FIELDS[model])
        loaded.append(_load(model, row[start:end]))
        start = end
    token, user, partner = loaded
    clock_offset, token.direct_bill_status = row[start:]
    token.clock_offset = clock_offset if clock_offset is not None else timedelta(0)
    user.partner = partner if user.partner_id is not None else None
    token.user = user
    return token
