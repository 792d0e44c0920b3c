"""Partner Center resource shapes: DRF serializers that both render the JSON and describe it in
the OpenAPI schema, with Microsoft's camelCase property names.

Sources (the contract, AP-1):
- Customer resources: https://learn.microsoft.com/en-us/partner-center/developer/customer-resources
- Get a customer by ID: https://learn.microsoft.com/en-us/partner-center/developer/get-a-customer-by-id
- Subscription resources:
  https://learn.microsoft.com/en-us/partner-center/developer/subscription-resources
- TransferEntity resources:
  https://learn.microsoft.com/en-us/partner-center/developer/transfer-entity-resources
- Profile resources (MpnProfile):
  https://learn.microsoft.com/en-us/partner-center/developer/profile-resources
- Partner Center REST error codes: https://learn.microsoft.com/en-us/partner-center/developer/error-codes

Where our model has no value for a documented property, it is present and null/empty.
"""

import hashlib
import json
import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import clock
from customers.catalog import MCA_LINK, MCA_TEMPLATE_ID, MCA_VERSION_RANK, OFFERS
from customers.models import ProductType
from customers.terms import term_end
from transfers.models import NEW_COMMERCE

from . import audit_vocabulary
from .numeric_codes import NUMERIC_CODES

# --- common pieces -------------------------------------------------------------------------


class HeaderSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()


class LinkSerializer(serializers.Serializer):
    uri = serializers.CharField()
    method = serializers.CharField()
    headers = HeaderSerializer(many=True)


class LinksSerializer(serializers.Serializer):
    self = LinkSerializer()


class CollectionLinksSerializer(serializers.Serializer):
    self = LinkSerializer()
    next = LinkSerializer(required=False, allow_null=True)


class AttributesSerializer(serializers.Serializer):
    objectType = serializers.CharField()
    etag = serializers.CharField(required=False)


