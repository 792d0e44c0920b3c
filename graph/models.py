"""What Graph has and the portal's GDAP model does not: the requests a partner made on a
relationship and the access assignments (security group → roles) of an approved relationship.

https://learn.microsoft.com/graph/api/resources/delegatedadminrelationshiprequest
https://learn.microsoft.com/graph/api/resources/delegatedadminaccessassignment
"""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.models import User
from relationships.models import EntraRole, GdapRelationship


class RequestAction(models.TextChoices):
    LOCK_FOR_APPROVAL = "lockForApproval", "Lock for approval"
    TERMINATE = "terminate", "Terminate"


class RelationshipRequest(models.Model):
    """A request a partner made on a relationship through Graph. Only requests that succeeded
    are stored: a refused one changes nothing (its refusal is in the audit log)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gdap = models.ForeignKey(GdapRelationship, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=RequestAction.choices)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} on GDAP {self.gdap_id}"


class AccessAssignment(models.Model):
    """A security group of the partner's tenant given some of an active relationship's roles."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gdap = models.ForeignKey(GdapRelationship, on_delete=models.PROTECT, related_name="+")
    security_group_id = models.UUIDField()
    roles = ArrayField(models.CharField(max_length=40, choices=EntraRole.choices))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gdap", "security_group_id"], name="graph_one_assignment_per_group"
            )
        ]

    def __str__(self):
        return f"Security group {self.security_group_id} in GDAP {self.gdap_id}"
