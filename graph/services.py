"""The Graph GDAP API's own actions. Creating, approving and ending a relationship stay with
`relationships.services.gdap` (the same services as the pages); these record what Graph adds."""

import uuid

from django.db import transaction

from core import audit, clock
from core.models import Role, User
from core.roles import require_role
from relationships.models import EntraRole, GdapRelationship, GdapStatus
from relationships.services.gdap import gdap_lock_for_approval, gdap_terminate

from .exceptions import AccessAssignmentRefused, GraphRequestRefused
from .models import AccessAssignment, RelationshipRequest, RequestAction


def _lock_of_partner(actor: User, gdap: GdapRelationship) -> GdapRelationship:
    return GdapRelationship.objects.select_for_update().get(pk=gdap.pk, partner=actor.partner)


@audit.refusals("relationship_request.create")
def relationship_request_create(
    *, actor: User, gdap: GdapRelationship, action: str
) -> RelationshipRequest:
    """A partner's request on its relationship. `lockForApproval` sends a `created`
    relationship to the customer through `gdap_lock_for_approval` (GD-1); `terminate` ends an
    active relationship through `gdap_terminate` (GD-3); a refusal of either changes nothing.
    https://learn.microsoft.com/graph/api/delegatedadminrelationship-post-requests"""
    require_role(actor, Role.ADMIN_AGENT)
    with transaction.atomic():
        gdap = _lock_of_partner(actor, gdap)
        if action == RequestAction.LOCK_FOR_APPROVAL:
            gdap = gdap_lock_for_approval(actor=actor, gdap=gdap)
        elif action == RequestAction.TERMINATE:
            gdap = gdap_terminate(actor=actor, gdap=gdap)
        else:
            raise GraphRequestRefused(
                f"Unknown action {action!r}: use lockForApproval or terminate."
            )
        request = RelationshipRequest.objects.create(
            gdap=gdap, action=action, created_by=actor, created_at=clock.now()
        )
        audit.record(
            actor=actor,
            operation="relationship_request.create",
            partner=gdap.partner,
            customer=gdap.customer,
            obj=gdap,
            detail=f"Graph request {action}.",
        )
    return request


@audit.refusals("access_assignment.create")
def access_assignment_create(
    *, actor: User, gdap: GdapRelationship, security_group_id: uuid.UUID, roles: list[str]
) -> AccessAssignment:
    """A security group of the partner gets some of the roles the customer approved (CU-6), in
    an active relationship.
    https://learn.microsoft.com/graph/api/delegatedadminrelationship-post-accessassignments"""
    require_role(actor, Role.ADMIN_AGENT)
    with transaction.atomic():
        gdap = _lock_of_partner(actor, gdap)
        if gdap.status != GdapStatus.ACTIVE:
            raise AccessAssignmentRefused(
                f"This relationship is {gdap.get_status_display().lower()}: security groups can "
                "be given roles only once the customer has approved it and while it is active."
            )
        roles = list(dict.fromkeys(roles or []))
        if not roles:
            raise AccessAssignmentRefused("Choose at least one of the relationship's roles.")
        beyond = [r for r in roles if r not in gdap.roles]
        if beyond:
            names = ", ".join(EntraRole(r).label if r in EntraRole.values else r for r in beyond)
            raise AccessAssignmentRefused(
                f"The customer did not approve {names} in this relationship: assign only roles "
                "it holds, or request a new relationship with them."
            )
        if AccessAssignment.objects.filter(gdap=gdap, security_group_id=security_group_id).exists():
            raise AccessAssignmentRefused(
                "This security group already has an access assignment in this relationship."
            )
        assignment = AccessAssignment.objects.create(
            gdap=gdap,
            security_group_id=security_group_id,
            roles=roles,
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            operation="access_assignment.create",
            partner=gdap.partner,
            customer=gdap.customer,
            obj=gdap,
            detail=f"Security group {security_group_id}: "
            + ", ".join(EntraRole(r).label for r in roles),
        )
    return assignment