class CollectionAttributesSerializer(serializers.Serializer):
    objectType = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Partner Center's error body (Partner Center REST error codes): a numeric `code`
    (api.numeric_codes), plus our `errorName`."""

    code = serializers.IntegerField()
    description = serializers.CharField()
    data = serializers.ListField(child=serializers.JSONField())
    source = serializers.CharField()
    errorName = serializers.CharField()


@extend_schema_field(OpenApiTypes.DATETIME)
class DateAsDateTimeField(serializers.DateField):
    """A calendar date written as the UTC date-time of its start (`2026-12-29T00:00:00Z`): the
    SDK models type every date property as DateTime, and a bare date fails their parsers
    (API.md, Fidelity). Subscription resources show `commitmentEndDate` as
    "2026-12-29T00:00:00Z"
    (https://learn.microsoft.com/en-us/partner-center/developer/subscription-resources), and
    Agreement resources type `dateAgreed` as "string in UTC date time format"
    (https://learn.microsoft.com/en-us/partner-center/develop/agreement-resources)."""

    def to_representation(self, value):
        if value is None:
            return None
        return f"{value.isoformat()}T00:00:00Z"


def link(uri: str, method: str = "GET", headers=None) -> dict:
    return {"uri": uri, "method": method, "headers": headers or []}


def etag_of(data: dict) -> str:
    raw = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


class ResourceSerializer(serializers.Serializer):
    """Adds `links.self` (when `self_uri` gives one) and `attributes {objectType, etag}`."""

    object_type = "Resource"
    with_links = True

    def self_uri(self, instance) -> str | None:
        return None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.with_links:
            data["links"] = {"self": link(self.self_uri(instance) or "")}
        data["attributes"] = {"objectType": self.object_type, "etag": etag_of(data)}
        return data


def with_meta(serializer_class, *, links=True):
    """The schema view of a ResourceSerializer: its fields plus links and attributes."""
    attrs = {"attributes": AttributesSerializer(read_only=True)}
    if links:
        attrs["links"] = LinksSerializer(read_only=True)
    return type(serializer_class.__name__, (serializer_class,), attrs)


def collection_of(item_serializer, name: str):
    """The schema of a Partner Center collection of `item_serializer` items."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "totalCount": serializers.IntegerField(),
            "items": item_serializer(many=True),
            "continuationToken": serializers.CharField(required=False, allow_null=True),
            "links": CollectionLinksSerializer(),
            "attributes": CollectionAttributesSerializer(),
        },
    )


def _tenant_id(partner):
    return str(partner.tenant_id) if partner is not None else None


# Namespace of the GUIDs derived below (uuid5: stable, one per object).
_GUIDS = uuid.UUID("5f0c8e7a-4c3d-4f7e-9a51-2b8d6c1e0a93")


def user_guid(user_id) -> str | None:
    """A portal user as the GUID Partner Center gives a user (`userId` of an Agreement,
    `lastModifiedUser` of a TransferEntity, both GUIDs in the docs' samples): derived from
    the user's number, so one user always has the same one."""
    return str(uuid.uuid5(_GUIDS, f"user:{user_id}")) if user_id is not None else None


def billing_profile_guid(tenant_id) -> str:
    """The customer's billing profile id: a GUID, as in "Get a customer's billing profile"
    (https://learn.microsoft.com/en-us/partner-center/developer/get-all-of-a-customer-s-billing-profiles)."""
    return str(uuid.uuid5(_GUIDS, f"billing-profile:{tenant_id}"))


# --- profiles ------------------------------------------------------------------------------


class MpnProfileSerializer(ResourceSerializer):
    """MpnProfile (Profile resources): mpnId, partnerName, profileType, as the SDK's MpnProfile
    model names them:
    https://learn.microsoft.com/en-us/partner-center/developer/profile-resources#mpnprofile
    """

    object_type = "MpnProfile"
    mpnId = serializers.CharField(source="partner_id")
    partnerName = serializers.CharField(source="legal_name")
    profileType = serializers.SerializerMethodField()

    def get_profileType(self, obj) -> str:
        return "MpnProfile"

    def self_uri(self, instance):
        return "/profiles/mpn"


# --- customers -----------------------------------------------------------------------------


class AddressSerializer(serializers.Serializer):
    country = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_blank=True)
    state = serializers.CharField(allow_null=True)
    addressLine1 = serializers.CharField(allow_blank=True)
    addressLine2 = serializers.CharField(allow_null=True)
    postalCode = serializers.CharField(allow_blank=True)
    firstName = serializers.CharField(allow_null=True)
    lastName = serializers.CharField(allow_null=True)
    phoneNumber = serializers.CharField(allow_blank=True)


def _address(bill_to: dict) -> dict:
    names = (bill_to.get("contactName") or "").split(" ", 1)
    return {
        "country": bill_to.get("country", ""),
        "region": None,
        "city": bill_to.get("city", ""),
        "state": None,
        "addressLine1": bill_to.get("addressLine1", ""),
        "addressLine2": None,
        "postalCode": bill_to.get("postalCode", ""),
        "firstName": names[0] or None,
        "lastName": names[1] if len(names) > 1 else None,
        "phoneNumber": bill_to.get("phoneNumber", ""),
    }


class CompanyProfileSerializer(serializers.Serializer):
    tenantId = serializers.UUIDField()
    domain = serializers.CharField()
    companyName = serializers.CharField()
    address = AddressSerializer()
    email = serializers.CharField()
    links = LinksSerializer()
    attributes = AttributesSerializer()


class BillingProfileSerializer(serializers.Serializer):
    id = serializers.CharField()
    firstName = serializers.CharField(allow_null=True)
    lastName = serializers.CharField(allow_null=True)
    email = serializers.CharField()
    culture = serializers.CharField()
    language = serializers.CharField()
    companyName = serializers.CharField()
    defaultAddress = AddressSerializer()
    links = LinksSerializer()
    attributes = AttributesSerializer()


class CustomerSerializer(ResourceSerializer):
    """Customer (Customer resources; Get a customer by ID), rendered from the caller's
    CustomerRelationship so `relationshipToPartner` / `associatedPartnerId` are the caller's."""

    # The fields describe the resource in the OpenAPI schema; `customer_resource` builds it.
    object_type = "Customer"
    id = serializers.UUIDField(source="customer.tenant_id")
    commerceId = serializers.CharField(read_only=True, allow_null=True)
    companyProfile = CompanyProfileSerializer(read_only=True)
    billingProfile = BillingProfileSerializer(read_only=True)
    relationshipToPartner = serializers.CharField(
        read_only=True, help_text='Always "reseller" (CustomerPartnerRelationship).'
    )
    allowDelegatedAccess = serializers.BooleanField(source="has_admin_privileges")
    userCredentials = serializers.DictField(read_only=True, allow_null=True)
    customDomains = serializers.ListField(child=serializers.CharField(), read_only=True)
    associatedPartnerId = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="For a provider: the indirect reseller it serves the customer for (tenant ID).",
    )
    # Our addition: how the caller serves this customer (direct, indirect_reseller,
    # indirect_provider); a direct-bill customer turns indirect_reseller under IR-1.
    relationshipKind = serializers.CharField(source="kind")

    def to_representation(self, rel):
        return customer_resource(rel)


# `relationshipToPartner` is a CustomerPartnerRelationship: Unknown, Reseller, Advisor,
# Syndication, MicrosoftSupport, None
# (https://learn.microsoft.com/en-us/dotnet/api/microsoft.store.partnercenter.models.customers.customerpartnerrelationship).
# Partner Center has no "indirect" value: a direct-bill partner, an indirect reseller and its
# provider each hold a reseller relationship with the customer (CU-1), and "Get customers of an
# indirect reseller" answers a provider with "reseller" for each. So every active relationship
# says "reseller"; `relationshipKind` (our addition) tells direct, indirect_reseller (IR-1) and
# indirect_provider apart.
RELATIONSHIP_TO_PARTNER = "reseller"


def _with_meta(data: dict, object_type: str, self_uri: str) -> dict:
    """`data` with `links.self` and `attributes {objectType, etag}`, as ResourceSerializer adds
    them."""
    data["links"] = {"self": link(self_uri)}
    data["attributes"] = {"objectType": object_type, "etag": etag_of(data)}
    return data


def customer_resource(rel) -> dict:
    """The Customer resource of `rel` (a CustomerRelationship of the caller, with its customer,
    the customer's tenant and the reseller at hand), built as plain dicts: a collection
    renders up to 500 of them."""
    c = rel.customer
    tid = str(c.tenant_id)
    bill_to = c.bill_to()
    company = {
        "tenantId": tid,
        "domain": c.tenant.domain,
        "companyName": c.company_name,
        "address": _address(bill_to),
        "email": c.email,
    }
    billing_to = rel.bill_to_copy or bill_to
    address = _address(billing_to)
    billing = {
        "id": billing_profile_guid(tid),
        "firstName": address["firstName"],
        "lastName": address["lastName"],
        "email": billing_to.get("email", c.email),
        "culture": "en-US",
        "language": "en",
        "companyName": billing_to.get("companyName", c.company_name),
        "defaultAddress": address,
    }
    data = {
        "id": tid,
        "commerceId": None,
        "companyProfile": _with_meta(
            company, "CustomerCompanyProfile", f"/customers/{tid}/profiles/company"
        ),
        "billingProfile": _with_meta(
            billing, "CustomerBillingProfile", f"/customers/{tid}/profiles/billing"
        ),
        "relationshipToPartner": RELATIONSHIP_TO_PARTNER,
        "allowDelegatedAccess": bool(rel.has_admin_privileges),
        "userCredentials": None,
        "customDomains": [c.tenant.domain],
        "associatedPartnerId": _tenant_id(rel.reseller) if rel.reseller_id else None,
        "relationshipKind": str(rel.kind),
    }
    return _with_meta(data, "Customer", f"/customers/{tid}")


# --- relationships -------------------------------------------------------------------------

RELATIONSHIP_TYPE_BY_KIND = {
    "indirect_reseller": "IsIndirectResellerOf",
    "indirect_provider": "IsIndirectCloudSolutionProviderOf",
    "direct": "IsDirectResellerOf",  # our addition: Partner Center has no name for it
}


class PartnerRelationshipSerializer(ResourceSerializer):
    """PartnerRelationship ("Get a list of indirect resellers"): id, name, relationshipType,
    state, mpnId, location. Rendered from a (partner, relationship_type, state) triple."""

    object_type = "PartnerRelationship"
    with_links = False
    id = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    relationshipType = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    mpnId = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()

    def get_id(self, row) -> str:
        return str(row["partner"].tenant_id)

    def get_name(self, row) -> str:
        return row["partner"].legal_name

    def get_relationshipType(self, row) -> str:
        return row["type"]

    def get_state(self, row) -> str:
        return row.get("state", "Active")

    def get_mpnId(self, row) -> str:
        return row["partner"].partner_id

    def get_location(self, row) -> str:
        return row["partner"].country


# --- subscriptions -------------------------------------------------------------------------

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


# --- relationship request ------------------------------------------------------------------


class RelationshipRequestSerializer(serializers.Serializer):
    """CustomerRelationshipRequest ("Request a reseller relationship"): `url`, plus the
    indirect ids when the link is for an indirect invitation (CU-2)."""

    url = serializers.CharField()
    indirectResellerId = serializers.CharField(allow_null=True, required=False)
    indirectCloudSolutionProviderId = serializers.CharField(allow_null=True, required=False)
    attributes = AttributesSerializer()


# --- audit records -------------------------------------------------------------------------


class KeyValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField(allow_blank=True)


class AuditRecordSerializer(ResourceSerializer):
    """AuditRecord ("Get a record of Partner Center activity")."""

    object_type = "AuditRecord"
    with_links = False
    id = serializers.CharField(source="pk")
    partnerId = serializers.SerializerMethodField()
    customerId = serializers.SerializerMethodField()
    customerName = serializers.SerializerMethodField()
    userPrincipalName = serializers.CharField(source="actor_label")
    resourceType = serializers.SerializerMethodField()
    resourceOldValue = serializers.CharField(source="old_state")
    resourceNewValue = serializers.CharField(source="new_state")
    operationType = serializers.SerializerMethodField()
    operationStatus = serializers.SerializerMethodField()
    operationDate = serializers.DateTimeField(source="occurred_at")
    applicationId = serializers.SerializerMethodField()
    sessionId = serializers.SerializerMethodField()
    customizedData = serializers.SerializerMethodField()

    def get_partnerId(self, e) -> str | None:
        return _tenant_id(e.partner)

    def get_customerId(self, e) -> str | None:
        return str(e.customer.tenant_id) if e.customer_id else None

    def get_customerName(self, e) -> str | None:
        return e.customer.company_name if e.customer_id else None

    def get_resourceType(self, e) -> str:
        return audit_vocabulary.resource_type(e.operation)

    def get_operationType(self, e) -> str:
        return audit_vocabulary.operation_type(e.operation)

    def get_operationStatus(self, e) -> str:
        """The SDK's OperationStatus enum (Succeeded, Failed, Progress, Decline) goes through its
        EnumJsonConverter, which writes the name with a lower-case first letter (`succeeded`),
        as the sample of "Get a record of Partner Center activity" shows
        (PartnerSdk.Models/Auditing/OperationStatus.cs and JsonConverters/EnumJsonConverter.cs
        in microsoft/partner-center-sdk-for-dotNET;
        https://learn.microsoft.com/en-us/partner-center/developer/get-a-record-of-partner-center-activity-by-user).
        """
        return "succeeded" if e.outcome == "success" else "failed"

    def get_applicationId(self, e) -> str | None:
        return None

    def get_sessionId(self, e) -> str | None:
        return None

    @extend_schema_field(KeyValueSerializer(many=True))
    def get_customizedData(self, e):
        rows = [
            {"key": "Operation", "value": e.operation},
            {"key": "ObjectType", "value": e.object_type},
            {"key": "ObjectId", "value": e.object_id},
        ]
        if e.detail:
            rows.append({"key": "Detail", "value": e.detail})
        return rows


# --- transfers -----------------------------------------------------------------------------

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


# --- agreements (MCA) ----------------------------------------------------------------------


class ContactSerializer(serializers.Serializer):
    email = serializers.CharField()
    firstName = serializers.CharField(allow_blank=True)
    lastName = serializers.CharField(allow_blank=True)
    phoneNumber = serializers.CharField(allow_null=True)


class AgreementMetaDataSerializer(ResourceSerializer):
    """AgreementMetaData, step 1 of "Confirm customer acceptance of the Microsoft Customer
    Agreement" (GET /v1/agreements?agreementType=MicrosoftCustomerAgreement):
    https://learn.microsoft.com/en-us/partner-center/developer/get-agreement-metadata-for-microsoft-customer-agreement
    The instance is the agreement type's name; the MCA is the only one offered."""

    object_type = "AgreementMetaData"
    with_links = False
    templateId = serializers.SerializerMethodField()
    agreementType = serializers.SerializerMethodField()
    agreementLink = serializers.SerializerMethodField()
    versionRank = serializers.SerializerMethodField()

    def get_templateId(self, kind) -> str:
        return MCA_TEMPLATE_ID

    def get_agreementType(self, kind) -> str:
        return kind

    def get_agreementLink(self, kind) -> str:
        return MCA_LINK

    def get_versionRank(self, kind) -> int:
        return MCA_VERSION_RANK


class AgreementSerializer(ResourceSerializer):
    """Agreement ("Confirm customer acceptance of the Microsoft Customer Agreement";
    "Get confirmation of customer acceptance of Microsoft Customer Agreement")."""

    object_type = "Agreement"
    with_links = False
    primaryContact = serializers.SerializerMethodField()
    templateId = serializers.SerializerMethodField()
    dateAgreed = DateAsDateTimeField(source="accepted_on")
    type = serializers.SerializerMethodField()
    agreementLink = serializers.SerializerMethodField()
    userId = serializers.SerializerMethodField()
    # Our addition (MCA-2/MCA-3): how it was accepted and, for an attestation, by which partner.
    acceptanceMethod = serializers.SerializerMethodField()
    attestedByPartnerId = serializers.SerializerMethodField()

    @extend_schema_field(ContactSerializer)
    def get_primaryContact(self, a):
        names = a.signatory_name.split(" ", 1)
        return {
            "email": a.signatory_email,
            "firstName": names[0],
            "lastName": names[1] if len(names) > 1 else "",
            "phoneNumber": None,
        }

    def get_templateId(self, a) -> str | None:
        return MCA_TEMPLATE_ID

    def get_type(self, a) -> str:
        return "MicrosoftCustomerAgreement"

    def get_agreementLink(self, a) -> str:
        return MCA_LINK

    def get_userId(self, a) -> str | None:
        """The partner user who attested, as a GUID like the docs' sample (the SDK's
        Agreement.UserId is a string)."""
        return user_guid(a.recorded_by_id)

    def get_acceptanceMethod(self, a) -> str:
        return "PartnerAttestation" if a.method == "attestation" else "CustomerAdminCenter"

    def get_attestedByPartnerId(self, a) -> str | None:
        return a.partner.partner_id if a.partner_id else None


# --- migrations (TR-5) ---------------------------------------------------------------------


class MigrationSerializer(ResourceSerializer):
    """Migration ("Create a migration" / "Get a migration", new commerce), from a
    NewCommerceMigration: `Processing` with the requested options until the worker completes
    it, then the new subscription's values, or `Failed` with errorCode / errorDescription.
    https://learn.microsoft.com/en-us/partner-center/developer/create-migration"""

    object_type = "Migration"
    with_links = False
    id = serializers.UUIDField()
    startedTime = serializers.DateTimeField(source="created_at")
    completedTime = serializers.DateTimeField(source="completed_at", allow_null=True)
    currentSubscriptionId = serializers.UUIDField(source="current_subscription_id")
    status = serializers.SerializerMethodField()
    customerTenantId = serializers.UUIDField(source="customer.tenant_id")
    catalogItemId = serializers.SerializerMethodField()
    newCommerceSubscriptionId = serializers.UUIDField(source="new_subscription_id", allow_null=True)
    newCommerceOrderId = serializers.SerializerMethodField()
    subscriptionEndDate = serializers.SerializerMethodField()
    quantity = serializers.SerializerMethodField()
    termDuration = serializers.SerializerMethodField()
    billingCycle = serializers.SerializerMethodField()
    purchaseFullTerm = serializers.SerializerMethodField()
    errorCode = serializers.SerializerMethodField()
    errorDescription = serializers.SerializerMethodField()
    addOnMigrations = serializers.SerializerMethodField()

    def _sub(self, m):
        """The new subscription once there is one, else the legacy one."""
        return m.new_subscription or m.current_subscription

    def _requested(self, m, option: str, attribute: str):
        """While processing: the option as requested, else the legacy value; after: the new
        subscription's."""
        if m.new_subscription is None and m.options.get(option):
            return m.options[option]
        return getattr(self._sub(m), attribute)

    def get_status(self, m) -> str:
        return m.get_status_display()

    def get_catalogItemId(self, m) -> str:
        return self._sub(m).offer_id

    def get_newCommerceOrderId(self, m) -> str | None:
        return None

    def get_subscriptionEndDate(self, m) -> str | None:
        end = self._sub(m).commitment_end_date
        return DateAsDateTimeField().to_representation(end) if end else None

    def get_quantity(self, m) -> int:
        return self._requested(m, "quantity", "quantity")

    def get_termDuration(self, m) -> str:
        return self._requested(m, "term_duration", "term_duration")

    def get_billingCycle(self, m) -> str:
        return self._requested(m, "billing_cycle", "billing_cycle")

    def get_purchaseFullTerm(self, m) -> bool:
        """Whether the new subscription got a full term rather than the legacy term end (as
        requested while it is processing)."""
        new = m.new_subscription
        if new is None:
            # A bool, never null: the SDK's NewCommerceMigration.PurchaseFullTerm is a `bool`.
            # Unrequested, the legacy term end is kept when there is one (customers.
            # nce_migrations), i.e. a full term only for a legacy subscription without one.
            requested = m.options.get("full_term")
            if requested is not None:
                return requested
            return m.current_subscription.commitment_end_date is None
        full_end = term_end(new.created_at.date(), new.term_duration)
        return full_end is not None and new.commitment_end_date == full_end

    def get_errorCode(self, m) -> str | None:
        return m.error_code or None

    def get_errorDescription(self, m) -> str | None:
        return m.error_description or None

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_addOnMigrations(self, m) -> list:
        return []


class MigrationEligibilitySerializer(serializers.Serializer):
    """The answer of "Validate migration eligibility":
    https://learn.microsoft.com/en-us/partner-center/developer/validate-migration-eligibility"""

    currentSubscriptionId = serializers.UUIDField(source="subscription.pk")
    catalogItemId = serializers.CharField(source="subscription.offer_id")
    isEligible = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    def get_isEligible(self, row) -> bool:
        return row["refusal"] is None

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_errors(self, row) -> list:
        refusal = row["refusal"]
        if refusal is None:
            return []
        # `code` a number, as in the page's sample (`"code": 5`): the refusal's numeric code
        # (api.numeric_codes), its name as `errorName` as in the error body.
        return [
            {
                "code": NUMERIC_CODES[refusal.code],
                "description": str(refusal),
                "errorName": refusal.code,
                "rule": refusal.rule,
            }
        ]


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
