"""Stage presets: the demo world at each point of the transition journey (README, "Rehearsing
the whole transition by hand"), reached by calling the same services the people would.

Each stage's `advance` (a step of `demo.steps`) does what is still missing of its step as the
person who does it and leaves what is done, so a world a trainer half-clicked through still
lands on the stage. Its `reached` says whether the data shows the step done; the current stage
is the last one reached in order.

`reset_to` erases the portal's data (everything but the simulation clock, which never moves
back, AC-6) and rebuilds the demo world up to a stage.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from core import audit
from core.exceptions import RuleViolation
from core.models import SimulationClock, User
from enrollment.models import DirectBillStatus
from relationships import selectors as relationship_selectors

from . import steps, world
from .cast import Cast, cast
from .exceptions import StageError


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    does: str  # what reaching it does, for people
    advance: Callable[[Cast], None]
    reached: Callable[[Cast], bool]


STAGES = [
    Stage(
        "start",
        "Start",
        "Contoso Cloud is direct-bill (Active) with 20 customers and a sandbox.",
        steps.start,
        lambda c: steps.direct_bill_status(c) is not None,
    ),
    Stage(
        "restricted",
        "1. Restricted",
        "Support restricted Contoso's direct-bill account.",
        steps.restrict,
        steps.is_restricted,
    ),
    Stage(
        "enrolled",
        "2. Enrolled",
        "Contoso enrolled as indirect reseller and accepted the agreement.",
        steps.enroll,
        steps.indirect_active,
    ),
    Stage(
        "partnered",
        "3. Partnered",
        "Contoso accepted Fabrikam's invitation to be its indirect reseller.",
        steps.partner,
        lambda c: relationship_selectors.has_accepted_partnership(
            provider=c.fabrikam, reseller=c.contoso
        ),
    ),
    Stage(
        "extended",
        "4. Extended",
        "Every customer's relationship is extended to Fabrikam, with consent.",
        steps.extend,
        steps.is_extended,
    ),
    Stage(
        "ready",
        "5. Ready",
        "Legacy subscriptions migrated; every MCA valid for Fabrikam.",
        steps.get_ready,
        steps.is_ready,
    ),
    Stage(
        "transferred",
        "6. Transferred",
        "Every subscription transferred to Fabrikam, Contoso partner of record.",
        steps.transfer,
        steps.is_transferred,
    ),
    Stage(
        "closed",
        "7. Closed",
        "Contoso closed direct-bill: an indirect reseller whose customers Fabrikam bills.",
        steps.close,
        lambda c: steps.direct_bill_status(c) == DirectBillStatus.CLOSED,
    ),
]
NAMES = [stage.name for stage in STAGES]


def index_of(name: str) -> int:
    if name not in NAMES:
        raise StageError(f"Unknown stage {name!r}; the stages are: {', '.join(NAMES)}.")
    return NAMES.index(name)


def current_stage() -> str | None:
    """The last stage the data shows reached (each one after the one before), or None when
    the demo world isn't there."""
    c = cast()
    return None if c is None else stage_of(c)


def stage_of(c: Cast) -> str | None:
    """The last stage a cast's data shows reached (Contoso's, or a trainee's)."""
    current = None
    for stage in STAGES:
        if not stage.reached(c):
            break
        current = stage.name
    return current


def advance_to(name: str, *, customers: int = 20, subscriptions: int = 3) -> Cast:
    """Bring the demo world forward to stage `name` (building it first if it isn't there).
    Refused when the world is already past `name`: going back needs `reset_to`."""
    target = index_of(name)
    current = current_stage()
    if current is not None and index_of(current) > target:
        raise StageError(
            f"The demo world is at stage {current!r}, past {name!r}: the journey doesn't go "
            f"back. Reset the demo world (seed_demo --stage {name} --reset, or the staff Demo "
            "world page) to rebuild it from scratch at that stage."
        )
    if current is None:
        world.build(customers=customers, subscriptions=subscriptions)
    built = cast()
    if built is None:
        raise StageError("The demo world isn't there: building it failed.")
    return advance_cast(built, name)


def advance_cast(c: Cast, name: str) -> Cast:
    """Do each step up to stage `name` that the cast's data doesn't show done yet."""
    for stage in STAGES[: index_of(name) + 1]:
        try:
            with transaction.atomic():
                stage.advance(c)
        except RuleViolation as refusal:  # a service's refusal, or a StageError
            raise StageError(f"Stage {stage.name!r} was refused: {refusal}") from refusal
    return c


# --- reset -----------------------------------------------------------------------------------

KEPT_MODELS = {SimulationClock}  # business time never moves back (AC-6)
ERASED_APPS = {
    "partnerportal",
    "enrollment",
    "customers",
    "relationships",
    "transfers",
    "api",
    "demo",
    "admin",
    "sessions",
}
STAFF_FIELDS = ["email", "full_name", "password", "is_staff", "is_superuser", "is_active"]


def _erased_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in ERASED_APPS
            and model._meta.managed
            and not model._meta.proxy
            and model not in KEPT_MODELS
        }
    )


def erase() -> None:
    """Erase every partner, customer, user, audit event and session (everyone is signed out);
    staff accounts that belong to no organisation are kept (re-created with their password).
    TRUNCATE bypasses the audit table's row triggers (append-only against UPDATE/DELETE);
    sequences go on, so no new row reuses an old id."""
    staff = list(
        User.objects.filter(is_staff=True, partner__isnull=True, customer__isnull=True).values(
            *STAFF_FIELDS
        )
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred: check pending ones now, or TRUNCATE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "TRUNCATE " + ", ".join(quote(table) for table in _erased_tables()) + " CASCADE"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    User.objects.bulk_create([User(**fields) for fields in staff])


@transaction.atomic
def reset_to(name: str, *, actor_email: str = "", customers: int = 20, subscriptions: int = 3):
    """Rebuild the demo world from scratch at stage `name`, in one transaction (a failure
    leaves the old world). `actor_email`: the staff member who asked, named in the audit log."""
    index_of(name)
    erase()
    c = advance_to(name, customers=customers, subscriptions=subscriptions)
    audit.record(
        actor=User.objects.filter(email=actor_email).first() if actor_email else None,
        operation="demo.reset",
        object_type="DemoWorld",
        object_id=name,
        new_state=name,
        detail=f"The demo world was rebuilt from scratch at stage {name!r}.",
    )
    return c
