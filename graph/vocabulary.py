"""The two tables between the portal's words and Graph's: Entra role definition ids and
relationship status words."""

from relationships.models import EntraRole, GdapStatus

# The built-in roles' template ids (a roleDefinitionId in Graph's accessDetails.unifiedRoles):
# https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
ROLE_DEFINITION_IDS = {
    EntraRole.DIRECTORY_READERS: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    EntraRole.GLOBAL_READER: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    EntraRole.USER_ADMINISTRATOR: "fe930be7-5e62-47db-91af-98c3a49a38b1",
    EntraRole.LICENSE_ADMINISTRATOR: "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    EntraRole.HELPDESK_ADMINISTRATOR: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    EntraRole.SERVICE_SUPPORT_ADMINISTRATOR: "f023fd81-a637-4b56-95fd-791ac0226033",
    EntraRole.EXCHANGE_ADMINISTRATOR: "29232cdf-9323-42fd-ade2-1d097af3e4de",
    EntraRole.SHAREPOINT_ADMINISTRATOR: "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    EntraRole.TEAMS_ADMINISTRATOR: "69091246-20e8-4a56-aa4d-066075b2a7a8",
    EntraRole.SECURITY_READER: "5d6b6bb7-de71-4623-b4af-96380a352509",
    EntraRole.BILLING_ADMINISTRATOR: "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    EntraRole.GLOBAL_ADMINISTRATOR: "62e90394-69f5-4237-9190-012177145e10",
}
ROLE_BY_DEFINITION_ID = {guid: role for role, guid in ROLE_DEFINITION_IDS.items()}

# delegatedAdminRelationshipStatus
# (https://learn.microsoft.com/graph/api/resources/delegatedadminrelationship). A relationship
# created through Graph is `created` until the partner locks it for approval (the portal's
# pages send the request at once, so theirs start `approvalPending`); the customer may reject
# it in the portal, which Graph has no word for: a rejected request reads as `terminated`, as a
# request that ended without becoming active.
GRAPH_STATUS = {
    GdapStatus.CREATED: "created",
    GdapStatus.PENDING: "approvalPending",
    GdapStatus.ACTIVE: "active",
    GdapStatus.REJECTED: "terminated",
    GdapStatus.EXPIRED: "expired",
    GdapStatus.TERMINATED: "terminated",
}
# The Graph status words a `$filter` may name, and the portal statuses each one covers.
STATUSES_OF_GRAPH_WORD = {
    word: [status for status, graph in GRAPH_STATUS.items() if graph == word]
    for word in ("created", "approvalPending", "approved", "activating", "active", "expiring")
    + ("expired", "terminationRequested", "terminating", "terminated")
}


def role_definition_ids(roles) -> list[dict]:
    return [{"roleDefinitionId": ROLE_DEFINITION_IDS[EntraRole(r)]} for r in roles]
