"""Customers and the partner-customer relationships that decide who sees what (AC-2)."""

from django.db import models
from django.db.models import Q

from .tenancy import Partner, Tenant, trigram_index


class Customer(models.Model):
    """A customer organisation with its own tenant; its bill-to details live here."""

    tenant = models.OneToOneField(Tenant, on_delete=models.PROTECT, related_name="customer")
    company_name = models.CharField(max_length=200)
    email = models.EmailField(help_text="The customer's contact email.")
    contact_name = models.CharField(max_length=200, blank=True)
    address_line = models.CharField("Address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company_name", "id"]
        indexes = [
            models.Index(fields=["company_name", "id"], name="customer_name_order"),
            # Contains- and prefix-search by name and email (see trigram_index).
            trigram_index("company_name", "customer_name_trgm"),
            trigram_index("email", "customer_email_trgm"),
        ]

    def __str__(self):
        return self.company_name

    @property
    def domain(self):
        return self.tenant.domain

    def bill_to(self):
        """The bill-to information a partner holds for this customer (MV-4 copies it)."""
        return {
            "companyName": self.company_name,
            "email": self.email,
            "contactName": self.contact_name,
            "addressLine1": self.address_line,
            "city": self.city,
            "postalCode": self.postal_code,
            "country": self.country,
            "phoneNumber": self.phone,
        }


class RelationshipKind(models.TextChoices):
    DIRECT = "direct", "Direct-bill reseller"
    INDIRECT_RESELLER = "indirect_reseller", "Indirect reseller"
    INDIRECT_PROVIDER = "indirect_provider", "Indirect provider"


class RelationshipOrigin(models.TextChoices):
    CREATED = "created", "Customer created by the partner"
    INVITATION = "invitation", "Invitation accepted by the customer"
    EXTENSION = "extension", "Reseller relationship extension"
    PROVIDER_CREATED = "provider_created", "Tenant created by the indirect provider"


class CustomerRelationshipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class CustomerRelationship(models.Model):
    """A reseller relationship between a partner and a customer (AC-2 isolation is based on it).

    For an indirect provider, `reseller` names the indirect reseller it serves the customer for;
    a provider serving one customer for several resellers has one relationship per reseller
    (IR-4), each seen only by its reseller.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="relationships")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="customer_relationships"
    )
    kind = models.CharField(max_length=24, choices=RelationshipKind.choices)
    origin = models.CharField(max_length=24, choices=RelationshipOrigin.choices)
    reseller = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    has_admin_privileges = models.BooleanField(
        default=False, help_text="False for a relationship extension: it gives no admin rights."
    )
    bill_to_copy = models.JSONField(default=dict, blank=True)
    established_at = models.DateTimeField()
    became_indirect_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a direct-bill relationship became indirect: the customer had no "
        "direct-bill subscription left, or the direct-bill enrollment closed.",
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerRelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["established_at", "id"]
        constraints = [
            # IR-4: a provider has one active relationship per reseller it serves the customer
            # for; any other partner one per customer (NULL resellers compare equal).
            models.UniqueConstraint(
                fields=["customer", "partner", "reseller"],
                condition=Q(ended_at__isnull=True),
                nulls_distinct=False,
                name="one_active_relationship_per_partner_reseller",
            ),
            models.CheckConstraint(
                condition=Q(kind="indirect_provider") | Q(reseller__isnull=True),
                name="only_provider_names_reseller",
            ),
            models.CheckConstraint(
                condition=Q(became_indirect_at__isnull=True) | Q(kind="indirect_reseller"),
                name="only_indirect_reseller_became_indirect",
            ),
        ]
        indexes = [
            # "Has the partner any live relationship of this kind?" is asked on every page (is
            # it an indirect reseller yet?): one probe, not a scan of all its relationships.
            models.Index(
                fields=["partner", "kind"],
                condition=Q(ended_at__isnull=True),
                name="live_relationship_partner_kind",
            ),
        ]

    def __str__(self):
        return f"{self.partner} → {self.customer} ({self.get_kind_display()})"
