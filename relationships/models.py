"""Partnerships between indirect providers and resellers, and the reseller relationship
extension. (Customer invitations and GDAP are added here by their feature.)"""

from django.db import models
from django.db.models import Q

from partnerportal.fsm import fsm_trigger
from partnerportal.models import Customer, Partner, User


class PartnershipStatus(models.TextChoices):
    INVITED = "invited", "Invitation sent"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    ENDED = "ended", "Ended"


# PV-2/PV-3: the provider invites; the reseller's Global admin accepts; an invitation can be
# revoked by the provider or expire; an accepted partnership can end.
PARTNERSHIP_TRANSITIONS = {
    PartnershipStatus.INVITED: [
        PartnershipStatus.ACCEPTED,
        PartnershipStatus.REVOKED,
        PartnershipStatus.EXPIRED,
    ],
    PartnershipStatus.ACCEPTED: [PartnershipStatus.ENDED],
    PartnershipStatus.REVOKED: [],
    PartnershipStatus.EXPIRED: [],
    PartnershipStatus.ENDED: [],
}


class ProviderPartnership(models.Model):
    """A provider's partnership invitation to a reseller and, once accepted, the partnership."""

    provider = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    reseller = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=PartnershipStatus.choices, default=PartnershipStatus.INVITED
    )
    invited_email = models.EmailField(help_text="Where the invitation link was sent.")
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="PV-3: the link expires (30 days).")
    accepted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reseller"],
                condition=Q(status__in=["invited", "accepted"]),
                name="one_open_partnership_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(provider=models.F("reseller")), name="partnership_not_with_self"
            ),
        ]
        triggers = [fsm_trigger(PARTNERSHIP_TRANSITIONS, name="partnership_status_fsm")]

    def __str__(self):
        return f"{self.provider} ⇄ {self.reseller} ({self.get_status_display()})"


class RelationshipExtension(models.Model):
    """A reseller relationship extension (MV-2..MV-5): the record of the customer's consent and
    of the bill-to sharing, and the provider relationship it created."""

    reseller = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    consent_given_by = models.CharField(max_length=200, help_text="Who at the customer consented.")
    consent_given_on = models.DateField()
    consent_method = models.CharField(max_length=500, help_text="How consent was obtained.")
    bill_to_sharing_confirmed = models.BooleanField(default=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bill_to_sharing_confirmed=True), name="extension_bill_to_confirmed"
            ),
            models.UniqueConstraint(
                fields=["customer", "provider"], name="one_extension_per_customer_provider"
            ),
        ]

    def __str__(self):
        return f"Extension of {self.customer} to {self.provider}"
