"""Query options that name a value of one of Partner Center's enumerations: the customers
`filter` (a SimpleFieldFilter as JSON) and `relationship_type`. Each is read as the SDKs send it
and anything else is a 400 that says what to send (never silently ignored).

- Get a list of customers filtered by a search field:
  https://learn.microsoft.com/en-us/partner-center/developer/get-a-customer-by-name
  `filter={"Field":"CompanyName","Value":"cont","Operator":"starts_with"}` (URL-encoded); the
  fields are CustomerSearchField's, "starts_with" is the only operator of the customers
  endpoint and "the case of the value is ignored".
- CustomerSearchField:
  https://learn.microsoft.com/en-us/dotnet/api/microsoft.store.partnercenter.models.customers.customersearchfield
- Get customers of an indirect reseller:
  https://learn.microsoft.com/en-us/partner-center/developer/get-customers-of-an-indirect-reseller
  `{"Field":"IndirectReseller","Value":"<reseller tenant id>","Operator":"starts_with"}`.

The .NET SDK writes enumeration names in PascalCase (`IsIndirectResellerOf`, `StartsWith`), the
Java SDK in snake case (`is_indirect_reseller_of`) and the docs mix both, so names are compared
without case and underscores.
"""

from dataclasses import dataclass
from urllib.parse import quote

from rest_framework import exceptions

from . import parsers


def enum_key(value: str) -> str:
    """The comparable form of an enumeration name: `IsIndirectResellerOf`,
    `is_indirect_reseller_of` and `isIndirectResellerOf` are one name."""
    return value.replace("_", "").replace("-", "").strip().lower()


def enum_choice(raw: str | None, names, *, param: str) -> str:
    """The one of `names` (Partner Center's spelling) that `raw` names; 400 otherwise."""
    by_key = {enum_key(name): name for name in names}
    choice = by_key.get(enum_key(raw or ""))
    if choice is None:
        raise exceptions.ValidationError(
            {param: [f"{raw!r} is not supported here; use one of: {', '.join(names)}."]}
        )
    return choice


@dataclass(frozen=True)
class FieldFilter:
    """A SimpleFieldFilter: `field` (Partner Center's name), the value, and the query option as
    sent, for the collection's links."""

    field: str
    value: str
    query: str
    operator: str = ""


def _member(data: dict, name: str):
    """A property of the filter object, its name matched without case (the .NET SDK sends
    `Field`, hand-written clients `field`)."""
    found = [v for k, v in data.items() if isinstance(k, str) and k.lower() == name.lower()]
    return found[0] if found else None


def field_filter(request, fields, *, operators=("starts_with",)) -> FieldFilter | None:
    """The request's `filter` query option, checked against the supported `fields` and
    `operators` (Partner Center's names); None when there is none. A filter that is not a JSON
    object with a string Field, Value and Operator, or that names another field or operator, is
    a 400 saying so."""
    raw = request.query_params.get("filter")
    if raw is None:
        return None
    example = '{"Field": "IndirectReseller", "Value": "<tenant id>", "Operator": "starts_with"}'
    try:
        data = parsers.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise exceptions.ValidationError(
            {"filter": [f"filter must be a URL-encoded JSON object such as {example}."]}
        )
    parts = {name: _member(data, name) for name in ("Field", "Value", "Operator")}
    missing = [name for name, value in parts.items() if not isinstance(value, str)]
    if missing:
        raise exceptions.ValidationError(
            {"filter": [f"filter needs a string {' and '.join(missing)}, e.g. {example}."]}
        )
    field = enum_choice(parts["Field"], fields, param="filter.Field")
    operator = enum_choice(parts["Operator"], operators, param="filter.Operator")
    value = parts["Value"].strip()
    if not value:
        raise exceptions.ValidationError({"filter.Value": ["Value must not be empty."]})
    query = f"filter={quote(raw, safe='')}"
    return FieldFilter(field=field, value=value, query=query, operator=operator)
