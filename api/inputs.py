"""Request bodies (DRF serializers: wrong types and missing fields → 400 invalid_input) with
Partner Center's property names.

- Create a customer: https://learn.microsoft.com/en-us/partner-center/developer/create-a-customer
- Create a transfer: https://learn.microsoft.com/en-us/partner-center/developer/create-a-transfer
- Update a transfer: https://learn.microsoft.com/en-us/partner-center/developer/update-a-transfer
- Confirm customer acceptance of the Microsoft Customer Agreement:
  https://learn.microsoft.com/en-us/partner-center/developer/confirm-customer-consent-customer-agreement
- Create a migration (new commerce):
  https://learn.microsoft.com/en-us/partner-center/developer/create-migration
- Update a subscription by ID:
  https://learn.microsoft.com/en-us/partner-center/developer/update-a-subscription-by-id
"""

from datetime import datetime

from rest_framework import serializers

from core.models import Customer
from core.validators import (
    EMAIL_MAX_LENGTH,
    INTEGER_MAX,
    FitsWhenCaseChanged,
    in_date_range,
    single_line,
)
from customers.catalog import MCA_TEMPLATE_ID
from customers.models import McaAcceptance


class Text(serializers.CharField):
    """A single-line text: control characters refused and, with a `max_length`, still within
    it once lower- or upper-cased (core.validators)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(single_line)
        if self.max_length is not None:
            self.validators.append(FitsWhenCaseChanged(self.max_length))


def full_name_fits(attrs: dict, limit: int) -> dict:
    """Refuse a firstName and lastName that, joined with a space, exceed the column."""
    full_name = " ".join(p for p in (attrs.get("firstName"), attrs.get("lastName")) if p)
    if len(full_name) > limit:
        raise serializers.ValidationError(
            {"lastName": [f"firstName and lastName together have at most {limit} characters."]}
        )
    return attrs


class Email(serializers.EmailField):
    """An email address that fits the email columns once lower-cased."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)
        self.validators.append(FitsWhenCaseChanged(self.max_length))


class AddressIn(serializers.Serializer):
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, allow_blank=True, help_text="Two-letter ISO code."
    )
    region = Text(required=False, allow_blank=True, allow_null=True)
    city = Text(max_length=100, required=False, allow_blank=True)
    state = Text(required=False, allow_blank=True, allow_null=True)
    addressLine1 = Text(max_length=200, required=False, allow_blank=True)
    addressLine2 = Text(required=False, allow_blank=True, allow_null=True)
    postalCode = Text(max_length=20, required=False, allow_blank=True)
    firstName = Text(max_length=100, required=False, allow_blank=True)
    lastName = Text(max_length=100, required=False, allow_blank=True)
    phoneNumber = Text(max_length=40, required=False, allow_blank=True)

    def validate(self, attrs):
        """The customer's contact name is "firstName lastName"."""
        return full_name_fits(attrs, Customer._meta.get_field("contact_name").max_length)


class CompanyProfileIn(serializers.Serializer):
    domain = Text(max_length=253)


class BillingProfileIn(serializers.Serializer):
    email = Email()
    culture = Text(required=False, allow_blank=True)
    language = Text(required=False, allow_blank=True)
    companyName = Text(max_length=200)
    defaultAddress = AddressIn(required=False)


class CustomerCreateIn(serializers.Serializer):
    companyProfile = CompanyProfileIn()
    billingProfile = BillingProfileIn()
    associatedPartnerId = Text(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Providers: the indirect reseller (tenant ID or PartnerID).",
    )


class ContactIn(serializers.Serializer):
    email = Email()
    firstName = Text(max_length=100)
    lastName = Text(max_length=100)
    phoneNumber = Text(required=False, allow_blank=True, allow_null=True)

    def validate(self, attrs):
        """The signatory's name is "firstName lastName"."""
        return full_name_fits(attrs, McaAcceptance._meta.get_field("signatory_name").max_length)


class DateOrDateTime(serializers.DateField):
    """A date sent as a date (`2019-08-26`) or as the DateTime the .NET SDK and the docs' sample
    send (`2019-08-26T00:00:00`, with or without an offset): the date part counts."""

    def to_internal_value(self, value):
        if isinstance(value, str) and ("T" in value or " " in value.strip()):
            try:
                parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD or YYYY-MM-DDThh:mm:ss")
            value = parsed.date().isoformat()
        return super().to_internal_value(value)


class AgreementIn(serializers.Serializer):
    """Agreement as "Confirm customer acceptance of the Microsoft Customer Agreement" sends it:
    `primaryContact`, `templateId` (from GET /v1/agreements), `dateAgreed` (a DateTime in the
    sample), `type`; `agreementLink` and other properties are ignored."""

    primaryContact = ContactIn()
    templateId = Text(required=False, allow_blank=True, allow_null=True)
    dateAgreed = DateOrDateTime(validators=[in_date_range])
    type = Text(required=False, allow_blank=True, allow_null=True)

    def validate_templateId(self, value):
        """Only the MCA's template id (or none): another template is another agreement."""
        if value and value.strip().lower() != MCA_TEMPLATE_ID:
            raise serializers.ValidationError(
                f"Not the Microsoft Customer Agreement's templateId; send {MCA_TEMPLATE_ID} "
                "(GET /v1/agreements?agreementType=MicrosoftCustomerAgreement)."
            )
        return value

    def validate_type(self, value):
        """`MicrosoftCustomerAgreement` in any case (the only agreement attested here)."""
        if value and value.strip().lower() != "microsoftcustomeragreement":
            raise serializers.ValidationError("Only MicrosoftCustomerAgreement can be attested.")
        return "MicrosoftCustomerAgreement"


