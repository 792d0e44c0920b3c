"""Keyset pagination: a page starts after the last row of the previous one, by its sort key,
never at an OFFSET (which reads and throws away every row before it: page 100 of a 100,000
customer book cost three times page 1).

A cursor is an opaque, signed token holding the sort key of the row to start after (or
before, for "Previous"). It is signed with the settings' SECRET_KEY and a salt naming the
list, so a token that was changed, or that belongs to another list, is refused (`BadCursor`):
pages answer 400, the API its `invalid_input` error. Rows inserted between two requests never
shift a page: the next page still starts right after the key the reader last saw, so nothing
is shown twice and nothing is skipped.

The order is the queryset's own `order_by` (its model's default ordering when it has none),
with the primary key added as the last tie-breaker when missing, so every key is unique.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import BadRequest, FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet

CURSOR_PARAM = "after"
BEFORE_PARAM = "before"
BAD_CURSOR_MESSAGE = (
    "This page link is not valid: it was changed, or it belongs to another list. "
    "Start again from the first page."
)


class BadCursor(BadRequest):
    """A cursor that was not made by us for this list (changed, truncated, another list's)."""

    def __init__(self, message: str = BAD_CURSOR_MESSAGE):
        super().__init__(message)


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder keeps datetimes to the millisecond; a sort key needs every
    microsecond, or rows sharing the millisecond would be skipped or repeated."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


class _Serializer:
    """JSON that can hold dates, datetimes, decimals and UUIDs (as strings: the database
    compares them back against the column's type)."""

    def dumps(self, obj):
        return json.dumps(obj, separators=(",", ":"), cls=_Encoder).encode("latin-1")

    def loads(self, data):
        return json.loads(data.decode("latin-1"))


def encode(values: list, *, salt: str) -> str:
    """The opaque token for a sort key (`values`, in the order's fields)."""
    return signing.dumps(values, salt=f"keyset:{salt}", serializer=_Serializer)


def decode(token: str, *, salt: str, length: int) -> list:
    """The sort key in `token`; BadCursor unless we signed it for this list (`salt`)."""
    try:
        values = signing.loads(token, salt=f"keyset:{salt}", serializer=_Serializer)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise BadCursor() from None
    if not isinstance(values, list) or len(values) != length:
        raise BadCursor()
    if any(isinstance(v, (list, dict)) for v in values):
        raise BadCursor()
    return values


# --- the order of a queryset ------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    """The sort fields of a queryset as (lookup, descending, nullable)."""

    fields: tuple[tuple[str, bool, bool], ...]

    @classmethod
    def of(cls, qs: QuerySet) -> Order:
        names = list(qs.query.order_by or qs.model._meta.ordering or [])
        pk_name = qs.model._meta.pk.name
        fields = []
        for name in names:
            if not isinstance(name, str) or name == "?":
                raise ValueError(f"keyset pagination needs field names to order by, not {name!r}")
            desc = name.startswith("-")
            lookup = name.lstrip("-")
            if lookup == "pk":
                lookup = pk_name
            fields.append((lookup, desc, _nullable(qs, lookup)))
        if not any(lookup == pk_name for lookup, _, _ in fields):
            desc = fields[-1][1] if fields else False
            fields.append((pk_name, desc, False))
        return cls(tuple(fields))

    def order_by(self, *, reverse: bool = False) -> list[str]:
        return [("-" if desc != reverse else "") + lookup for lookup, desc, _ in self.fields]

    def key_of(self, row) -> list:
        return [_value(row, lookup) for lookup, _, _ in self.fields]

    def after(self, values: list, *, reverse: bool = False) -> Q:
        """Rows that come strictly after `values` in this order (before it when `reverse`).
        PostgreSQL sorts NULLs last ascending and first descending."""
        alternatives = Q(pk__in=[])
        equal = Q()
        for (lookup, desc, nullable), value in zip(self.fields, values, strict=True):
            later_is_greater = desc == reverse
            alternatives |= equal & _beyond(lookup, value, later_is_greater, nullable)
            equal &= Q(**{f"{lookup}__isnull": True}) if value is None else Q(**{lookup: value})
        lead, desc, nullable = self.fields[0]
        if values[0] is not None and not nullable:
            # The same condition with the leading column bounded, so an index on it is used.
            bound = "gte" if desc == reverse else "lte"
            return Q(**{f"{lead}__{bound}": values[0]}) & alternatives
        return alternatives


def _beyond(lookup: str, value, greater: bool, nullable: bool) -> Q:
    """Rows whose `lookup` comes after `value` in the scan direction (`greater`: ascending)."""
    if value is None:
        # NULLs sort last ascending: nothing is greater; descending: every non-NULL is smaller.
        return Q(pk__in=[]) if greater else Q(**{f"{lookup}__isnull": False})
    beyond = Q(**{f"{lookup}__{'gt' if greater else 'lt'}": value})
    if nullable and greater:
        beyond |= Q(**{f"{lookup}__isnull": True})
    return beyond


def _nullable(qs: QuerySet, lookup: str) -> bool:
    model = qs.model
    parts = lookup.split("__")
    for i, part in enumerate(parts):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return True  # an annotation: assume it may be NULL
        if model_field.null:
            return True
        if i < len(parts) - 1:
            if not model_field.is_relation or model_field.related_model is None:
                return True
            model = model_field.related_model
    return False


def _value(row, lookup: str):
    if isinstance(row, dict):
        if lookup in row:
            return row[lookup]
        if lookup in ("id", "pk"):
            return row.get("pk", row.get("id"))
        raise KeyError(f"the rows need the sort field {lookup!r}")
    value: Any = row
    for part in lookup.split("__"):
        value = None if value is None else getattr(value, part)
    if hasattr(value, "pk") and not isinstance(value, (str, int)):
        value = value.pk
    return value


# --- a page of a list -------------------------------------------------------------------------


@dataclass
class KeysetPage:
    """One page: `object_list`, links to the next and previous pages (keeping the other
    query parameters), and `count` when the caller knows it cheaply (memoised)."""

    object_list: list
    next_url: str | None = None
    previous_url: str | None = None
    count: int | None = None
    size: int = 0
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_url is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_url is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def window(
    qs: QuerySet, *, size: int, salt: str, after: str | None = None, before: str | None = None
) -> tuple[list, str | None, str | None]:
    """`size` rows of `qs` after the cursor `after` (or ending before `before`), with the
    cursors of the next and previous pages (None where there is none)."""
    order = Order.of(qs)
    length = len(order.fields)
    backwards = bool(before) and not after
    token = before if backwards else after
    ordered = qs.order_by(*order.order_by(reverse=backwards))
    if token:
        ordered = ordered.filter(
            order.after(decode(token, salt=salt, length=length), reverse=backwards)
        )
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    next_token = prev_token = None
    if rows:
        if more if not backwards else True:
            next_token = encode(order.key_of(rows[-1]), salt=salt)
        if (token and not backwards) or (backwards and more):
            prev_token = encode(order.key_of(rows[0]), salt=salt)
    return rows, next_token, prev_token


def paginate(
    request, qs: QuerySet, *, size: int, salt: str, count: int | None = None
) -> KeysetPage:
    """The page of `qs` that `request` asks for (`?after=` / `?before=` cursors)."""
    after = request.GET.get(CURSOR_PARAM) or None
    before = request.GET.get(BEFORE_PARAM) or None
    rows, next_token, prev_token = window(qs, size=size, salt=salt, after=after, before=before)
    return KeysetPage(
        object_list=rows,
        next_url=_url(request, CURSOR_PARAM, next_token),
        previous_url=_url(request, BEFORE_PARAM, prev_token),
        count=count,
        size=size,
    )


def _url(request, param: str, token: str | None) -> str | None:
    if token is None:
        return None
    query = [
        (k, v)
        for k, values in request.GET.lists()
        for v in values
        if k not in (CURSOR_PARAM, BEFORE_PARAM, "page")
    ]
    query.append((param, token))
    return "?" + urlencode(query)
