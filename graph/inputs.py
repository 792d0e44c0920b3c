"""Graph request bodies read into the services' arguments; anything malformed is a 400
`invalidRequest` saying what to change. Rule checks (durations, roles, auto-extend) stay in
the services so pages and Graph refuse the same way."""

import re
import uuid

from core.validators import has_control_characters

from .exceptions import GraphBadRequest
from .representations import AUTO_EXTEND
from .vocabulary import ROLE_BY_DEFINITION_ID

DURATION = re.compile(r"P(?:(\d{1,3})Y)?(?:(\d{1,4})W)?(?:(\d{1,5})D)?")
NO_EXTENSION = {"PT0S", "P0D"}


def _object(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise GraphBadRequest(f"{name} must be a JSON object.")
    return value


def _guid(value, name: str) -> uuid.UUID:
    if isinstance(value, str) and len(value) == 36:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise GraphBadRequest(f"{name} must be a GUID.")


def duration_days(value) -> int:
    """An ISO-8601 duration in days, years counting 365 (`P2Y` is 730 days); only Y, W and D."""
    match = DURATION.fullmatch(value) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        raise GraphBadRequest(
            "duration must be an ISO 8601 duration in days, weeks or years, such as P730D."
        )
    years, weeks, days = (int(g or 0) for g in match.groups())
    return years * 365 + weeks * 7 + days


def auto_extend(value) -> bool:
    if value is None or value in NO_EXTENSION:
        return False
    if value == AUTO_EXTEND:
        return True
    raise GraphBadRequest("autoExtendDuration must be PT0S, P0D or P180D.")


def unified_roles(access_details) -> list[str]:
    """The portal's role values for `accessDetails.unifiedRoles`; an id that is no role the
    portal knows is passed on as it is, for the service to refuse by name (GD-1)."""
    roles = _object(access_details, "accessDetails").get("unifiedRoles")
    if not isinstance(roles, list):
        raise GraphBadRequest("accessDetails.unifiedRoles must be a list of roleDefinitionId.")
    out = []
    for item in roles:
        definition = _object(item, "each unifiedRoles item").get("roleDefinitionId")
        guid = str(_guid(definition, "roleDefinitionId"))
        out.append(ROLE_BY_DEFINITION_ID.get(guid, guid))
    return out


def relationship_create(data) -> dict:
    """The body of "Create delegatedAdminRelationship" as `gdap_request`'s arguments, with the
    customer's tenant id."""
    data = _object(data, "The body")
    name = data.get("displayName")
    if not isinstance(name, str) or not name.strip() or len(name) > 50:
        raise GraphBadRequest("displayName is required, at most 50 characters.")
    if has_control_characters(name):
        raise GraphBadRequest("displayName must be a single line of text.")
    customer = _object(data.get("customer"), "customer")
    return {
        "tenant_id": _guid(customer.get("tenantId"), "customer.tenantId"),
        "name": name.strip(),
        "duration_days": duration_days(data.get("duration")),
        "roles": unified_roles(data.get("accessDetails")),
        "auto_extend": auto_extend(data.get("autoExtendDuration")),
    }


def access_assignment_create(data) -> dict:
    data = _object(data, "The body")
    container = _object(data.get("accessContainer"), "accessContainer")
    if container.get("accessContainerType") != "securityGroup":
        raise GraphBadRequest("accessContainer.accessContainerType must be securityGroup.")
    return {
        "security_group_id": _guid(container.get("accessContainerId"), "accessContainerId"),
        "roles": unified_roles(data.get("accessDetails")),
    }


# Graph's read-only properties of a delegatedAdminRelationship: an update naming one is refused
# rather than silently ignored.
READ_ONLY = (
    "id",
    "status",
    "customer",
    "createdDateTime",
    "lastModifiedDateTime",
    "activatedDateTime",
    "endDateTime",
)


def relationship_update(data) -> dict:
    """The body of "Update delegatedAdminRelationship" as `gdap_update`'s arguments (only the
    properties given; the service decides what the relationship's state allows).
    https://learn.microsoft.com/graph/api/delegatedadminrelationship-update"""
    data = _object(data, "The body")
    named = [key for key in READ_ONLY if key in data]
    if named:
        raise GraphBadRequest(
            f"{', '.join(named)} can't be updated: change displayName, duration, "
            "accessDetails or autoExtendDuration."
        )
    wanted = {}
    if "displayName" in data:
        name = data["displayName"]
        if not isinstance(name, str) or not name.strip() or len(name) > 50:
            raise GraphBadRequest("displayName is required, at most 50 characters.")
        if has_control_characters(name):
            raise GraphBadRequest("displayName must be a single line of text.")
        wanted["name"] = name.strip()
    if "duration" in data:
        wanted["duration_days"] = duration_days(data["duration"])
    if "accessDetails" in data:
        wanted["roles"] = unified_roles(data["accessDetails"])
    if "autoExtendDuration" in data:
        wanted["auto_extend"] = auto_extend(data["autoExtendDuration"])
    if not wanted:
        raise GraphBadRequest(
            "Nothing to update: give displayName, duration, accessDetails or autoExtendDuration."
        )
    return wanted
