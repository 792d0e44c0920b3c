from django import forms

from core.validators import PortalForm


class TokenForm(PortalForm):
    name = forms.CharField(
        max_length=100,
        help_text="What will use this token, e.g. “billing sync” or “transfer script”.",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        required=False,
        empty_value=None,
        initial=365,
        choices=[(30, "30 days"), (90, "90 days"), (365, "1 year"), (730, "2 years")],
    )
