from django import forms
from django.core.validators import RegexValidator

from core.validators import PortalForm

from .models import SupportTopic


class ProfileForm(PortalForm):
    legal_name = forms.CharField(label="Legal name", max_length=200)
    partner_id = forms.CharField(
        label="PartnerID",
        max_length=7,
        validators=[RegexValidator(r"^\d{6,7}$", "A PartnerID is 6 or 7 digits.")],
        help_text="Your partner program ID (Microsoft ID / MPN ID), 6 or 7 digits.",
    )
    country = forms.CharField(
        label="Country/region",
        max_length=2,
        min_length=2,
        help_text="Two-letter ISO code, e.g. US.",
    )
    primary_contact_email = forms.EmailField(label="Primary contact email")


class IndirectEnrollmentForm(PortalForm):
    legal_name = forms.CharField(
        label="Legal name",
        max_length=200,
        help_text="Must match your partner profile; a different name sends the request to "
        "review (up to 5 business days).",
    )
    primary_contact_email = forms.EmailField(
        label="Primary contact email", help_text="We email the outcome to this address."
    )


class DirectBillApplicationForm(PortalForm):
    single_tenant_override = forms.BooleanField(
        required=False,
        label="I understand: this tenant loses indirect reseller access when the grace period "
        "ends. (We recommend a new tenant instead.)",
    )


class SupportRequestForm(PortalForm):
    topic = forms.ChoiceField(label="What do you need?", choices=SupportTopic.choices)
    message = forms.CharField(
        label="Details", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class SupportReplyForm(PortalForm):
    """A message added to a support request's thread (the partner's reply, support's answer)."""

    body = forms.CharField(
        label="Your message", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class ReasonForm(PortalForm):
    """Admin intermediate page: a mandatory reason for the selected rows."""

    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=2000
    )


class CloseDirectBillForm(PortalForm):
    reason = forms.CharField(
        label="Why are you closing it?",
        initial="Transition to the indirect reseller model is complete.",
        max_length=500,
    )
