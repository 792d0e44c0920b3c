"""API credentials (AP-1, TX-2) and the idempotency records of POST requests."""

import hashlib
import secrets

from django.db import models
from django.db.models import Q

from core.models import Partner, User

TOKEN_PREFIX = "pp_"


def hash_token(raw: str) -> str:
    """Tokens are stored only as a SHA-256 hash; the raw value is shown once."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token of one partner user: it acts with that user's partner and roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. billing sync.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The first characters, to recognise it."
    )
    created_at = models.DateTimeField(help_text="Simulation clock time.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Simulation clock time; empty for tokens that never expire.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)


class IdempotencyRecord(models.Model):
    """The first response to a POST with a given MS-RequestId, replayed on a retry by the same
    user with the same method, path and body (its SHA-256)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, related_name="+")
    request_id = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64, default="", editable=False)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "request_id"], name="one_response_per_request_id"
            ),
            models.CheckConstraint(condition=~Q(request_id=""), name="request_id_not_empty"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} [{self.request_id}] → {self.status_code}"
