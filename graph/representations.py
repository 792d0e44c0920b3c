"""The portal's GDAP objects as Graph writes them.

https://learn.microsoft.com/graph/api/resources/delegatedadminrelationship
https://learn.microsoft.com/graph/api/resources/delegatedadminrelationshiprequest
https://learn.microsoft.com/graph/api/resources/delegatedadminaccessassignment
"""

import hashlib
import json

from relationships.models import GdapStatus

from .vocabulary import GRAPH_STATUS, role_definition_ids

AUTO_EXTEND = "P180D"
NO_AUTO_EXTEND = "PT0S"


def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def etag(item: dict) -> str:
    """A weak entity tag of a representation: it changes whenever a property does."""
    digest = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def relationship(gdap) -> dict:
    """A delegatedAdminRelationship with its `@odata.etag` (what `If-Match` of an update
    names). `endDateTime` is the planned end while active, and when it ended once terminated
    or expired."""
    changes = [
        t for t in (gdap.requested_at, gdap.modified_at, gdap.decided_at, gdap.closed_at) if t
    ]
    item = {
        "id": str(gdap.pk),
        "displayName": gdap.name,
        "duration": f"P{gdap.duration_days}D",
        "customer": {"tenantId": str(gdap.customer.tenant_id), "displayName": str(gdap.customer)},
        "accessDetails": {"unifiedRoles": role_definition_ids(gdap.roles)},
        "status": GRAPH_STATUS[GdapStatus(gdap.status)],
        "autoExtendDuration": AUTO_EXTEND if gdap.auto_extend else NO_AUTO_EXTEND,
        "createdDateTime": _time(gdap.requested_at),
        "lastModifiedDateTime": _time(max(changes)),
        "activatedDateTime": _time(gdap.starts_at),
        "endDateTime": _time(gdap.closed_at or gdap.ends_at),
    }
    return {"@odata.etag": etag(item), **item}


def relationship_request(request) -> dict:
    """A delegatedAdminRelationshipRequest; the portal acts at once, so a stored request has
    `succeeded` (a refused one is not stored)."""
    return {
        "id": str(request.pk),
        "action": request.action,
        "status": "succeeded",
        "createdDateTime": _time(request.created_at),
        "lastModifiedDateTime": _time(request.created_at),
    }


def access_assignment(assignment, *, gdap) -> dict:
    """A delegatedAdminAccessAssignment: `active` while its relationship is, `deleted` after."""
    return {
        "id": str(assignment.pk),
        "accessContainer": {
            "accessContainerId": str(assignment.security_group_id),
            "accessContainerType": "securityGroup",
        },
        "accessDetails": {"unifiedRoles": role_definition_ids(assignment.roles)},
        "status": "active" if gdap.status == GdapStatus.ACTIVE else "deleted",
        "createdDateTime": _time(assignment.created_at),
        "lastModifiedDateTime": _time(assignment.created_at),
    }
