"""Tenants (directories) and the partners of the program, each with one tenant."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper


def trigram_index(column: str, name: str) -> GinIndex:
    """A pg_trgm GIN index on UPPER(column): it answers Django's `icontains`/`istartswith`
    (`UPPER(col::text) LIKE UPPER(pattern)`) without reading the whole table (migration
    0010 creates the pg_trgm extension)."""
    return GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=name)


class Tenant(models.Model):
    """A directory (like a Microsoft Entra tenant). Partners and customers each own one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Contains-search on the domain (the customer picker, the customers list): a trigram
        # index on the expression Django's icontains compares, UPPER(domain).
        indexes = [trigram_index("domain", "tenant_domain_trgm")]

    def __str__(self):
        return f"{self.name} ({self.domain})"


class Service(models.TextChoices):
    """Services an indirect provider offers its resellers (PV-1)."""

    TECHNICAL_TRAINING = "technical_training", "Technical training and assistance"
    MARKETING = "marketing", "Marketing help"
    FINANCING = "financing", "Financing and credit terms"


class Partner(models.Model):
    """An organisation in the partner program, with one tenant."""

    tenant = models.OneToOneField(Tenant, on_delete=models.PROTECT, related_name="partner")
    legal_name = models.CharField(max_length=200)
    partner_id = models.CharField(
        "PartnerID",
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^\d{6,7}$", "A PartnerID is 6 or 7 digits.")],
        help_text="The partner program ID (Microsoft ID / MPN ID), 6 or 7 digits.",
    )
    country = models.CharField(max_length=2, help_text="ISO 3166 country code, e.g. US.")
    city = models.CharField(max_length=100, blank=True)
    primary_contact_email = models.EmailField()
    profile_confirmed_on = models.DateField(null=True, blank=True)
    revenue_12m_usd = models.DecimalField(
        "CSP revenue, trailing 12 months (USD)", max_digits=14, decimal_places=2, default=0
    )
    is_sandbox = models.BooleanField(
        default=False, help_text="An integration sandbox account (no transfers)."
    )
    is_indirect_provider = models.BooleanField(
        default=False, help_text="Authorised indirect provider (distributor)."
    )
    services_offered = ArrayField(
        models.CharField(max_length=32, choices=Service.choices), default=list, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner_id"], condition=~Q(partner_id=""), name="partner_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(partner_id="") | Q(partner_id__regex=r"^\d{6,7}$"),
                name="partner_id_format",
            ),
            models.CheckConstraint(
                condition=Q(revenue_12m_usd__gte=0), name="revenue_not_negative"
            ),
        ]

    def __str__(self):
        return self.legal_name
