"""The customer picker: every form field that chooses one of a partner's customers is a text
box, never a `<select>` of the whole book (100,000 `<option>`s made the audit log 5 MB).

With JavaScript, `static/js/customer-picker.js` turns the box into a search-as-you-type list fed
by the `customer_lookup` JSON endpoint (at most `PICKER_SIZE` matches by name or domain).
Without it the box is a plain search field: the form resolves what was typed — a customer id,
a domain, "Name (domain)" as the script fills it in, an exact name, or a part of a name or
domain matching one customer — and says clearly when nothing or several match.

Which customers a field offers is a *scope* (`register_scope`): the partner's customers (AC-2)
narrowed by the page's own rule (e.g. GDAP: not those reached by an extension only). The
endpoint answers within the same scope, so the list never offers what the form refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.urls import reverse_lazy
from django.utils.http import urlencode

from .models import Customer, CustomerRelationship
from .validators import parse_id

PICKER_SIZE = 20  # matches sent to the picker, and named in an "ambiguous" error at most
QUERY_MAX_LENGTH = 200
# "Contoso Ltd (contoso.example)": the form the script fills in; the domain decides.
NAME_AND_DOMAIN = re.compile(r"\(\s*([^()\s]+)\s*\)\s*$")

_SCOPES: dict[str, Callable] = {}


def register_scope(name: str, customers: Callable) -> None:
    """`customers(partner)` → the queryset of customers a picker of scope `name` offers."""
    _SCOPES[name] = customers


def scope_customers(name: str, partner) -> QuerySet | None:
    """The customers of `partner` in scope `name`; None for an unknown scope."""
    build = _SCOPES.get(name)
    return None if build is None else build(partner)


def _all_customers(partner):
    """The partner's customers (AC-2), as a semi-join: no DISTINCT over the relationships."""
    own = CustomerRelationship.objects.active().filter(partner=partner).values("customer_id")
    return Customer.objects.filter(pk__in=own)


register_scope("all", _all_customers)


def search(customers: QuerySet, q: str, *, limit: int = PICKER_SIZE) -> list[dict]:
    """At most `limit` of `customers` whose name or domain contains `q` (case ignored; the
    trigram indexes answer it), names starting with `q` first, as `{id, name, domain}`."""
    q = (q or "").strip()[:QUERY_MAX_LENGTH]
    if not q:
        return []
    rows = (
        customers.filter(Q(company_name__icontains=q) | Q(tenant__domain__icontains=q))
        .order_by()
        .values("pk", "company_name", "tenant__domain")
    )
    # Prefix matches first: a person typing "Con" means Contoso before "Falcon".
    prefix = list(rows.filter(company_name__istartswith=q).order_by("company_name", "pk")[:limit])
    seen = {r["pk"] for r in prefix}
    if len(prefix) < limit:
        rest = rows.exclude(pk__in=seen).order_by("company_name", "pk")[: limit - len(prefix)]
        prefix += list(rest)
    return [
        {"id": r["pk"], "name": r["company_name"], "domain": r["tenant__domain"]} for r in prefix
    ]


def label(customer: Customer) -> str:
    """What the box shows for a chosen customer: "Name (domain)"."""
    return f"{customer.company_name} ({customer.tenant.domain})"


class CustomerPickerInput(forms.TextInput):
    """A text box the picker script enhances (`data-customer-lookup`: its endpoint)."""

    def __init__(self, *, scope: str = "all", attrs=None):
        base = {
            "autocomplete": "off",
            "spellcheck": "false",
            "placeholder": "Type a customer's name or domain",
            "data-customer-picker": "",
        }
        super().__init__(attrs={**base, **(attrs or {})})
        self.scope = scope

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        lookup = f"{reverse_lazy('customer_lookup')}?{urlencode({'scope': self.scope})}"
        context["widget"]["attrs"]["data-customer-lookup"] = lookup
        return context


class CustomerPickerField(forms.CharField):
    """One customer of `customers`, typed in (see the module docstring); cleans to a Customer."""

    default_error_messages = {
        "none": "No customer of yours matches “%(q)s”. Type part of its name or its domain.",
        "ambiguous": "%(count)s customers match “%(q)s”: %(names)s. Type more of the name, or "
        "the domain.",
        "required": "Choose a customer: type part of its name or its domain.",
    }

    def __init__(self, *, customers: QuerySet | None = None, scope: str = "all", **kwargs):
        kwargs.setdefault("max_length", QUERY_MAX_LENGTH)
        kwargs.setdefault("label", "Customer")
        kwargs.setdefault(
            "help_text", "Type part of the name or domain and pick from the list (or type it all)."
        )
        super().__init__(widget=CustomerPickerInput(scope=scope), **kwargs)
        self.customers = customers

    def prepare_value(self, value):
        if isinstance(value, Customer):
            return label(value)
        return value

    def to_python(self, value):
        if isinstance(value, Customer):
            value = str(value.pk)
        return super().to_python(value)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        return self.resolve(text)

    def resolve(self, text: str) -> Customer:
        if self.customers is None:
            raise ImproperlyConfigured("A CustomerPickerField needs the customers it picks from.")
        customers = self.customers.select_related("tenant").order_by()
        pk = parse_id(text)
        if pk is not None:
            found = customers.filter(pk=pk).first()
            if found is not None:
                return found
        named = NAME_AND_DOMAIN.search(text)
        domain = (named.group(1) if named else text).lower()
        found = customers.filter(tenant__domain=domain).first()
        if found is not None:
            return found
        exact = list(customers.filter(company_name__iexact=text.strip())[:2])
        if len(exact) == 1:
            return exact[0]
        # A bare number that is none of these customers' ids is not searched for inside names:
        # an id sent by a link or a script must never pick another customer.
        matches = [] if pk is not None else search(customers, text, limit=PICKER_SIZE + 1)
        if len(matches) == 1:
            return customers.get(pk=matches[0]["id"])
        if not matches:
            raise forms.ValidationError(
                self.error_messages["none"], code="none", params={"q": text}
            )
        shown = ", ".join(f"{m['name']} ({m['domain']})" for m in matches[:5])
        if len(matches) > 5:
            shown += ", …"
        count = f"More than {PICKER_SIZE}" if len(matches) > PICKER_SIZE else str(len(matches))
        raise forms.ValidationError(
            self.error_messages["ambiguous"],
            code="ambiguous",
            params={"q": text, "count": count, "names": shown},
        )
