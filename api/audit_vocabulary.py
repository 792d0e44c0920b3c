"""Our audit operations in Partner Center's words: each `AuditEvent.operation`
(`<entity>.<verb>`) as an AuditRecord's `resourceType` and `operationType`.

Auditing resources ("Possible values" of resourceType and operationType):
https://learn.microsoft.com/en-us/partner-center/developer/auditing-resources
Where Microsoft has a value for the same action it is used (`add_customer`, `create_order`,
`update_subscription`, `create_transfer`, `update_transfer`, `create_agreement`,
`extend_relationship`, ...). Actions Partner Center does not audit (program enrollments, the
simulation clock, GDAP steps of the partner's own workflow) keep a value in the same style:
`<verb>_<resource>` on the nearest documented resourceType. docs/api.md lists the table.
"""

from django.db.models import Q

# Our entity (the part before the first dot) → Microsoft's resourceType.
RESOURCE_TYPES = {
    "customer": "customer",
    "customer_invitation": "partner_customer_relationship",
    "customer_user": "customer_user",
    "license": "license",
    "order": "order",
    "order_request": "order",
    "subscription": "subscription",
    "migration": "subscription",
    "transfer": "transfer",
    "mca": "agreement",
    "gdap": "granular_admin_relationship",
    "relationship": "partner_customer_relationship",
    "partnership": "partner_relationship",
    "indirect_enrollment": "partner_relationship",
    "direct_bill": "mpn_association",
    "direct_bill_application": "mpn_association",
    "partner": "mpn_association",
    "api_token": "application_credential",
    "sandbox": "customer",
    "service_request": "customer",
    "support_request": "customer",
    # Graph GDAP requests and access assignments belong to the GDAP relationship; webhook
    # registrations are application settings.
    "relationship_request": "granular_admin_relationship",
    "access_assignment": "granular_admin_relationship",
    "webhook": "application",
    "partner_user": "partner_user",  # user management (users/)
}
DEFAULT_RESOURCE_TYPE = "policy"

# Our operation → Microsoft's operationType, where the verb alone does not give it.
OPERATION_TYPES = {
    "customer.create": "add_customer",
    "customer_user.create": "create_customer_user",
    "license.assign": "update_customer_user_licenses",
    "order.submit": "create_order",
    "order_request.create": "create_order",
    "order_request.fulfil": "update_order",
    "order_request.decline": "update_order",
    "subscription.purchase": "create_order",
    "subscription.update": "update_subscription",
    "subscription.change_quantity": "update_subscription",
    "subscription.schedule_quantity": "update_subscription",
    "subscription.auto_renew": "update_subscription",
    "subscription.suspend": "update_subscription",
    "subscription.reactivate": "update_subscription",
    "subscription.cancel": "update_subscription",
    "subscription.renew": "update_subscription",
    "subscription.expire": "update_subscription",
    "subscription.end_orphan": "update_subscription",
    "subscription.trial_convert": "convert_trial_subscription",
    "subscription.trial_end": "update_subscription",
    "subscription.trial_expire": "update_subscription",
    "subscription.migrate_new_commerce": "upgrade_subscription",
    "migration.create": "upgrade_subscription",
    "migration.run": "upgrade_subscription",
    "subscription.transfer": "update_transfer",
    "transfer.create": "create_transfer",
    "transfer.submit": "update_transfer",
    "transfer.complete": "update_transfer",
    "transfer.cancel": "update_transfer",
    "transfer.expire": "update_transfer",
    "mca.accept": "create_agreement",
    "mca.attest": "create_agreement",
    "relationship.create": "create_partner_relationship",
    "relationship.extend": "extend_relationship",
    "relationship.extend_bulk": "extend_relationship",
    "partnership.accept": "create_partner_relationship",
    "partnership.revoke": "remove_partner_relationship",
    "partnership.expire": "remove_partner_relationship",
    "customer_invitation.accept": "create_partner_relationship",
    "direct_bill.enroll": "create_mpn_association",
    "partner.profile.update": "update_mpn_association",
    "partner.profile.confirm": "update_mpn_association",
    "api_token.create": "add_application_credential",
    "api_token.revoke": "remove_application_credential",
    "sandbox.create": "add_customer",
    "sandbox.delete": "delete_customer",
}


def entity_of(operation: str) -> str:
    """`subscription` of `subscription.cancel`; `partner` of `partner.profile.update`."""
    return operation.split(".", 1)[0]


def resource_type(operation: str) -> str:
    """Microsoft's resourceType of one of our operations."""
    return RESOURCE_TYPES.get(entity_of(operation), DEFAULT_RESOURCE_TYPE)


def operation_type(operation: str) -> str:
    """Microsoft's operationType of one of our operations: the documented value where there is
    one, `<verb>_<resourceType>` otherwise."""
    if operation in OPERATION_TYPES:
        return OPERATION_TYPES[operation]
    verb = operation.rsplit(".", 1)[-1]
    return f"{verb}_{resource_type(operation)}"


def resource_type_q(microsoft_type: str) -> Q:
    """A query on `AuditEvent.operation` matching every event whose resourceType is
    `microsoft_type` (so the filter runs in SQL)."""
    entities = [e for e, t in RESOURCE_TYPES.items() if t == microsoft_type]
    query = Q(pk__in=[])
    for entity in entities:
        query |= Q(operation__startswith=f"{entity}.")
    if microsoft_type == DEFAULT_RESOURCE_TYPE:
        known = Q(pk__in=[])
        for entity in RESOURCE_TYPES:
            known |= Q(operation__startswith=f"{entity}.")
        query |= ~known
    return query


# Microsoft's ResourceType enumeration, the values a `ResourceType` filter may name:
# https://learn.microsoft.com/en-us/dotnet/api/microsoft.store.partnercenter.models.auditing.resourcetype
MICROSOFT_RESOURCE_TYPES = (
    "customer",
    "customer_user",
    "order",
    "subscription",
    "license",
    "third_party_add_on",
    "mpn_association",
    "transfer",
    "application",
    "application_credential",
    "partner_user",
    "partner_relationship",
    "partner_customer_dap",
    "customer_directory_role",
    "referral",
    "software_key",
    "software_download_link",
    "spending_limit",
    "invoice",
    "agreement",
    "partner_customer_relationship",
    "self_serve_policy",
    "granular_admin_relationship",
    "granular_admin_access_assignment",
    "credit",
    "software_page",
    "device",
    "policy",
)
