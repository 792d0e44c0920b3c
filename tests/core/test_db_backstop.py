"""The database as backstop: whatever writes the row (a service, the admin, a script, raw SQL),
a status is one its state machine knows, a new row starts where the services start it, and
bounded numbers stay within their bounds.

The state machine tests are generated from the `*_TRANSITIONS` tables of every app, so a new
state machine is covered (and must be wired: FSM trigger, status CHECK, initial-state trigger)
as soon as its table exists. Every write below is raw SQL.
"""

import pgtrigger
import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from core import fsm_tables
from core.fsm_tables import InitialState
from customers.models import MAX_QUANTITY, OrderLine, OrderRequest, Subscription
from enrollment.models import DirectBillApplication
from relationships.models import GdapRelationship
from tests.core.test_factories import all_factories

pytestmark = pytest.mark.django_db

APPS = ("partnerportal", "enrollment", "customers", "relationships", "transfers", "api", "webhooks")

# The rule each state machine's start backs (the table's name → rule ID).
RULES = {
    "DIRECT_BILL_TRANSITIONS": "DB-1",
    "INDIRECT_TRANSITIONS": "EN-4",
    "SUPPORT_REQUEST_TRANSITIONS": "DB-1",
    "DIRECT_BILL_APPLICATION_TRANSITIONS": "DB-5",
    "SUBSCRIPTION_TRANSITIONS": "TR-11",
    "ORDER_REQUEST_TRANSITIONS": "IR-2",
    "SERVICE_REQUEST_TRANSITIONS": "CU-4",
    "PARTNERSHIP_TRANSITIONS": "PV-2",
    "INVITATION_TRANSITIONS": "CU-2",
    "GDAP_TRANSITIONS": "GD-1",
    "TRANSFER_TRANSITIONS": "TR-7",
}


def transition_tables():
    """(name, table, app label) of every `*_TRANSITIONS` table in the apps' models."""
    found = []
    for app in APPS:
        module = apps.get_app_config(app).models_module  # the core's label is partnerportal
        for name, value in vars(module).items():
            if name.endswith("_TRANSITIONS") and isinstance(value, dict):
                found.append((name, value, app))
    return found


def guarded_model(table, app):
    """The model of `app` whose FSM trigger is built from `table`, or None."""
    wanted = {(str(a), str(b)) for a, b in fsm_tables.transitions(table)}
    for model in apps.get_app_config(app).get_models():
        for trigger in getattr(model._meta, "triggers", []):
            if (
                isinstance(trigger, pgtrigger.FSM)
                and {(str(a), str(b)) for a, b in trigger.transitions} == wanted
            ):
                return model
    return None


def machine_params():
    params = []
    for name, table, app in transition_tables():
        marks = [pytest.mark.rule(RULES[name])] if name in RULES else []
        params.append(pytest.param(name, table, app, id=name, marks=marks))
    return params


MACHINES = machine_params()


def initial_trigger(model) -> InitialState:
    (trigger,) = [t for t in model._meta.triggers if isinstance(t, InitialState)]
    return trigger


# --- raw SQL helpers --------------------------------------------------------------------------


def template_row(model) -> dict:
    """The column values of a valid row built by the model's factory; the row itself is
    deleted again, so the values can be inserted as a new row (same id) by raw SQL."""
    row = all_factories()[model]()
    values = {
        field.column: field.get_db_prep_save(getattr(row, field.attname), connection)
        for field in model._meta.concrete_fields
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE "
            f"{connection.ops.quote_name(model._meta.pk.column)} = %s",
            [values[model._meta.pk.column]],
        )
    return values


def raw_insert(model, values: dict, **changes) -> None:
    row = {**values, **changes}
    columns = ", ".join(connection.ops.quote_name(column) for column in row)
    marks = ", ".join(["%s"] * len(row))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
            f"VALUES ({marks})",
            list(row.values()),
        )


CHECK_VIOLATION = "23514"


