from typing import cast

from django import forms

from core.customer_picker import CustomerPickerField, scope_customers
from core.validators import PortalForm

from .models import TRANSFERABLE_TYPES, TransferStatus

TYPE_CHOICES = [(t.value, t.label) for t in TRANSFERABLE_TYPES]


class TransferCreateForm(PortalForm):
    """The target partner's "New transfer request" form (TR-4)."""

    customer = CustomerPickerField()
    customer_email = forms.EmailField(
        label="Customer email",
        help_text="The customer's email address; the customer is notified there.",
    )
    source_partner_id = forms.CharField(
        label="Source partner's PartnerID",
        max_length=7,
        help_text="The Microsoft ID (PartnerID) of the partner that bills the customer today.",
    )
    target_product_types = forms.MultipleChoiceField(
        label="Product types",
        choices=TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty to include every transferable type.",
    )
    partner_of_record = forms.CharField(
        label="Partner of record (PartnerID)",
        max_length=7,
        required=False,
        help_text="Providers: the indirect reseller of record; filled in from the customer's "
        "reseller when left empty.",
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        picker = cast(CustomerPickerField, self.fields["customer"])
        picker.customers = scope_customers("all", partner)
        if not partner.is_indirect_provider:
            del self.fields["partner_of_record"]


class TransferFilterForm(PortalForm):
    DIRECTIONS = [
        ("", "All"),
        ("incoming", "Requests to you (you're the source)"),
        ("outgoing", "Your requests (you're the target)"),
    ]
    direction = forms.ChoiceField(choices=DIRECTIONS, required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *TransferStatus.choices], required=False
    )
    q = forms.CharField(label="Customer", required=False, max_length=100)


class CloseForm(PortalForm):
    reason = forms.CharField(
        max_length=500,
        initial="Transition to the indirect reseller model is complete.",
        widget=forms.TextInput,
    )
