"""Migration to new commerce (TR-5): Migration and migration eligibility."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.terms import term_end

from ..numeric_codes import NUMERIC_CODES
from .common import DateAsDateTimeField, ResourceSerializer


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