def with_canonical_names(data: dict, serializer_class) -> dict:
    """`data` with its property names matched case-insensitively to the fields of
    `serializer_class`, nested objects included (the .NET SDK sends PascalCase), and optional
    properties sent as null left out; other properties are left as sent."""
    return _canonical(data, serializer_class())


def _canonical(data: dict, serializer: serializers.Serializer) -> dict:
    fields = serializer.fields
    names = {name.lower(): name for name in fields}
    out = {}
    for key, value in data.items():
        name = names.get(str(key).lower(), key)
        field = fields.get(name)
        if value is None and field is not None and not field.required and not field.allow_null:
            # JSON.NET writes every unset property as null (the SDKs' default settings): an
            # optional property sent as null is one not sent.
            continue
        if isinstance(field, serializers.Serializer) and isinstance(value, dict):
            value = _canonical(value, field)
        elif isinstance(field, serializers.ListSerializer) and isinstance(value, list):
            value = [_canonical(v, field.child) if isinstance(v, dict) else v for v in value]
        out[name] = value
    return out


class MigrationIn(serializers.Serializer):
    currentSubscriptionId = serializers.UUIDField()
    termDuration = Text(required=False, allow_blank=True, allow_null=True)
    billingCycle = Text(required=False, allow_blank=True, allow_null=True)
    purchaseFullTerm = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="true: a full new term from today; false: keep the legacy term end date; "
        "absent: keep it when the legacy subscription has one.",
    )
    quantity = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=INTEGER_MAX,
        help_text="The seats of the new subscription; 0 or absent: the legacy subscription's.",
    )

    def validate_quantity(self, value):
        """0 is "not set": the .NET SDK's NewCommerceMigration.Quantity is an `int`, so a
        migration that leaves it unset sends 0 (PartnerSdk.Models/NewCommerceMigrations/
        NewCommerceMigration.cs in microsoft/partner-center-sdk-for-dotNET)."""
        return value or None


# Partner Center's subscription statuses a PATCH may set (NC-4); "cancelled" is our alias.
SUBSCRIPTION_STATUS_IN = {
    "active": "active",
    "suspended": "suspended",
    "deleted": "deleted",
    "cancelled": "deleted",
}


class ScheduledNextTermIn(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = with_canonical_names(data, type(self))
        return super().to_internal_value(data)


class SubscriptionUpdateIn(serializers.Serializer):
    """The properties of a Subscription a PATCH changes; clients send the whole resource, the
    rest is ignored. `scheduledNextTermInstructions.quantity`: the seats from the renewal."""

    quantity = serializers.IntegerField(required=False, min_value=1, max_value=10_000)
    autoRenewEnabled = serializers.BooleanField(required=False)
    status = Text(required=False)
    scheduledNextTermInstructions = ScheduledNextTermIn(required=False, allow_null=True)

    def validate_status(self, value):
        status = SUBSCRIPTION_STATUS_IN.get(value.strip().lower())
        if status is None:
            raise serializers.ValidationError("Set the status to active, suspended or deleted.")
        return status


class TransferCreateIn(serializers.Serializer):
    customerEmailId = Email()
    sourcePartnerTenantId = Text(
        max_length=64, help_text="The source partner's tenant ID or PartnerID."
    )
    sourcePartnerName = Text(required=False, allow_blank=True)
    targetPartnerTenantId = Text(required=False, allow_blank=True, allow_null=True)
    targetPartnerEmailId = Text(required=False, allow_blank=True, allow_null=True)
    partnerOnRecord = Text(required=False, allow_blank=True, allow_null=True)
    targetProductTypes = serializers.ListField(
        child=Text(max_length=40), required=False, allow_null=True
    )
    transferType = Text(required=False, allow_blank=True)


class AddOnItemIn(serializers.Serializer):
    """TransferLineItem of an add-on, inside its base line's `addonItems` (TransferEntity
    resources); it moves with its base (TR-11)."""

    subscriptionId = serializers.UUIDField()
    id = Text(required=False, allow_blank=True, allow_null=True)
    quantity = serializers.IntegerField(
        required=False, allow_null=True, min_value=-INTEGER_MAX, max_value=INTEGER_MAX
    )
    billingCycle = Text(required=False, allow_blank=True, allow_null=True)
    offerId = Text(required=False, allow_blank=True, allow_null=True)
    termDuration = Text(required=False, allow_blank=True, allow_null=True)
    friendlyName = Text(required=False, allow_blank=True, allow_null=True)


class LineItemIn(AddOnItemIn):
    """TransferLineItem (TransferEntity resources): a base subscription and its add-ons."""

    addonItems = AddOnItemIn(many=True, required=False, allow_null=True)


class TransferUpdateIn(serializers.Serializer):
    """The source submits `lineItems` (status omitted or "Complete"); the target cancels with
    `status: "Cancel"`."""

    status = serializers.ChoiceField(
        choices=["Active", "Complete", "Completed", "Cancel"], required=False
    )
    lineItems = LineItemIn(many=True, required=False)
