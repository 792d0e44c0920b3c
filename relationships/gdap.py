"""CU-6: what admin permissions a partner holds in a customer tenant — only those of a GDAP
relationship the customer approved and that is still active. Other apps ask here (`customers`
through `customers.hooks.admin_rights`, registered in this app's `ready()`).

The relationships app's GDAP *policy reads*, kept as their own module rather than moved into
`relationships/selectors.py` because they are what the app answers to lower apps (the hook) and
the selectors import them. Keyword-only and typed like selectors (issue 16); the registered
`admin_rights` is called by `customers.hooks.admin_rights` with keywords."""

from django.db.models import Exists, OuterRef, QuerySet

from core import clock
from core.models import Customer, CustomerRelationship, Partner
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


def active_gdap(*, partner: Partner, customer: Customer) -> QuerySet[GdapRelationship]:
    """The approved GDAP relationships of `partner` with `customer` that are active now."""
    return GdapRelationship.objects.filter(
        partner=partner, customer=customer, status=GdapStatus.ACTIVE, ends_at__gt=clock.now()
    )


def has_admin_permissions(*, partner: Partner, customer: Customer) -> bool:
    """True only while an approved GDAP relationship of `partner` with `customer` is active."""
    return active_gdap(partner=partner, customer=customer).exists()


def admin_roles(*, partner: Partner, customer: Customer) -> list[str]:
    """The Entra role labels `partner` holds in `customer`'s tenant through active GDAP."""
    held = _held_roles(active_gdap(partner=partner, customer=customer))
    return [EntraRole(r).label for r in held]


def admin_rights(*, partner: Partner, customer: Customer, lock: bool = False) -> AdminRights:
    """CU-6: the tenant tasks `partner` may do in `customer`'s tenant and the roles behind them.
    With `lock`, the active relationships stay locked until commit, so a termination (GD-3)
    waits for the change it would have forbidden, or that change sees it ended."""
    relationships = active_gdap(partner=partner, customer=customer)
    if lock:
        relationships = relationships.select_for_update()
    held = _held_roles(relationships)
    return AdminRights(
        roles=tuple(EntraRole(r).label for r in held),
        allowed=frozenset(task for task, roles in TASK_ROLES.items() if set(roles) & set(held)),
        needed={task: tuple(r.label for r in roles) for task, roles in TASK_ROLES.items()},
    )


def _held_roles(relationships: QuerySet[GdapRelationship]) -> list[str]:
    held: list[str] = []
    for roles in relationships.values_list("roles", flat=True):
        held += [r for r in roles if r not in held]
    return held


def annotate_admin_permissions(
    *, relationships: QuerySet[CustomerRelationship], name: str = "admin_permissions"
) -> QuerySet[CustomerRelationship]:
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
