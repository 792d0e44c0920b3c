"""Trainee partners for a class: each a copy of Contoso Cloud's world (its own tenant, login
and twenty customers with their subscriptions, admins and MCA states) that shares the demo
world's indirect providers, Fabrikam and Northwind.

Trainee n is keyed `traineeNN`: tenant `traineeNN.contoso.example`, login
`traineeNN@contoso.example` (Global admin and Admin agent, the demo password), customers
`traineeNN-adatum.example` … named "Adatum Corporation (traineeNN)" …. Building is keyed by
domains and emails, so building again changes nothing.
"""

import re
import typing
from collections import defaultdict
from datetime import timedelta

import pgtrigger
from django.apps import apps
from django.db import connection
from django.db.models import ForeignKey, Model, Q

from core import clock, memo
from core.models import Customer, CustomerRelationship, Partner, Role, User
from enrollment.models import DirectBillEnrollment, DirectBillStatus

from . import seeding, world
from .cast import Cast
from .cast import cast as demo_cast
from .exceptions import StageError

MAX_TRAINEES = 30  # a class; trainee numbers keep two digits
DOMAIN_SUFFIX = ".contoso.example"
KEY = re.compile(r"^trainee(\d{2})$")


def key(number: int) -> str:
    return f"trainee{number:02d}"


def login_email(number: int) -> str:
    return f"{key(number)}@contoso.example"


def number_of(partner: Partner) -> int | None:
    """The trainee number of a partner, or None when it isn't a trainee."""
    match = KEY.match(partner.tenant.domain.removesuffix(DOMAIN_SUFFIX))
    return int(match.group(1)) if match and partner.tenant.domain.endswith(DOMAIN_SUFFIX) else None


def _number(trainee: Partner) -> int:
    number = number_of(trainee)
    if number is None:
        raise StageError(f"{trainee} is not a trainee.")
    return number


def partners():
    """Every trainee partner, by number."""
    return (
        Partner.objects.select_related("tenant")
        .filter(tenant__domain__regex=r"^trainee[0-9]{2}\.contoso\.example$")
        .order_by("tenant__domain")
    )


def partner(number: int) -> Partner | None:
    return partners().filter(tenant__domain=f"{key(number)}{DOMAIN_SUFFIX}").first()


def build(number: int, *, customers: int = 20, subscriptions: int = 3) -> Partner:
    """Trainee `number`'s world as `world.build` makes Contoso's (the demo world's providers
    must be there); idempotent."""
    now = clock.now()
    label = key(number)
    trainee = world.ensure_partner(
        f"{label}{DOMAIN_SUFFIX}",
        f"Contoso Cloud {label.title()}",
        f"19{number:05d}",
        country="US",
        city="Seattle",
        primary_contact_email=login_email(number),
        profile_confirmed_on=now.date() - timedelta(days=40),
        revenue_12m_usd=2_400_000,
    )
    DirectBillEnrollment.objects.get_or_create(
        partner=trainee,
        defaults={
            "status": DirectBillStatus.ACTIVE,
            "enrolled_at": now - timedelta(days=3 * 365),
            "status_changed_at": now - timedelta(days=3 * 365),
        },
    )
    world.ensure_user(
        login_email(number),
        f"Trainee {number:02d}",
        partner=trainee,
        roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT],
    )
    seeding.add_customers(trainee, customers, subscriptions, label=label, now=now)
    return trainee


def cast(trainee: Partner) -> Cast:
    """The stage presets' cast with the trainee in Contoso's part: its login acts as Global
    admin and Admin agent; support and Fabrikam's admin are the demo world's."""
    demo = demo_cast()
    if demo is None:
        raise StageError("The demo world isn't there: seed it first.")
    login = User.objects.filter(partner=trainee, email=login_email(_number(trainee))).first()
    if login is None:
        raise StageError(f"{trainee} has no trainee login.")
    return Cast(
        contoso=trainee,
        fabrikam=demo.fabrikam,
        northwind=demo.northwind,
        support=demo.support,
        contoso_admin=login,
        contoso_agent=login,
        fabrikam_admin=demo.fabrikam_admin,
    )


