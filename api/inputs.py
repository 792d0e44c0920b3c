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

from rest_framework import serializers


class AddressIn(serializers.Serializer):
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    region = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    addressLine1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    addressLine2 = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    postalCode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    firstName = serializers.CharField(max_length=100, required=False, allow_blank=True)
    lastName = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phoneNumber = serializers.CharField(max_length=40, required=False, allow_blank=True)


class CompanyProfileIn(serializers.Serializer):
    domain = serializers.CharField(max_length=253)


class BillingProfileIn(serializers.Serializer):
    email = serializers.EmailField()
    culture = serializers.CharField(required=False, allow_blank=True)
    language = serializers.CharField(required=False, allow_blank=True)
    companyName = serializers.CharField(max_length=200)
    defaultAddress = AddressIn(required=False)


class CustomerCreateIn(serializers.Serializer):
    companyProfile = CompanyProfileIn()
    billingProfile = BillingProfileIn()
    associatedPartnerId = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Providers: the indirect reseller (tenant ID or PartnerID) (CU-3).",
    )


class ContactIn(serializers.Serializer):
    email = serializers.EmailField()
    firstName = serializers.CharField(max_length=100)
    lastName = serializers.CharField(max_length=100)
    phoneNumber = serializers.CharField(required=False, allow_blank=True)


class AgreementIn(serializers.Serializer):
    primaryContact = ContactIn()
    templateId = serializers.CharField(required=False, allow_blank=True)
    dateAgreed = serializers.DateField()
    type = serializers.ChoiceField(choices=["MicrosoftCustomerAgreement"])


def with_canonical_names(data: dict, serializer_class) -> dict:
    """`data` with its top-level property names matched case-insensitively to the fields of
    `serializer_class` (the .NET SDK sends PascalCase); other properties are left as sent."""
    names = {name.lower(): name for name in serializer_class().fields}
    return {names.get(str(key).lower(), key): value for key, value in data.items()}


class MigrationIn(serializers.Serializer):
    currentSubscriptionId = serializers.UUIDField()
    termDuration = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    billingCycle = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    purchaseFullTerm = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="true: a full new term from today; false: keep the legacy term end date; "
        "absent: keep it when the legacy subscription has one.",
    )
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1)


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
    status = serializers.CharField(required=False)
    scheduledNextTermInstructions = ScheduledNextTermIn(required=False, allow_null=True)

    def validate_status(self, value):
        status = SUBSCRIPTION_STATUS_IN.get(value.strip().lower())
        if status is None:
            raise serializers.ValidationError("Set the status to active, suspended or deleted.")
        return status


class TransferCreateIn(serializers.Serializer):
    customerEmailId = serializers.EmailField()
    sourcePartnerTenantId = serializers.CharField(
        max_length=64, help_text="The source partner's tenant ID or PartnerID (TR-4)."
    )
    sourcePartnerName = serializers.CharField(required=False, allow_blank=True)
    targetPartnerTenantId = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    targetPartnerEmailId = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    partnerOnRecord = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    targetProductTypes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, allow_null=True
    )
    transferType = serializers.CharField(required=False, allow_blank=True)


class LineItemIn(serializers.Serializer):
    subscriptionId = serializers.UUIDField()
    id = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    quantity = serializers.IntegerField(required=False, allow_null=True)
    billingCycle = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    offerId = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    termDuration = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    friendlyName = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class TransferUpdateIn(serializers.Serializer):
    """The source submits `lineItems` (status omitted or "Complete"); the target cancels with
    `status: "Cancel"`."""

    status = serializers.ChoiceField(
        choices=["Active", "Complete", "Completed", "Cancel"], required=False
    )
    lineItems = LineItemIn(many=True, required=False)
