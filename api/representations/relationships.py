"""PartnerRelationship ("Get a list of indirect resellers") and the reseller relationship
request link."""

from rest_framework import serializers

from .common import AttributesSerializer, ResourceSerializer

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


# --- relationship request ------------------------------------------------------------------


class RelationshipRequestSerializer(serializers.Serializer):
    """CustomerRelationshipRequest ("Request a reseller relationship"): `url`, plus the
    indirect ids when the link is for an indirect invitation (CU-2)."""

    url = serializers.CharField()
    indirectResellerId = serializers.CharField(allow_null=True, required=False)
    indirectCloudSolutionProviderId = serializers.CharField(allow_null=True, required=False)
    attributes = AttributesSerializer()
