"""Read-only views of the relationships data for support staff: every change goes through the
services (which audit it), so the admin does not edit these rows."""

from django.contrib import admin

from core.audited_admin import ReadOnlyAdmin

from .models import CustomerInvitation, GdapRelationship, ProviderPartnership, RelationshipExtension


@admin.register(ProviderPartnership)
class ProviderPartnershipAdmin(ReadOnlyAdmin):
    partner_field = "provider"
    list_display = ["provider", "reseller", "status", "invited_at", "expires_at", "accepted_at"]
    list_filter = ["status"]
    search_fields = ["provider__legal_name", "reseller__legal_name", "invited_email"]
    list_select_related = ["provider", "reseller"]


@admin.register(CustomerInvitation)
class CustomerInvitationAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "kind", "provider", "customer", "status", "expires_at"]
    list_filter = ["kind", "status"]
    search_fields = ["partner__legal_name", "customer__company_name"]
    list_select_related = ["partner", "provider", "customer"]


@admin.register(GdapRelationship)
class GdapRelationshipAdmin(ReadOnlyAdmin):
    list_display = ["name", "partner", "customer", "status", "ends_at", "auto_extend"]
    list_filter = ["status", "auto_extend"]
    search_fields = ["name", "partner__legal_name", "customer__company_name"]
    list_select_related = ["partner", "customer"]


@admin.register(RelationshipExtension)
class RelationshipExtensionAdmin(ReadOnlyAdmin):
    partner_field = "provider"
    list_display = ["customer", "reseller", "provider", "created_at"]
    search_fields = ["customer__company_name", "reseller__legal_name", "provider__legal_name"]
    list_select_related = ["customer", "reseller", "provider"]
