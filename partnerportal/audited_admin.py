"""Staff edits in the admin are changes like any other: each save and delete records an audit
event (AC-4) naming the object's partner and customer — which also drops the values memoised
from their data (`memo`), e.g. the Transition totals after staff edit a subscription."""

from django.contrib import admin
from django.db import transaction

from . import audit


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes are audited. `partner_field` names the field that
    holds the object's partner; the customer is its `customer` field."""

    partner_field = "partner"

    def _event(self, request, obj, verb: str):
        return audit.build(
            actor=request.user,
            operation=f"admin.{obj._meta.model_name}.{verb}",
            partner=getattr(obj, self.partner_field, None),
            customer=getattr(obj, "customer", None),
            obj=obj,
            detail=f"Staff {verb}: {obj}",
        )

    def _owners(self, obj):
        return getattr(obj, f"{self.partner_field}_id", None), getattr(obj, "customer_id", None)

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).first() if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            events = [self._event(request, obj, "change" if change else "add")]
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