def database_checks(model) -> list[str]:
    """The names of the CHECK constraints the database holds for `model`'s table."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [name for name, info in found.items() if info["check"]]


def refused_insert(model, values: dict, match: str, **changes) -> IntegrityError:
    """Insert raw, expect the refusal naming `match`, and check that no row was written."""
    before = model.objects.count()
    with pytest.raises(IntegrityError, match=match) as refused, transaction.atomic():
        raw_insert(model, values, **changes)
    assert model.objects.count() == before
    return refused.value


# --- every state machine is wired -------------------------------------------------------------


@pytest.mark.parametrize("name,table,app", MACHINES)
def test_every_transition_table_guards_its_model(name, table, app):
    """A table feeds its model's FSM trigger, the CHECK over its states and the initial-state
    trigger, whose states are states of the table."""
    model = guarded_model(table, app)
    assert model is not None, f"{name} feeds no model's fsm_trigger"
    checks = [
        c for c in model._meta.constraints if c == fsm_tables.status_check(table, name=c.name)
    ]
    assert len(checks) == 1, f"{model.__name__} has no status_check({name})"
    assert set(initial_trigger(model).states) < set(fsm_tables.states(table))


def test_the_tables_cover_every_state_machine():
    """Every model with an FSM trigger was found through a `*_TRANSITIONS` table."""
    fsm_models = {
        model
        for model in apps.get_models()
        if any(isinstance(t, pgtrigger.FSM) for t in getattr(model._meta, "triggers", []))
    }
    assert fsm_models == {guarded_model(table, app) for _, table, app in transition_tables()}


# --- INSERTs start where the services start ---------------------------------------------------


@pytest.mark.parametrize("name,table,app", MACHINES)
def test_raw_insert_in_an_initial_state_succeeds(name, table, app):
    model = guarded_model(table, app)
    for state in initial_trigger(model).states:
        values = template_row(model)
        raw_insert(model, values, status=state)
        assert model.objects.get(pk=values[model._meta.pk.column]).status == state


@pytest.mark.parametrize("name,table,app", MACHINES)
def test_raw_insert_in_a_later_state_is_refused(name, table, app):
    """A row can't be born in a state the services only reach by a transition (an enrollment
    already active, a transfer already complete): refused by the initial-state trigger."""
    model = guarded_model(table, app)
    values = template_row(model)
    later = [s for s in fsm_tables.states(table) if s not in initial_trigger(model).states]
    assert later
    for state in later:
        refused_insert(model, values, f'cannot start in status "{state}"', status=state)


@pytest.mark.parametrize("name,table,app", MACHINES)
def test_raw_insert_of_an_unknown_status_is_refused(name, table, app):
    """`bogus` is refused on insert; even with the initial-state trigger skipped (as the test
    factories do) a CHECK constraint refuses it, and the table's status CHECK is in the
    database."""
    model = guarded_model(table, app)
    values = template_row(model)
    refused_insert(model, values, "bogus", status="bogus")
    with pgtrigger.ignore(f"{model._meta.label}:{initial_trigger(model).name}"):
        refused = refused_insert(model, values, "violates check constraint", status="bogus")
    assert refused.__cause__.sqlstate == CHECK_VIOLATION
    (check,) = [
        c for c in model._meta.constraints if c == fsm_tables.status_check(table, name=c.name)
    ]
    assert check.name in database_checks(model)


@pytest.mark.rule("TR-11")
def test_tr11_only_a_transfer_successor_is_born_suspended():
    """A suspended add-on moves suspended (TR-11): a suspended row is allowed when it replaces
    another subscription (`transferred_from`), and only suspended, not ended."""
    from tests import factories as f

    predecessor = f.SubscriptionFactory()
    values = template_row(Subscription)
    refused_insert(Subscription, values, "cannot start in status", status="suspended")
    refused_insert(
        Subscription,
        values,
        "cannot start in status",
        status="deleted",
        transferred_from_id=predecessor.pk,
    )
    raw_insert(Subscription, values, status="suspended", transferred_from_id=predecessor.pk)
    assert Subscription.objects.get(pk=values["id"]).status == "suspended"


# --- every status column holds a known value --------------------------------------------------


def status_models():
    return [
        pytest.param(model, id=model._meta.label)
        for model in apps.get_models()
        if model._meta.app_label in APPS
        and any(f.name == "status" and f.choices for f in model._meta.concrete_fields)
    ]


@pytest.mark.parametrize("model", status_models())
def test_every_status_column_refuses_an_unknown_value(model):
    """With every trigger skipped, an UPDATE to an unknown status fails on a CHECK constraint,
    and the model has a `*status_valid` CHECK in the database."""
    row = all_factories()[model]()
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        pgtrigger.ignore(),
        pytest.raises(IntegrityError, match="violates check constraint") as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET status = 'bogus' WHERE id = %s", [row.pk])
    assert refused.value.__cause__.sqlstate == CHECK_VIOLATION
    row.refresh_from_db()
    assert row.status != "bogus"
    assert [name for name in database_checks(model) if name.endswith("status_valid")]


# --- bounded numbers --------------------------------------------------------------------------


@pytest.mark.rule("GD-1")
def test_gd1_gdap_duration_is_bounded_by_the_rule():
    """GD-1: 1 day to 2 years, from PROGRAM_RULES; a 5,000-day relationship can't be written."""
    rules = settings.PROGRAM_RULES
    values = template_row(GdapRelationship)
    for days in (0, rules["GDAP_MAX_DAYS"] + 1, 5_000):
        refused_insert(GdapRelationship, values, "gdap_duration_in_range", duration_days=days)
    for days in (rules["GDAP_MIN_DAYS"], rules["GDAP_MAX_DAYS"]):
        values = template_row(GdapRelationship)
        raw_insert(GdapRelationship, values, duration_days=days)
        assert GdapRelationship.objects.get(pk=values["id"]).duration_days == days


@pytest.mark.parametrize(
    "model,check",
    [
        (Subscription, "subscription_quantity_in_range"),
        (OrderRequest, "order_request_quantity_in_range"),
        (OrderLine, "order_line_quantity_in_range"),
    ],
)
def test_quantities_are_between_one_and_the_maximum(model, check):
    """The bound the forms and services use (MAX_QUANTITY = 10,000) holds in the database."""
    values = template_row(model)
    for quantity in (0, MAX_QUANTITY + 1):
        refused_insert(model, values, check, quantity=quantity)
    for quantity in (1, MAX_QUANTITY):
        values = template_row(model)
        raw_insert(model, values, quantity=quantity)
        assert model.objects.get(pk=values[model._meta.pk.column]).quantity == quantity


@pytest.mark.parametrize(
    "model,column,check",
    [
        (DirectBillApplication, "revenue_12m_usd", "application_revenue_not_negative"),
        (OrderLine, "unit_price_usd", "order_line_price_not_negative"),
    ],
)
def test_amounts_are_not_negative(model, column, check):
    values = template_row(model)
    refused_insert(model, values, check, **{column: -1})
