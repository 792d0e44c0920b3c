"""CU-6: what admin permissions a partner holds in a customer tenant — only those of a GDAP
relationship the customer approved and that is still active. Other apps ask here (`customers`
through `customers.hooks.admin_rights`, registered in this app's `ready()`)."""

from django.db.models import Exists, OuterRef

from core import clock
from customers.hooks import ASSIGN_LICENSES, MANAGE_USERS, AdminRights

from .models import EntraRole, GdapRelationship, GdapStatus

# The Entra roles that allow each tenant task, least privileged first. Users: User Administrator
# ("Create, read, update, and delete users"); licences: License Administrator or User
# Administrator; Global Administrator can do both. Sources:
# https://learn.microsoft.com/partner-center/gdap-least-privileged-roles-by-task and
# https://learn.microsoft.com/entra/identity/role-based-access-control/delegate-by-task
# (the Graph assignLicense call accepts License Administrator and User Administrator:
# https://learn.microsoft.com/graph/api/user-assignlicense).
TASK_ROLES = {
    MANAGE_USERS: (EntraRole.USER_ADMINISTRATOR, EntraRole.GLOBAL_ADMINISTRATOR),
    ASSIGN_LICENSES: (
        EntraRole.LICENSE_ADMINISTRATOR,
        EntraRole.USER_ADMINISTRATOR,
        EntraRole.GLOBAL_ADMINISTRATOR,
    ),
}


def active_gdap(partner, customer):
    return GdapRelationship.objects.filter(
        partner=partner, customer=customer, status=GdapStatus.ACTIVE, ends_at__gt=clock.now()
    )


def has_admin_permissions(partner, customer) -> bool:
    """True only while an approved GDAP relationship of `partner` with `customer` is active."""
    return active_gdap(partner, customer).exists()


def admin_roles(partner, customer) -> list[str]:
    """The Entra role labels `partner` holds in `customer`'s tenant through active GDAP."""
    return [EntraRole(r).label for r in _held_roles(active_gdap(partner, customer))]


def admin_rights(partner, customer, *, lock: bool = False) -> AdminRights:
    """CU-6: the tenant tasks `partner` may do in `customer`'s tenant and the roles behind them.
    With `lock`, the active relationships stay locked until commit, so a termination (GD-3)
    waits for the change it would have forbidden, or that change sees it ended."""
    relationships = active_gdap(partner, customer)
    if lock:
        relationships = relationships.select_for_update()
    held = _held_roles(relationships)
    return AdminRights(
        roles=tuple(EntraRole(r).label for r in held),
        allowed=frozenset(task for task, roles in TASK_ROLES.items() if set(roles) & set(held)),
        needed={task: tuple(r.label for r in roles) for task, roles in TASK_ROLES.items()},
    )


def _held_roles(relationships) -> list[str]:
    held = []
    for roles in relationships.values_list("roles", flat=True):
        held += [r for r in roles if r not in held]
    return held


def annotate_admin_permissions(relationships, name="admin_permissions"):
    """Annotate a CustomerRelationship queryset with CU-6 admin permissions (one query)."""
    return relationships.annotate(
        **{
            name: Exists(
                GdapRelationship.objects.filter(
                    partner=OuterRef("partner"),
                    customer=OuterRef("customer"),
                    status=GdapStatus.ACTIVE,
                    ends_at__gt=clock.now(),
                )
            )
        }
    )
