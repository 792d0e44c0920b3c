"""Values derived from a partner's data, kept until its next change (`core.memo`)."""

from django.db import models

from .tenancy import Partner


class PartnerMemo(models.Model):
    """A value derived from a partner's data (e.g. the Transition totals), kept by `memo` until
    the next committed change to the partner or one of its customers. Valid while
    `value_generation` equals `generation` (a change bumps `generation`) and the value is younger
    than `settings.MEMO_MAX_AGE_SECONDS`."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=64)
    generation = models.BigIntegerField(default=0)
    value_generation = models.BigIntegerField(null=True, blank=True)
    value = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)  # wall time, for MEMO_MAX_AGE

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="one_memo_per_partner_name")
        ]

    def __str__(self):
        return f"{self.name} of partner {self.partner_id} (generation {self.generation})"
