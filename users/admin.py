"""Support staff change a partner user's roles and activation through the same services as a
Global admin (AC-5): the core's User admin, with those two fields routed to them."""

from django.contrib import admin, messages

from core.admin import UserAdmin
from core.exceptions import RuleViolation
from core.models import User

from . import services

SERVICE_FIELDS = {"roles", "is_active"}


class PartnerUserAdmin(UserAdmin):
    actions = ["deactivate_users", "reactivate_users"]

    def save_model(self, request, obj, form, change):
        """A change of a partner user's roles or activation goes through the services (the
        last Global admin stays, AC-1); the other fields are saved and audited as before."""
        changed = SERVICE_FIELDS & set(form.changed_data) if change else set()
        if not changed or not obj.partner_id:
            return super().save_model(request, obj, form, change)
        wanted_roles, wanted_active = list(obj.roles), obj.is_active
        stored = User.objects.get(pk=obj.pk)
        obj.roles, obj.is_active = stored.roles, stored.is_active
        form.changed_data[:] = [n for n in form.changed_data if n not in SERVICE_FIELDS]
        super().save_model(request, obj, form, change)  # the other fields, audited
        try:
            if "roles" in changed:
                services.partner_user_change_roles(actor=request.user, user=obj, roles=wanted_roles)
            if "is_active" in changed:
                service = (
                    services.partner_user_reactivate
                    if wanted_active
                    else services.partner_user_deactivate
                )
                service(actor=request.user, user=obj)
        except RuleViolation as error:
            messages.error(request, f"Roles and activation not changed: {error}")
        obj.refresh_from_db()

    def _each(self, request, queryset, service, done: str):
        for user in queryset.filter(partner__isnull=False):
            try:
                service(actor=request.user, user=user)
            except RuleViolation as error:
                messages.error(request, f"{user.email}: {error}")
            else:
                messages.success(request, f"{user.email}: {done}")

    @admin.action(description="Deactivate the selected partner users")
    def deactivate_users(self, request, queryset):
        self._each(request, queryset, services.partner_user_deactivate, "deactivated.")

    @admin.action(description="Reactivate the selected partner users")
    def reactivate_users(self, request, queryset):
        self._each(request, queryset, services.partner_user_reactivate, "reactivated.")


admin.site.unregister(User)
admin.site.register(User, PartnerUserAdmin)
