"""The core shared by every app: tenants, partners, users and roles, customers and the
partner-customer relationships that decide who sees what, the simulation clock, audit events
and notifications."""

import uuid
from datetime import timedelta

import pgtrigger
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
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

    def __str__(self):
        return f"{self.partner} → {self.customer} ({self.get_kind_display()})"


class Role(models.TextChoices):
    """Partner user roles (AC-1)."""

    GLOBAL_ADMIN = "global_admin", "Global admin"
    ADMIN_AGENT = "admin_agent", "Admin agent"
    SALES_AGENT = "sales_agent", "Sales agent"
    BILLING_ADMIN = "billing_admin", "Billing admin"


# AC-1: the one place where a role brings another's permissions. Partner Center's Global admin
# has every permission of the partner's CSP roles, an Admin agent's included ("Roles,
# permissions, and workspace access for users":
# https://learn.microsoft.com/en-us/partner-center/account-settings/permissions-overview).
IMPLIED_ROLES = {Role.GLOBAL_ADMIN: (Role.ADMIN_AGENT,)}


def effective_roles(held) -> frozenset:
    """The roles whose permissions a holder of `held` has: `held` and what they imply."""
    return frozenset(held).union(*(IMPLIED_ROLES.get(role, ()) for role in held))


def roles_granting(roles) -> tuple:
    """Every role whose holder may do what any of `roles` may do, in Role order."""
    return tuple(r for r in Role.values if effective_roles([r]) & set(roles))


class CustomerRole(models.TextChoices):
    """A customer user's role in its own tenant (CU-7): only a Global Administrator decides for
    the customer; a plain user sees requests but cannot answer them."""

    GLOBAL_ADMINISTRATOR = "global_administrator", "Global Administrator"
    USER = "user", "User"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a partner user (with roles), a customer admin, or support staff."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="admins"
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), default=list, blank=True
    )
    customer_role = models.CharField(
        max_length=20,
        choices=CustomerRole.choices,
        blank=True,
        default="",
        help_text="The role of a customer user in its tenant (empty for everyone else).",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=True) | Q(customer__isnull=True),
                name="user_is_partner_or_customer_admin",
            ),
            models.CheckConstraint(
                condition=Q(partner__isnull=False) | Q(roles=[]),
                name="roles_only_for_partner_users",
            ),
            models.CheckConstraint(
                condition=Q(customer__isnull=True, customer_role="")
                | Q(customer__isnull=False, customer_role__in=CustomerRole.values),
                name="customer_role_only_for_customer_users",
            ),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_role(self, *roles):
        """True when the user belongs to a partner and has the permissions of any of `roles`
        (held, or implied by a held role: IMPLIED_ROLES)."""
        return self.partner_id is not None and bool(self.effective_roles & set(roles))

    @property
    def effective_roles(self) -> frozenset:
        """The roles whose permissions this user has (AC-1); empty for a non-partner user."""
        return effective_roles(self.roles) if self.partner_id is not None else frozenset()

    @property
    def persona(self):
        if self.partner_id:
            return "provider" if self.partner.is_indirect_provider else "partner"
        if self.customer_id:
            return "customer"
        if self.is_staff:
            return "staff"
        return "none"

    def role_labels(self):
        return [Role(r).label for r in self.roles]

    @property
    def is_customer_global_admin(self) -> bool:
        """CU-7: a customer user holding Global Administrator in its tenant."""
        return self.customer_id is not None and (
            self.customer_role == CustomerRole.GLOBAL_ADMINISTRATOR
        )


class SimulationClock(models.Model):
    """The single row holding the offset of business time from real time (AC-3)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    offset = models.DurationField(default=timedelta(0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="single_clock_row")]

    def __str__(self):
        return f"Simulation clock (offset {self.offset})"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    REFUSED = "refused", "Refused"


class AuditEvent(models.Model):
    """One state change or refused attempt (AC-4). Append-only, enforced by a trigger."""

    occurred_at = models.DateTimeField(db_index=True, help_text="Simulation clock time.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, help_text="The user's email, or 'system'.")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    operation = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    old_state = models.CharField(max_length=64, blank=True)
    new_state = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["partner", "-occurred_at"])]
        triggers = [
            pgtrigger.Protect(
                name="audit_events_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.operation} {self.outcome}"

    @property
    def change(self):
        if self.old_state or self.new_state:
            return f"{self.old_state or '—'} → {self.new_state or '—'}"
        return ""


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


class Notification(models.Model):
    """An in-portal notification for one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(help_text="Simulation clock time.")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.subject


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboundEmail(models.Model):
    """Every email the portal sends: queued in the same transaction as the change that caused
    it, delivered by a worker (or by the sweep when the broker lost the message)."""

    to = ArrayField(models.EmailField())
    subject = models.CharField(max_length=200)
    body = models.TextField()
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(help_text="Simulation clock time.")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["queued_at"], condition=Q(status="queued"), name="email_queued")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EmailStatus.values), name="email_status_valid"
            )
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class BulkJob(models.Model):
    """A bulk action over many items (customers, transfer requests) run by a worker, with
    progress for the page's progress bar and a result per item. Items already done are skipped
    on rerun, so running a job again is safe."""

    kind = models.CharField(max_length=40)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="bulk_jobs")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="bulk_job_status_valid"
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.processed}/{self.total})"

    @property
    def percent(self):
        return 100 if not self.total else round(100 * self.processed / self.total)

    @property
    def results(self) -> dict:
        """item → {'ok', 'message'[, 'code']} for every item done (reads them all: for tests
        and small jobs; pages read `items` a page at a time)."""
        return {i.item: i.result for i in self.items.exclude(ok=None).order_by("seq")}


class BulkJobItem(models.Model):
    """One item of a bulk job, in the order given, with its result once processed (`ok` is
    null until then). A row per item keeps a job's cost per item flat: a worker reads and
    writes one chunk at a time, never the whole set."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField()
    item = models.CharField(max_length=64)
    ok = models.BooleanField(null=True)
    message = models.TextField(blank=True)
    code = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["job", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["job", "seq"], name="bulk_job_item_seq_unique"),
        ]
        indexes = [
            # The runner's next chunk: the job's items still to do, in order.
            models.Index(
                fields=["job", "seq"], condition=Q(ok__isnull=True), name="bulk_job_item_todo"
            ),
        ]

    def __str__(self):
        return f"{self.job_id}:{self.item}"

    @property
    def result(self) -> dict:
        if self.ok is None:
            return {}
        if self.ok:
            return {"ok": True, "message": self.message}
        return {"ok": False, "message": self.message, "code": self.code}
