"""Subscription (Subscription resources) and its ProductType."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import clock
from customers.catalog import OFFERS
from customers.models import ProductType

from .common import DateAsDateTimeField, ResourceSerializer, link

AZURE_TYPES = {"azure_plan", "legacy_azure"}


class ProductTermSerializer(serializers.Serializer):
    productId = serializers.CharField()
    skuId = serializers.CharField()
    billingCycle = serializers.CharField()
    termDuration = serializers.CharField()


class ScheduledNextTermInstructionsSerializer(serializers.Serializer):
    """What the subscription renews with (NC-2: seats scheduled for the renewal)."""

    product = ProductTermSerializer()
    quantity = serializers.IntegerField()


class RefundOptionSerializer(serializers.Serializer):
    type = serializers.CharField()
    expiresAt = serializers.DateTimeField()


class ProductTypeSerializer(serializers.Serializer):
    """ProductType (Subscription resources): `id` as Partner Center names the product type
    (OnlineServicesNCE, Azure, ...), `displayName` as the portal shows it."""

    id = serializers.CharField()
    displayName = serializers.CharField()


# Our product types → Partner Center's ProductType ids (Subscription resources; "Transfer
# subscriptions": OnlineServicesNCE, Azure, AzureReservations, AzureSavingsPlan).
PRODUCT_TYPE_IDS = {
    "license": "OnlineServicesNCE",
    "azure_plan": "Azure",
    "azure_reservation": "AzureReservations",
    "azure_savings_plan": "AzureSavingsPlan",
    "legacy_license": "OnlineServices",
    "legacy_azure": "MicrosoftAzure",
}


def product_type_resource(product_type: str) -> dict:
    label = ProductType(product_type).label if product_type in ProductType.values else product_type
    return {"id": PRODUCT_TYPE_IDS.get(product_type, product_type), "displayName": label}


class SubscriptionSerializer(ResourceSerializer):
    """Subscription (Subscription resources)."""

    object_type = "Subscription"
    id = serializers.UUIDField()
    offerId = serializers.CharField(source="offer_id")
    entitlementId = serializers.SerializerMethodField()
    offerName = serializers.CharField(source="offer_name")
    friendlyName = serializers.CharField(source="offer_name")
    quantity = serializers.IntegerField()
    unitType = serializers.SerializerMethodField()
    parentSubscriptionId = serializers.UUIDField(source="parent_id", allow_null=True)
    creationDate = serializers.DateTimeField(source="created_at")
    effectiveStartDate = serializers.DateTimeField(source="created_at")
    commitmentEndDate = DateAsDateTimeField(source="commitment_end_date", allow_null=True)
    status = serializers.CharField()
    autoRenewEnabled = serializers.BooleanField(source="auto_renew")
    billingType = serializers.SerializerMethodField()
    billingCycle = serializers.CharField(source="billing_cycle")
    termDuration = serializers.CharField(source="term_duration")
    isTrial = serializers.BooleanField(source="is_trial")
    partnerId = serializers.SerializerMethodField()
    contractType = serializers.SerializerMethodField()
    orderId = serializers.SerializerMethodField()
    scheduledNextTermInstructions = serializers.SerializerMethodField()
    # productType is a ProductType resource {id, displayName} (Subscription resources:
    # https://learn.microsoft.com/en-us/partner-center/developer/subscription-resources).
    productType = serializers.SerializerMethodField()
    # Subscription model properties of the SDK (PartnerSdk.Models/Subscriptions/Subscription.cs
    # in microsoft/partner-center-sdk-for-dotNET) that the docs' new commerce samples print
    # ("Get a subscription by ID").
    hasPurchasableAddons = serializers.SerializerMethodField()
    cancellationAllowedUntilDate = serializers.SerializerMethodField()
    renewalTermDuration = serializers.SerializerMethodField()
    refundOptions = serializers.SerializerMethodField()
    isMicrosoftProduct = serializers.SerializerMethodField()
    attentionNeeded = serializers.SerializerMethodField()
    actionTaken = serializers.SerializerMethodField()
    publisherName = serializers.SerializerMethodField()
    # Our addition (TR-5): whether the subscription is legacy.
    isLegacy = serializers.BooleanField(source="is_legacy")

    def get_hasPurchasableAddons(self, sub) -> bool:
        """Whether the catalogue sells an add-on for this offer."""
        return any(sub.offer_id in offer.add_on_for for offer in OFFERS.values())

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_cancellationAllowedUntilDate(self, sub) -> str | None:
        """When the NC-2 window to cancel or reduce seats closes (null: no window)."""
        closes = sub.cancellation_window_closes
        return serializers.DateTimeField().to_representation(closes) if closes else None

    def get_renewalTermDuration(self, sub) -> str:
        """The term it renews into: its own, so "" as the samples print it."""
        return ""

    @extend_schema_field(RefundOptionSerializer(many=True))
    def get_refundOptions(self, sub) -> list:
        """A full refund while the NC-2 window is open, as "Get a subscription by ID" shows."""
        closes = sub.cancellation_window_closes
        if closes is None or closes <= clock.now():
            return []
        return [
            {"type": "Full", "expiresAt": serializers.DateTimeField().to_representation(closes)}
        ]

    def get_isMicrosoftProduct(self, sub) -> bool:
        return True

    def get_attentionNeeded(self, sub) -> bool:
        return False

    def get_actionTaken(self, sub) -> bool:
        return False

    def get_publisherName(self, sub) -> str:
        return "Microsoft Corporation"

    def to_representation(self, sub):
        data = super().to_representation(sub)
        if sub.parent_id is not None:  # "Get a subscription by ID", the add-on sample
            uri = f"/customers/{sub.customer.tenant_id}/subscriptions/{sub.parent_id}"
            data["links"]["parentSubscription"] = link(uri)
        return data

    @extend_schema_field(ProductTypeSerializer)
    def get_productType(self, sub) -> dict:
        return product_type_resource(sub.product_type)

    @extend_schema_field(ScheduledNextTermInstructionsSerializer(allow_null=True))
    def get_scheduledNextTermInstructions(self, sub) -> dict | None:
        if not sub.renewal_quantity:
            return None
        product_id, _, sku_id = sub.offer_id.partition(":")
        return {
            "product": {
                "productId": product_id,
                "skuId": sku_id,
                "billingCycle": sub.billing_cycle,
                "termDuration": sub.term_duration,
            },
            "quantity": sub.renewal_quantity,
        }

    def get_entitlementId(self, sub) -> str | None:
        return None

    def get_unitType(self, sub) -> str:
        return "Usage-based" if sub.product_type in AZURE_TYPES else "Licenses"

    def get_billingType(self, sub) -> str:
        return "usage" if sub.product_type in AZURE_TYPES else "license"

    def get_partnerId(self, sub) -> str | None:
        """The PartnerID (MPN ID) of the indirect reseller of record when a provider bills
        (TR-1), for the provider and the reseller alike (IR-2); null for direct billing. "The MPN
        identifier. This only applies to indirect partner scenarios":
        https://learn.microsoft.com/en-us/dotnet/api/microsoft.store.partnercenter.models.subscriptions.subscription.partnerid
        """
        por = sub.partner_of_record
        return por.partner_id if por is not None else None

    def get_contractType(self, sub) -> str:
        return "subscription"

    def get_orderId(self, sub) -> str | None:
        return None

    def self_uri(self, sub):
        return f"/customers/{sub.customer.tenant_id}/subscriptions/{sub.id}"
