"""The customer's acceptance of the Microsoft Customer Agreement (MCA-2, MCA-3)."""

from django.db import models
from django.db.models import Q

from core.models import Customer, Partner, User
from enrollment.agreements import FIRST_VERSION


class McaMethod(models.TextChoices):
    ATTESTATION = "attestation", "Partner attestation"
    ADMIN_CENTER = "admin_center", "Accepted by the customer in the admin center"


class McaAcceptance(models.Model):
    """An acceptance of the Microsoft Customer Agreement (MCA-2).

    An attestation belongs to the partner that made it; an admin-center acceptance belongs to
    the customer and holds for every partner (MCA-3).
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="mca_acceptances")
    method = models.CharField(max_length=16, choices=McaMethod.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="mca_attestations"
    )
    signatory_name = models.CharField(max_length=200)
    signatory_email = models.EmailField()
    accepted_on = models.DateField()
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    agreement_version = models.CharField(
        max_length=20,
        default=FIRST_VERSION,
        help_text="The version of the customer agreement accepted (enrollment.agreements).",
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(method="attestation") & Q(partner__isnull=False))
                | (Q(method="admin_center") & Q(partner__isnull=True)),
                name="attestation_names_partner",
            ),
        ]

    def __str__(self):
        return f"MCA {self.get_method_display()} for {self.customer}"
