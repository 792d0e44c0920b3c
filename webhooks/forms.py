from django import forms

from core.validators import PortalForm

from . import events


class RegistrationForm(PortalForm):
    webhook_url = forms.CharField(
        label="Callback URL",
        max_length=2000,
        help_text="Where the portal POSTs events, e.g. http://127.0.0.1:9000/events.",
    )
    webhook_events = forms.MultipleChoiceField(
        label="Events",
        choices=[(name, name) for name in events.AVAILABLE_EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )
