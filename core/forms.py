from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from .customer_picker import CustomerPickerField
from .models import Outcome
from .validators import PortalForm, in_date_range


class AuditFilterForm(PortalForm):
    customer = CustomerPickerField(
        required=False,
        help_text="Leave empty for all customers; type a name or domain to pick one.",
    )
    operation = forms.ChoiceField(required=False)
    outcome = forms.ChoiceField(required=False, choices=[("", "Any outcome"), *Outcome.choices])
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, customers, operations, **kwargs):
        super().__init__(*args, **kwargs)
        cast(CustomerPickerField, self.fields["customer"]).customers = customers
        cast(forms.ChoiceField, self.fields["operation"]).choices = [("", "All operations")] + [
            (o, o) for o in operations
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date must be on or before the end date.")
        return data


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def day_end(day):
    return day_start(day) + timedelta(days=1)


class ClockForm(PortalForm):
    """Staff move the simulation clock: by hours and days, or to a date and time."""

    hours = forms.IntegerField(required=False, min_value=0, max_value=24 * 366 * 3)
    days = forms.IntegerField(required=False, min_value=0, max_value=366 * 3)
    to = forms.DateTimeField(
        required=False,
        label="Or move to",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any representable date may be asked for: the service refuses one past the AC-6
        # bound with the bound named, which says more than the general date range would.
        self.fields["to"].validators = [
            v for v in self.fields["to"].validators if v is not in_date_range
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        by = timedelta(hours=data.get("hours") or 0, days=data.get("days") or 0)
        if data.get("to") and by:
            raise forms.ValidationError("Either advance by hours/days or move to a date, not both.")
        if not data.get("to") and not by:
            raise forms.ValidationError("Say how far to move the clock.")
        data["delta"] = by
        return data


class ClockResetForm(PortalForm):
    """Staff set the simulation clock back to real time, to start a rehearsal over (AC-6)."""

    confirm = forms.BooleanField(
        label="I understand: business time goes back to real time; deadlines that already "
        "fired stay fired.",
        error_messages={"required": "Tick the box to confirm the reset."},
    )
