"""Refusals of the demo world: moving it to a stage, and the trainer cohorts (seeding trainees,
resetting one trainee's world)."""

from core.exceptions import RuleViolation


class TrainerRequired(RuleViolation):
    """AC-1: only support staff (trainers) seed trainees and reset their worlds."""

    code = "trainer_required"
    rule = "AC-1"
    http_status = 403
    default_message = "Only support staff running a class can do this."


class TraineeCountInvalid(RuleViolation):
    code = "trainee_count_invalid"
    http_status = 400
    default_message = "Choose how many trainees the class has."


class TraineeUnknown(RuleViolation):
    code = "trainee_unknown"
    http_status = 404
    default_message = "There is no such trainee: seed the class first."


class TraineeStageRefused(RuleViolation):
    """A stage preset's service refused a step; the trainee's world is left as it was."""

    code = "trainee_stage_refused"
    http_status = 409
    default_message = "The trainee's world could not be brought to that stage."


class StageError(RuleViolation):
    """The demo world can't be moved to the asked stage (unknown, already past it, or a
    stage's service refused a step); the message says why and nothing changed."""

    code = "demo_stage_refused"
    http_status = 409
    default_message = "The demo world can't be moved to that stage."
