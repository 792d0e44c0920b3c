"""The pieces every Partner Center resource shares: links, attributes `{objectType, etag}`,
the error body, collections, and the GUIDs derived for users and billing profiles."""

import hashlib
import json
import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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


def tenant_id_of(partner):
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
