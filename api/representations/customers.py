"""MpnProfile (Profile resources) and Customer (Customer resources), with its company and
billing profiles."""

from rest_framework import serializers

from .common import (
    AttributesSerializer,
    LinksSerializer,
    ResourceSerializer,
    billing_profile_guid,
    etag_of,
    link,
    tenant_id_of,
)

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
        "associatedPartnerId": tenant_id_of(rel.reseller) if rel.reseller_id else None,
        "relationshipKind": str(rel.kind),
    }
    return _with_meta(data, "Customer", f"/customers/{tid}")
