from django import forms
from django.conf import settings

from core.customer_picker import CustomerPickerField, register_scope
from core.models import Customer, Service
from core.validators import PortalForm

from .models import EntraRole
from .services import gdap as gdap_services

GDAP_SCOPE = "gdap"


def gdap_customers(partner):
    """The customers a partner may ask for GDAP: not those reached by an extension only."""
    eligible = gdap_services.eligible_relationships(partner).values("customer_id")
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
