"""Partnerships between indirect providers and resellers, the reseller relationship
extension, customer invitations (CU-2, MV-7, MV-8) and GDAP relationships (GD-1, GD-2)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from core.fsm_tables import fsm_trigger, initial_state_trigger, status_check
from core.models import Customer, CustomerRelationship, Partner, User


class PartnershipStatus(models.TextChoices):
    INVITED = "invited", "Invitation sent"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    ENDED = "ended", "Ended"


# PV-2/PV-3: the provider invites; the reseller's Global admin accepts; an invitation can be
# revoked by the provider or expire; an accepted partnership can end.
PARTNERSHIP_TRANSITIONS: dict[str, list[str]] = {
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
    expires_at = models.DateTimeField(help_text="When the link expires (30 days).")
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
            status_check(PARTNERSHIP_TRANSITIONS, name="partnership_status_valid"),
        ]
        triggers = [
            fsm_trigger(PARTNERSHIP_TRANSITIONS, name="partnership_status_fsm"),
            # PV-2: a partnership starts as the provider's invitation; the reseller accepts it.
            initial_state_trigger(
                PARTNERSHIP_TRANSITIONS,
                [PartnershipStatus.INVITED],
                name="partnership_status_initial",
            ),
        ]

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

    # Not stored: set by relationship_extend_many on the extensions it returns (MCA-3 for the
    # provider, and the provider's relationship the extension created).
    mca_valid_for_provider: bool
    relationship: CustomerRelationship

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bill_to_sharing_confirmed=True), name="extension_bill_to_confirmed"
            ),
            # IR-4: the provider may serve the customer for several resellers, one each.
            models.UniqueConstraint(
                fields=["customer", "provider", "reseller"],
                name="one_extension_per_customer_provider_reseller",
            ),
        ]

    def __str__(self):
        return f"Extension of {self.customer} to {self.provider}"


class InvitationKind(models.TextChoices):
    INDIRECT = "indirect", "Indirect reseller invitation"
    DIRECT = "direct", "Direct reseller relationship"


class InvitationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


OPEN_INVITATION_STATUSES = [InvitationStatus.DRAFT, InvitationStatus.PENDING]

# CU-2/MV-7/PV-3: a draft (link already usable) becomes pending when the partner presses Done;
# the customer's admin accepts or declines it once; it expires or can be cancelled.
INVITATION_TRANSITIONS: dict[str, list[str]] = {
    InvitationStatus.DRAFT: [
        InvitationStatus.PENDING,
        InvitationStatus.ACCEPTED,
        InvitationStatus.DECLINED,
        InvitationStatus.EXPIRED,
        InvitationStatus.CANCELLED,
    ],
    InvitationStatus.PENDING: [
        InvitationStatus.ACCEPTED,
        InvitationStatus.DECLINED,
        InvitationStatus.EXPIRED,
        InvitationStatus.CANCELLED,
    ],
    InvitationStatus.ACCEPTED: [],
    InvitationStatus.DECLINED: [],
    InvitationStatus.EXPIRED: [],
    InvitationStatus.CANCELLED: [],
}


class CustomerInvitation(models.Model):
    """A partner's reseller relationship request to a customer: an indirect reseller invitation
    naming a provider (CU-2, MV-8) or a direct reseller relationship (MV-7)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=InvitationKind.choices)
    provider = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set for an existing customer (only its admins may accept); empty for a new "
        "customer (any customer admin who opens the link may accept).",
    )
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.DRAFT
    )
    message = models.TextField(help_text="The email text; must contain the invitation link.")
    sent_to = ArrayField(models.EmailField(), default=list, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="When the link expires.")
    done_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    accepted_customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="indirect") & Q(provider__isnull=False))
                | (Q(kind="direct") & Q(provider__isnull=True)),
                name="indirect_invitation_names_provider",
            ),
            status_check(INVITATION_TRANSITIONS, name="customer_invitation_status_valid"),
        ]
        triggers = [
            fsm_trigger(INVITATION_TRANSITIONS, name="customer_invitation_status_fsm"),
            # CU-2/MV-7: an invitation starts as the partner's draft.
            initial_state_trigger(
                INVITATION_TRANSITIONS,
                [InvitationStatus.DRAFT],
                name="customer_invitation_status_initial",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.partner} ({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status in OPEN_INVITATION_STATUSES


class EntraRole(models.TextChoices):
    """The Microsoft Entra built-in roles a partner can ask for in a GDAP request (GD-1)."""

    DIRECTORY_READERS = "directory_readers", "Directory Readers"
    GLOBAL_READER = "global_reader", "Global Reader"
    USER_ADMINISTRATOR = "user_administrator", "User Administrator"
    LICENSE_ADMINISTRATOR = "license_administrator", "License Administrator"
    HELPDESK_ADMINISTRATOR = "helpdesk_administrator", "Helpdesk Administrator"
    SERVICE_SUPPORT_ADMINISTRATOR = "service_support_administrator", "Service Support Administrator"
    EXCHANGE_ADMINISTRATOR = "exchange_administrator", "Exchange Administrator"
    SHAREPOINT_ADMINISTRATOR = "sharepoint_administrator", "SharePoint Administrator"
    TEAMS_ADMINISTRATOR = "teams_administrator", "Teams Administrator"
    SECURITY_READER = "security_reader", "Security Reader"
    BILLING_ADMINISTRATOR = "billing_administrator", "Billing Administrator"
    GLOBAL_ADMINISTRATOR = "global_administrator", "Global Administrator"


class GdapStatus(models.TextChoices):
    # Created through Graph and not yet sent to the customer (Graph's `created`: the partner
    # may still change it, then `lockForApproval` sends it):
    # https://learn.microsoft.com/graph/api/resources/delegatedadminrelationship
    CREATED = "created", "Created (not sent)"
    PENDING = "pending", "Approval pending"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


# GD-1/GD-2/GD-3: the customer's admin approves or rejects a request; an unanswered request and
# an active relationship both expire; either side can terminate an active relationship.
GDAP_TRANSITIONS: dict[str, list[str]] = {
    GdapStatus.CREATED: [GdapStatus.PENDING],
    GdapStatus.PENDING: [GdapStatus.ACTIVE, GdapStatus.REJECTED, GdapStatus.EXPIRED],
    GdapStatus.ACTIVE: [GdapStatus.EXPIRED, GdapStatus.TERMINATED],
    GdapStatus.REJECTED: [],
    GdapStatus.EXPIRED: [],
    GdapStatus.TERMINATED: [],
}


class GdapRelationship(models.Model):
    """A granular delegated admin privileges request and, once approved, the relationship."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=50)
    roles = ArrayField(models.CharField(max_length=40, choices=EntraRole.choices))
    duration_days = models.PositiveIntegerField()
    auto_extend = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=GdapStatus.choices, default=GdapStatus.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    request_expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    notices_sent = ArrayField(
        models.PositiveSmallIntegerField(),
        default=list,
        blank=True,
        help_text="The notice thresholds (days before the end) already sent.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    modified_at = models.DateTimeField(
        null=True, blank=True, help_text="Last change by the partner while created (Graph)."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "customer", "status"]),
            models.Index(fields=["status", "ends_at"]),
        ]
        constraints = [
            # GD-1: a duration of 1 day to 2 years (PROGRAM_RULES).
            models.CheckConstraint(
                condition=Q(
                    duration_days__gte=settings.PROGRAM_RULES["GDAP_MIN_DAYS"],
                    duration_days__lte=settings.PROGRAM_RULES["GDAP_MAX_DAYS"],
                ),
                name="gdap_duration_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(roles__contains=["global_administrator"]) | Q(auto_extend=False),
                name="gdap_no_auto_extend_with_global_admin",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(ends_at__isnull=False),
                name="gdap_active_has_end",
            ),
            status_check(GDAP_TRANSITIONS, name="gdap_status_valid"),
        ]
        triggers = [
            fsm_trigger(GDAP_TRANSITIONS, name="gdap_status_fsm"),
            # GD-1: a relationship starts as a request the customer's admin approves or rejects,
            # or (through Graph) created, to be locked for approval later.
            initial_state_trigger(
                GDAP_TRANSITIONS,
                [GdapStatus.CREATED, GdapStatus.PENDING],
                name="gdap_status_initial",
            ),
        ]

    def __str__(self):
        return f"GDAP {self.name} ({self.get_status_display()})"

    def role_labels(self):
        return [EntraRole(r).label for r in self.roles]

    @property
    def includes_global_admin(self):
        return EntraRole.GLOBAL_ADMINISTRATOR in self.roles
