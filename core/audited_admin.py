"""Staff edits in the admin are changes like any other (AC-5): each save and delete records an
audit event (AC-4) naming the object's partner and customer and the fields changed — which also
drops the values memoised from their data (`memo`), e.g. the Transition totals after staff edit
a subscription. Every ModelAdmin of the portal derives from `AuditedAdmin` (a test checks it)."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.db import transaction

from . import audit
from .validators import parse_ids


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes are audited. `partner_field` names the field that
    holds the object's partner (None: no partner); the customer is its `customer` field."""

    partner_field: str | None = "partner"

    def audit_partner(self, obj):
        return getattr(obj, self.partner_field, None) if self.partner_field else None

    def audit_customer(self, obj):
        return getattr(obj, "customer", None)

    def _event(self, request, obj, verb: str, fields=()):
        """The audit event of a staff add, change or delete of `obj`. A deleted partner or
        customer is named in the event's text, not linked (the link would keep it alive)."""
        changed = f" (changed: {', '.join(fields)})" if fields else ""
        partner, customer = self.audit_partner(obj), self.audit_customer(obj)
        if verb == "delete":
            partner = None if partner is obj else partner
            customer = None if customer is obj else customer
        return audit.build(
            actor=request.user,
            operation=f"admin.{obj._meta.model_name}.{verb}",
            partner=partner,
            customer=customer,
            obj=obj,
            detail=f"Staff {verb}: {obj}{changed}",
        )

    def _owners(self, obj):
        partner, customer = self.audit_partner(obj), self.audit_customer(obj)
        return getattr(partner, "pk", None), getattr(customer, "pk", None)

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            fields = form.changed_data if change and form is not None else ()
            events = [self._event(request, obj, "change" if change else "add", fields)]
            if before is not None and self._owners(before) != self._owners(obj):
                events.append(self._event(request, before, "change"))  # moved: the old owners too
            audit.record_many(events)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record_many([self._event(request, obj, "delete")])
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            audit.record_many([self._event(request, obj, "delete") for obj in queryset])
            super().delete_queryset(request, queryset)


class ReadOnlyAdmin(AuditedAdmin):
    """Rows staff may look at but never add, edit or delete here: they change only through the
    services (AC-5)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceActionsAdmin(ReadOnlyAdmin):
    """Read-only rows that every active staff member may see and change only through admin
    actions calling the services (AC-5)."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def response_action(self, request, queryset):
        """A tampered selection (non-numeric ids) selects nothing instead of a 500."""
        name = helpers.ACTION_CHECKBOX_NAME
        if name in request.POST:
            post = request.POST.copy()
            post.setlist(name, [str(pk) for pk in parse_ids(post.getlist(name))])
            request.POST = post
        return super().response_action(request, queryset)
