"""The trainer cohorts' services: seed a class of trainees, and reset one trainee's world to a
stage of the journey. `seed_demo --trainees N` and the staff Rehearsals board both call these."""

from django.db import connection, transaction

from core import audit
from core.models import Partner, User

from . import stages, trainees, world
from .exceptions import (
    StageError,
    TraineeCountInvalid,
    TraineeStageRefused,
    TraineeUnknown,
    TrainerRequired,
)


def _one_at_a_time() -> None:
    """Seeding and resets wait for each other (two seeds would build the same trainee)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('demo.trainees'))")


def _require_trainer(actor: User | None) -> None:
    """None is the operator at the command line; on the pages, support staff only."""
    if actor is not None and not actor.is_staff:
        raise TrainerRequired()


@audit.refusals("demo.trainees_seed")
def demo_trainees_seed(
    *, actor: User | None, count: int, customers: int = 20, subscriptions: int = 3
) -> list[Partner]:
    """Make sure trainees 1..`count` exist (with the demo world they share its providers
    with): the missing ones are built, the others left as they are. Returns them all."""
    _require_trainer(actor)
    if not 1 <= count <= trainees.MAX_TRAINEES:
        raise TraineeCountInvalid(
            f"Choose between 1 and {trainees.MAX_TRAINEES} trainees (you asked for {count})."
        )
    with transaction.atomic():
        _one_at_a_time()
        existing = {trainees.number_of(p) for p in trainees.partners().select_for_update()}
        world.build(customers=customers, subscriptions=subscriptions)
        added = [n for n in range(1, count + 1) if n not in existing]
        for number in added:
            trainees.build(number, customers=customers, subscriptions=subscriptions)
        if added:
            audit.record(
                actor=actor,
                operation="demo.trainees_seed",
                object_type="Cohort",
                object_id=str(count),
                new_state=f"{count} trainees",
                detail="Trainees added: " + ", ".join(trainees.key(n) for n in added) + ".",
            )
        return list(trainees.partners()[:count])


@audit.refusals("demo.trainee_reset")
def demo_trainee_reset(*, actor: User | None, number: int, stage: str) -> Partner:
    """Erase trainee `number`'s world and rebuild it at `stage` through the stage presets'
    services, in one transaction (a refusal leaves the old world). Other trainees, the demo
    world and the providers' other data are untouched. Returns the rebuilt trainee."""
    _require_trainer(actor)
    if stage not in stages.NAMES:
        raise TraineeStageRefused(f"There is no stage {stage!r}.")
    with transaction.atomic():
        _one_at_a_time()
        found = trainees.partner(number)
        if found is None:
            raise TraineeUnknown(f"There is no {trainees.key(number)}: seed the class first.")
        old = Partner.objects.select_for_update().select_related("tenant").get(pk=found.pk)
        size = len(trainees.cast(old).customers) or 20
        trainees.erase(old)
        trainee = trainees.build(number, customers=size)
        try:
            stages.advance_cast(trainees.cast(trainee), stage)
        except StageError as error:
            raise TraineeStageRefused(
                f"{trainees.key(number)} was not reset (nothing changed): {error}"
            ) from error
        audit.record(
            actor=actor,
            operation="demo.trainee_reset",
            object_type="Trainee",
            object_id=trainees.key(number),
            new_state=stage,
            detail=f"{trainees.key(number)}'s world was rebuilt from scratch at stage {stage!r}.",
        )
        return trainee