# --- erasing one trainee's world ----------------------------------------------------------------


def _customers_of(trainee: Partner) -> set:
    """The trainee's own customers: its copies of Contoso's, and any other customer only the
    trainee and the shared providers serve (one a provider created for it, CU-3). A customer
    another partner also serves stays; only the trainee's rows about it go."""
    label = key(_number(trainee))
    related = set(
        CustomerRelationship.objects.filter(Q(partner=trainee) | Q(reseller=trainee)).values_list(
            "customer_id", flat=True
        )
    )
    shared = set(
        CustomerRelationship.objects.filter(customer_id__in=related)
        .exclude(Q(partner=trainee) | Q(reseller=trainee) | Q(partner__is_indirect_provider=True))
        .values_list("customer_id", flat=True)
    )
    own = set(
        Customer.objects.filter(tenant__domain__startswith=f"{label}-").values_list("pk", flat=True)
    )
    return own | (related - shared)


def _references(seeds: dict) -> dict:
    """Every row that refers, directly or through other such rows, to a seed row:
    {model: {pk, ...}}, seeds included. Followed through every foreign key of every model, so a
    model added later is erased with the trainee without a change here."""
    models = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    # referenced model -> [(referring model, field)]
    edges: defaultdict[type[Model], list[tuple[type[Model], ForeignKey]]] = defaultdict(list)
    for model in models:
        for field in model._meta.concrete_fields:
            if isinstance(field, ForeignKey):  # many-to-one and one-to-one
                target = typing.cast(type[Model], field.related_model)
                edges[target._meta.concrete_model or target].append((model, field))
    scope = {model: set(pks) for model, pks in seeds.items()}
    todo = dict(scope)
    while todo:
        model, pks = todo.popitem()
        for referring, field in edges[model]:
            values = pks
            if not field.target_field.primary_key:
                values = set(
                    model._base_manager.filter(pk__in=pks).values_list(
                        field.target_field.attname, flat=True
                    )
                )
            found = set(
                referring._base_manager.filter(**{f"{field.attname}__in": values}).values_list(
                    "pk", flat=True
                )
            ) - scope.get(referring, set())
            if found:
                scope.setdefault(referring, set()).update(found)
                todo.setdefault(referring, set()).update(found)
    return scope


def erase(trainee: Partner) -> int:
    """Delete the trainee's world: its partner, tenant, users and own customers, and every row
    that refers to them (relationships with the shared providers, subscriptions the providers
    bill for its customers, transfers, GDAP, audit events, notifications, …). Other trainees,
    the demo world and the providers' other data are untouched. Returns the rows deleted.

    The audit table is append-only by trigger: its rows about the trainee are deleted with the
    trigger ignored, here only (the staff reset that calls this is itself audited)."""
    customers = _customers_of(trainee)
    seeds = {
        Partner: {trainee.pk},
        Customer: customers,
        type(trainee.tenant): {trainee.tenant_id}
        | set(Customer.objects.filter(pk__in=customers).values_list("tenant_id", flat=True)),
    }
    scope = _references(seeds)
    quote = connection.ops.quote_name
    deleted = 0
    with (
        pgtrigger.ignore("partnerportal.AuditEvent:audit_events_append_only"),
        connection.cursor() as cursor,
    ):
        for model, pks in scope.items():
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} = ANY(%s)",
                [list(pks)],
            )
            deleted += cursor.rowcount
        # Foreign keys are deferred: check now that nothing is left pointing at the world.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    providers = Partner.objects.filter(is_indirect_provider=True).values_list("pk", flat=True)
    memo.invalidate(partner_ids=list(providers))
    return deleted
