from django import forms

from core.models import Partner
from core.validators import PortalForm
from enrollment.models import IndirectResellerEnrollment, IndirectStatus

from .catalog import offer_choices
from .models import (
    MAX_QUANTITY,
    BillingCycle,
    ServiceRequestSeverity,
    Subscription,
    SubscriptionStatus,
)


class CustomerCreateForm(PortalForm):
    company_name = forms.CharField(max_length=200)
    domain = forms.RegexField(
        regex=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
        max_length=253,
        help_text="The tenant's domain, e.g. fabrikamhotels.example.",
        error_messages={"invalid": "Enter a domain like example.com (lower case)."},
    )
    email = forms.EmailField(label="Contact email")
    contact_name = forms.CharField(max_length=200, required=False)
    address_line = forms.CharField(label="Address", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.RegexField(regex=r"^[A-Z]{2}$", initial="US", max_length=2)
    phone = forms.CharField(max_length=40, required=False)
    reseller = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        label="Indirect reseller",
        help_text="The indirect reseller the customer buys through.",
    )

    def __init__(self, *args, provider=None, **kwargs):
        super().__init__(*args, **kwargs)
        if provider is None:
            del self.fields["reseller"]
        else:
            active = IndirectResellerEnrollment.objects.filter(status=IndirectStatus.ACTIVE)
            self.fields["reseller"].queryset = Partner.objects.filter(
                pk__in=active.values("partner_id")
            ).exclude(pk=provider.pk)
            self.fields["reseller"].required = True


class OfferForm(PortalForm):
    offer_id = forms.ChoiceField(label="Product", choices=())
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)
    parent = forms.ModelChoiceField(
        queryset=Subscription.objects.none(),
        required=False,
        label="Base subscription (for an add-on)",
    )

    def __init__(self, *args, customer, billing_partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer_id"].choices = offer_choices()
        self.fields["parent"].queryset = Subscription.objects.filter(
            customer=customer,
            billing_partner=billing_partner,
            status=SubscriptionStatus.ACTIVE,
            parent__isnull=True,
        )


class PurchaseForm(OfferForm):
    """ "Add products" for a direct-bill customer: an offer, optionally as a trial (NC-3)."""

    trial = forms.BooleanField(
        label="Start as a one-month trial", required=False, help_text="Licence-based products."
    )
    convert_trial = forms.BooleanField(
        label="Convert the trial to a paid subscription at its end",
        required=False,
        help_text="Otherwise the trial expires after its month (you can change this later with "
        "auto-renew).",
    )


class OrderRequestForm(PortalForm):
    offer_id = forms.ChoiceField(label="Product", choices=())
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer_id"].choices = offer_choices(add_ons=False)


class DeclineOrderRequestForm(PortalForm):
    reason = forms.CharField(
        max_length=500, label="Reason for the reseller", widget=forms.TextInput()
    )


class QuantityForm(PortalForm):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, label="Seats")


class ServiceRequestForm(PortalForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(choices=ServiceRequestSeverity.choices, initial="normal")


class CustomerUserForm(PortalForm):
    display_name = forms.CharField(max_length=200, label="Display name")
    email = forms.EmailField()


class McaAttestForm(PortalForm):
    signatory_name = forms.CharField(max_length=200, label="Signatory name")
    signatory_email = forms.EmailField(label="Signatory email")
    accepted_on = forms.DateField(
        label="Date of acceptance", widget=forms.DateInput(attrs={"type": "date"})
    )


class McaAcceptForm(PortalForm):
    signatory_name = forms.CharField(max_length=200, label="Your name")
    signatory_email = forms.EmailField(label="Your email")
    agree = forms.BooleanField(label="I accept the Microsoft Customer Agreement")


class RenewalQuantityForm(PortalForm):
    quantity = forms.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, label="Seats at renewal", required=False
    )


class CancelForm(PortalForm):
    confirm = forms.BooleanField(
        label="I understand that cancelling is final",
        error_messages={"required": "Confirm that you want to cancel: cancelling is final."},
    )


class SuspendForm(PortalForm):
    """A destructive one-click action asks first (works without JavaScript)."""

    confirm = forms.BooleanField(
        label="Suspend it: the customer loses the service until it is reactivated",
        error_messages={"required": "Confirm that you want to suspend the subscription."},
    )


class MigrationForm(PortalForm):
    """TR-5: the new commerce subscription a legacy one becomes (Partner Center's migration:
    term, billing frequency, quantity, purchaseFullTerm). Blank fields keep the legacy
    subscription's values."""

    term_duration = forms.ChoiceField(
        label="Term",
        choices=[("", "Same as now"), ("P1M", "1 month"), ("P1Y", "1 year"), ("P3Y", "3 years")],
        required=False,
    )
    billing_cycle = forms.ChoiceField(
        label="Billing frequency",
        choices=[("", "Same as now")]
        + [(c, BillingCycle(c).label) for c in ("monthly", "annual", "triennial")],
        required=False,
    )
    quantity = forms.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, label="Seats", required=False
    )
    term_end = forms.ChoiceField(
        label="Term end",
        choices=[("full", "Start a full new term today"), ("keep", "Keep the current term end")],
        required=False,
    )
    confirm = forms.BooleanField(
        label="Migrate it: the legacy subscription ends",
        error_messages={
            "required": "Confirm the migration: the legacy subscription ends when it migrates."
        },
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "term_duration": data["term_duration"] or None,
            "billing_cycle": data["billing_cycle"] or None,
            "quantity": data["quantity"],
            "full_term": data["term_end"] != "keep",
        }
