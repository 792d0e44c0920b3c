"""Forms of the reseller relationship extension pages (single customer and bulk)."""

from django import forms

from core.validators import PortalForm

CONSENT_HELP = {
    "consent_given_by": "The person at the customer who consented, e.g. “Pat Lee, CIO”.",
    "consent_given_on": "The date the customer gave consent (not in the future).",
    "consent_method": "How you informed the customer and obtained consent, e.g. “Signed letter "
    "emailed on 3 March”.",
}


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.legal_name} ({obj.country})"


class ExtensionForm(PortalForm):
    provider = ProviderChoiceField(
        queryset=None,
        label="Indirect provider",
        empty_label="Choose a provider",
        help_text="Only providers whose partnership invitation you accepted.",
        error_messages={
            "invalid_choice": "Choose one of the providers whose invitation you accepted."
        },
    )
    consent_given_by = forms.CharField(
        label="Consent given by", max_length=200, help_text=CONSENT_HELP["consent_given_by"]
    )
    consent_given_on = forms.DateField(
        label="Consent given on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=CONSENT_HELP["consent_given_on"],
    )
    consent_method = forms.CharField(
        label="How consent was obtained",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=CONSENT_HELP["consent_method"],
    )
    bill_to_sharing_confirmed = forms.BooleanField(
        label="I consent to sharing this customer's bill-to information with the indirect provider",
        required=False,
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "provider": data["provider"],
            "consent_given_by": data["consent_given_by"],
            "consent_given_on": data["consent_given_on"],
            "consent_method": data["consent_method"],
            "bill_to_sharing_confirmed": bool(data["bill_to_sharing_confirmed"]),
        }


class BulkExtensionForm(ExtensionForm):
    SCOPE_ALL = "all"
    SCOPE_SELECTED = "selected"

    scope = forms.ChoiceField(
        label="Customers",
        choices=[
            (SCOPE_ALL, "All my direct-bill customers"),
            (SCOPE_SELECTED, "Only the customers selected below"),
        ],
        widget=forms.RadioSelect,
        initial=SCOPE_SELECTED,
    )
    customers = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        error_messages={
            "invalid_choice": "One of the selected customers is not one of your customers.",
            "invalid_pk_value": "The customer selection is not valid.",
        },
    )

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = customers
        self.order_fields(["scope", "customers", "provider"])

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.SCOPE_SELECTED and not data.get("customers"):
            self.add_error("customers", "Select at least one customer.")
        return data
