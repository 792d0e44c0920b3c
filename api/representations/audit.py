"""AuditRecord ("Get a record of Partner Center activity")."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import audit_vocabulary
from .common import ResourceSerializer, tenant_id_of


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
        return tenant_id_of(e.partner)

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
