from django import forms
from django.conf import settings

from core.customer_picker import CustomerPickerField, register_scope
from core.models import Customer, Service
from core.validators import PortalForm

from .models import EntraRole
from .selectors import gdap_eligible_relationships

GDAP_SCOPE = "gdap"


def gdap_customers(partner):
    """The customers a partner may ask for GDAP: not those reached by an extension only."""
    eligible = gdap_eligible_relationships(partner=partner).values("customer_id")
    return Customer.objects.filter(pk__in=eligible)


register_scope(GDAP_SCOPE, gdap_customers)


class PartnershipInviteForm(PortalForm):
    """PV-2: who to invite — a PartnerID or the email of the reseller's Global admin."""

    partner_id = forms.CharField(
        label="Reseller's PartnerID",
        required=False,
        max_length=7,
        help_text="6 or 7 digits.",
    )
    email = forms.EmailField(label="Or the email of the reseller's Global admin", required=False)

    def clean_partner_id(self):
        value = self.cleaned_data["partner_id"].strip()
        if value and not (value.isdigit() and 6 <= len(value) <= 7):
            raise forms.ValidationError("A PartnerID is 6 or 7 digits.")
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("partner_id")) == bool(data.get("email")):
            raise forms.ValidationError(
                "Give either the reseller's PartnerID or the email of its Global admin."
            )
        return data


class DirectorySearchForm(PortalForm):
    """PV-1: search the directory of indirect providers."""

    q = forms.CharField(label="Name or PartnerID", required=False, max_length=100)
    country = forms.ChoiceField(label="Country/region", required=False)
    service = forms.ChoiceField(
        label="Services offered",
        required=False,
        choices=[("", "Any service"), *Service.choices],
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Any country/region")] + [(c, c) for c in countries]


class InvitationCreateForm(PortalForm):
    provider = forms.ModelChoiceField(
        queryset=None, label="Indirect provider", empty_label="Choose a provider"
    )
    domain = forms.CharField(
        label="Customer's domain (optional)",
        required=False,
        max_length=253,
        help_text="For a customer you served before: only its admins can accept. Leave empty "
        "for a link any existing customer can accept.",
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class InvitationDraftForm(PortalForm):
    message = forms.CharField(
        label="Email text", widget=forms.Textarea(attrs={"rows": 14}), max_length=5000
    )
    send_to = forms.EmailField(label="Customer's email address", required=False)


class GdapRequestForm(PortalForm):
    customer = CustomerPickerField(scope=GDAP_SCOPE)
    name = forms.CharField(label="Relationship name", required=False, max_length=50)
    roles = forms.MultipleChoiceField(
        label="Microsoft Entra roles",
        choices=EntraRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    duration_days = forms.IntegerField(label="Duration (days)", initial=730)
    auto_extend = forms.BooleanField(
        label="Auto-extend by 180 days at the end (not available with Global Administrator)",
        required=False,
    )

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].customers = customers
        r = settings.PROGRAM_RULES
        self.fields[
            "duration_days"
        ].help_text = f"From {r['GDAP_MIN_DAYS']} day to {r['GDAP_MAX_DAYS']} days (2 years)."
        self.fields["duration_days"].widget.attrs.update(
            min=r["GDAP_MIN_DAYS"], max=r["GDAP_MAX_DAYS"]
        )


# --- the reseller relationship extension (single customer and bulk) ---------------------------
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
