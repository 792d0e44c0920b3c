"""People: partner users with roles (AC-1), customer users (CU-7) and support staff."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from ..role_names import Role, effective_roles
from .customers import Customer
from .tenancy import Partner


class CustomerRole(models.TextChoices):
    """A customer user's role in its own tenant (CU-7): only a Global Administrator decides for
    the customer; a plain user sees requests but cannot answer them."""

    GLOBAL_ADMINISTRATOR = "global_administrator", "Global Administrator"
    USER = "user", "User"


class UserManager(BaseUserManager["User"]):
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
    def persona(self) -> str:
        if self.partner_id and self.partner is not None:
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
