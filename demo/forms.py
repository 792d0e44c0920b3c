from django import forms

from core.validators import PortalForm

from .stages import STAGES
from .trainees import MAX_TRAINEES


class ResetForm(PortalForm):
    """Staff rebuild the demo world from scratch at a stage of the journey."""

    stage = forms.ChoiceField(
        label="Stage", choices=[(stage.name, stage.title) for stage in STAGES]
    )
    confirm = forms.BooleanField(
        label="I understand that every partner, customer, user and audit event is erased and "
        "everyone is signed out",
        error_messages={"required": "Tick the box to confirm that the demo world is erased."},
    )


class TraineesSeedForm(PortalForm):
    """Trainers give a class its trainees: the missing ones are added, none duplicated."""

    count = forms.IntegerField(
        label="Number of trainees", min_value=1, max_value=MAX_TRAINEES, initial=5
    )


class TraineeResetForm(PortalForm):
    """Trainers rebuild one trainee's world at a stage; the other trainees are untouched."""

    trainee = forms.ChoiceField(label="Trainee")
    stage = forms.ChoiceField(
        label="Stage", choices=[(stage.name, stage.title) for stage in STAGES]
    )
    confirm = forms.BooleanField(
        label="I understand that this trainee's customers, transfers and audit events are "
        "erased and the trainee is signed out",
        error_messages={"required": "Tick the box to confirm that the trainee's world is erased."},
    )

    def __init__(self, *args, trainees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].choices = [(key, key) for key in trainees]
