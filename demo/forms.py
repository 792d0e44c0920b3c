from django import forms

from partnerportal.validators import PortalForm

from .stages import STAGES


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
