"""TransferEntity (TransferEntity resources) with its line items, and TransferEligibility."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from transfers.models import NEW_COMMERCE

from .common import ResourceSerializer, user_guid

# Partner Center's targetProductTypes names ↔ our product types (TransferEntity resources).
PRODUCT_TYPE_TO_PC = {
    "license": "OnlineServicesNCE",
    "azure_plan": "AzureSubscription",
    "azure_reservation": "AzureReservation",
    "azure_savings_plan": "AzureSavingsPlan",
}
PC_TO_PRODUCT_TYPE = {v: k for k, v in PRODUCT_TYPE_TO_PC.items()}


class LineItemSerializer(serializers.Serializer):
    """TransferLineItem (TransferEntity resources)."""

    id = serializers.IntegerField(source="pk")  # an integer in the docs' samples
    subscriptionId = serializers.UUIDField(source="subscription_id")
    quantity = serializers.IntegerField(source="subscription.quantity")
    billingCycle = serializers.CharField(source="subscription.billing_cycle")
    friendlyName = serializers.CharField(source="subscription.offer_name")
    partnerIdOnRecord = serializers.SerializerMethodField()
    offerId = serializers.CharField(source="subscription.offer_id")
    termDuration = serializers.CharField(source="subscription.term_duration")
    transferGroupId = serializers.SerializerMethodField()
    transferError = serializers.CharField(source="error", allow_blank=True)
    status = serializers.SerializerMethodField()
    addonItems = serializers.SerializerMethodField()
    # Our addition: the subscription created on the target's billing account.
    newSubscriptionId = serializers.UUIDField(source="new_subscription_id", allow_null=True)

    def get_partnerIdOnRecord(self, line) -> str | None:
        por = line.request.partner_of_record
        return por.partner_id if por else None

    def get_transferGroupId(self, line) -> str | None:
        return None

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_addonItems(self, line) -> list:
        """The add-ons that moved with this line's subscription (TR-11), as lines."""
        add_ons = self.context.get("add_ons", {}).get(line.subscription_id, [])
        return LineItemSerializer(add_ons, many=True, context=self.context).data

    def get_status(self, line) -> str:
        return "Complete" if line.status == "complete" else "Failed"


# TransferEntity `transferType`: the portal's stored type → Partner Center's number.
TRANSFER_TYPE_CODES = {NEW_COMMERCE: 3}


class TransferEntitySerializer(ResourceSerializer):
    """TransferEntity (TransferEntity resources; Create a transfer; Update a transfer).

    `status` is Partner Center's "Active" while pending and "Complete" once submitted; ours
    adds "Expired" and "Cancelled" (transfers.models.API_STATUS)."""

    object_type = "TransferEntity"
    id = serializers.CharField(source="pk")
    status = serializers.CharField(source="api_status")
    transferType = serializers.SerializerMethodField()
    customerEmailId = serializers.CharField(source="customer_email")
    createdTime = serializers.DateTimeField(source="created_at")
    lastModifiedTime = serializers.SerializerMethodField()
    lastModifiedUser = serializers.SerializerMethodField()
    completedTime = serializers.DateTimeField(source="completed_at", allow_null=True)
    expirationTime = serializers.DateTimeField(source="expires_at")
    customerName = serializers.CharField(source="customer.company_name")
    customerTenantId = serializers.UUIDField(source="customer.tenant_id")
    partnerTenantId = serializers.UUIDField(source="target.tenant_id")
    sourcePartnerName = serializers.CharField(source="source.legal_name")
    sourcePartnerTenantId = serializers.UUIDField(source="source.tenant_id")
    targetPartnerName = serializers.CharField(source="target.legal_name")
    targetPartnerTenantId = serializers.UUIDField(source="target.tenant_id")
    targetPartnerEmailId = serializers.SerializerMethodField()
    partnerOnRecord = serializers.SerializerMethodField()
    targetProductTypes = serializers.SerializerMethodField()
    lineItems = serializers.SerializerMethodField()
    # Our additions: PartnerIDs of both sides, and when it was cancelled / expired.
    sourcePartnerId = serializers.CharField(source="source.partner_id")
    targetPartnerId = serializers.CharField(source="target.partner_id")
    cancelledTime = serializers.DateTimeField(source="cancelled_at", allow_null=True)
    expiredTime = serializers.DateTimeField(source="expired_at", allow_null=True)

    def get_transferType(self, t) -> int:
        """The number Partner Center uses: "3 indicates New Commerce", printed as the number 3
        in the sample (https://learn.microsoft.com/en-us/partner-center/developer/create-a-transfer);
        clients read it into an integer."""
        return TRANSFER_TYPE_CODES[t.transfer_type]

    def get_lastModifiedTime(self, t) -> str:
        stamps = [s for s in (t.created_at, t.completed_at, t.cancelled_at, t.expired_at) if s]
        return serializers.DateTimeField().to_representation(max(stamps))

    def get_lastModifiedUser(self, t) -> str | None:
        """The user (GUID) who made the last change: cancelled, submitted or created it."""
        return user_guid(t.cancelled_by_id or t.submitted_by_id or t.created_by_id)

    def get_targetPartnerEmailId(self, t) -> str | None:
        return None

    def get_partnerOnRecord(self, t) -> str | None:
        return t.partner_of_record.partner_id if t.partner_of_record_id else None

    def get_targetProductTypes(self, t) -> list[str]:
        return [PRODUCT_TYPE_TO_PC.get(p, p) for p in t.target_product_types]

    @extend_schema_field(LineItemSerializer(many=True))
    @extend_schema_field(LineItemSerializer(many=True))
    def get_lineItems(self, t):
        """The moved subscriptions, an add-on inside its base's line (`addonItems`, TR-11)
        rather than a line of its own."""
        lines = list(t.lines.all())
        moved = {line.subscription_id for line in lines}
        add_ons: dict = {}
        for line in lines:
            parent = line.subscription.parent_id
            if parent in moved:
                add_ons.setdefault(parent, []).append(line)
        tops = [line for line in lines if line.subscription.parent_id not in moved]
        return LineItemSerializer(tops, many=True, context={"add_ons": add_ons}).data

    def self_uri(self, t):
        return f"/customers/{t.customer.tenant_id}/transfers/{t.pk}"


class TransferEligibilitySerializer(ResourceSerializer):
    """TransferEligibility ("TransferEligibility resources", "Get a customer's subscriptions
    transfer eligibility"): per subscription `id`, `isEligible` and the `reason` it is not.
    https://learn.microsoft.com/en-us/partner-center/developer/get-customer-s-subscriptions-transfer-eligibility
    https://learn.microsoft.com/en-us/partner-center/developer/transfer-eligibility-resources"""

    object_type = "TransferEligibility"
    with_links = False
    id = serializers.UUIDField(source="subscription.pk")
    isEligible = serializers.BooleanField(source="eligible")
    reason = serializers.SerializerMethodField()
    # Our additions: what the subscription is, and the add-ons that move with it (TR-11).
    offerId = serializers.CharField(source="subscription.offer_id")
    offerName = serializers.CharField(source="subscription.offer_name")
    addOnSubscriptionIds = serializers.SerializerMethodField()

    def get_reason(self, row) -> str | None:
        return row["reason"] or None

    def get_addOnSubscriptionIds(self, row) -> list[str]:
        return [str(add_on.pk) for add_on in row["add_ons"]]
