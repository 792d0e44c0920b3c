"""An indirect customer's tenant (CU-4, CU-6): its users and their licences, managed by a
partner holding the right GDAP roles, and the partner's service requests for the customer."""

from django.db import transaction

from core import audit, clock
from core.exceptions import InvalidInput
from core.fsm import apply_transition
from core.models import Customer, CustomerRelationship, RelationshipKind, User
from core.roles import require_role

from .. import hooks
from ..exceptions import LicenseUnavailable, NoAdminPermissions, NotIndirectCustomer
from ..models import (
    SERVICE_REQUEST_TRANSITIONS,
    CustomerUser,
    ServiceRequest,
    ServiceRequestSeverity,
    ServiceRequestStatus,
)
from ..selectors import license_pool, relationship_of
from .common import MANAGE_ROLES, acting_partner


def _require_tenant_manager(actor: User, customer: Customer, task: str) -> CustomerRelationship:
    """Managing the customer's users and licences: a partner related to the customer (CU-4; an
    extension gives no admin privileges, MV-5) holding, through an active GDAP relationship, a
    role that allows `task` (CU-6). Call it inside the transaction: the GDAP rows stay locked
    until commit, so ending GDAP (GD-3) removes the rights at once."""
    require_role(actor, *MANAGE_ROLES)
    partner = acting_partner(actor)
    rel = (
        CustomerRelationship.objects.active()
        .filter(partner=partner, customer=customer)
        .order_by("-has_admin_privileges", "established_at")  # IR-4: any with privileges
        .first()
    )
    if (
        rel is None
        or rel.kind == RelationshipKind.INDIRECT_PROVIDER
        and not rel.has_admin_privileges
    ):
        raise NotIndirectCustomer("You can't manage this customer's users.")
    rights = hooks.admin_rights(partner, customer, lock=True)
    if not rights.allows(task):
        raise NoAdminPermissions(rights.refusal(task, customer))
    return rel


@audit.refusals("customer_user.create")
def customer_user_create(
    *, actor: User, customer: Customer, display_name: str, email: str
) -> CustomerUser:
    """Add a user to the customer's tenant (CU-4; CU-6: needs User Administrator through GDAP)."""
    email = (email or "").strip().lower()
    with transaction.atomic():
        _require_tenant_manager(actor, customer, hooks.MANAGE_USERS)
        if not display_name or not email:
            raise InvalidInput("Enter the user's name and email.")
        if not email.endswith("@" + customer.tenant.domain):
            raise InvalidInput(
                f"The user's email must be in the customer's domain ({customer.domain})."
            )
        if CustomerUser.objects.filter(customer=customer, email=email).exists():
            raise InvalidInput("A user with that email already exists.")
        user = CustomerUser.objects.create(
            customer=customer, display_name=display_name, email=email, created_at=clock.now()
        )
        audit.record(
            actor=actor,
            operation="customer_user.create",
            customer=customer,
            obj=user,
            new_state="created",
            detail=email,
        )
    return user


@audit.refusals("license.assign")
def license_assign(
    *, actor: User, customer_user: CustomerUser, offer_id: str, assign: bool = True
) -> CustomerUser:
    """Assign or remove a licence (CU-4; CU-6: needs License or User Administrator via GDAP)."""
    customer = customer_user.customer
    with transaction.atomic():
        _require_tenant_manager(actor, customer, hooks.ASSIGN_LICENSES)
        # Lock the customer's users so two assignments can't overrun the seat count.
        users = list(CustomerUser.objects.select_for_update().filter(customer=customer))
        user = next((u for u in users if u.pk == customer_user.pk), None)
        if user is None:
            raise InvalidInput("No such user.")
        if assign:
            if offer_id in user.licenses:
                return user
            pool = license_pool(customer=customer).get(offer_id)
            if pool is None or pool["assigned"] >= pool["total"]:
                raise LicenseUnavailable()
            user.licenses = [*user.licenses, offer_id]
        else:
            if offer_id not in user.licenses:
                return user
            user.licenses = [x for x in user.licenses if x != offer_id]
        user.save(update_fields=["licenses"])
        audit.record(
            actor=actor,
            operation="license.assign" if assign else "license.unassign",
            customer=customer,
            obj=user,
            new_state=offer_id,
            detail=user.email,
        )
    return user


@audit.refusals("service_request.create")
def service_request_create(
    *, actor: User, customer: Customer, title: str, description: str, severity: str = "normal"
) -> ServiceRequest:
    """The partner opens a service request for its customer (CU-4)."""
    require_role(actor, *MANAGE_ROLES)
    partner = acting_partner(actor)
    if relationship_of(partner=partner, customer=customer) is None:
        raise NotIndirectCustomer("You have no relationship with this customer.")
    if not title or not description:
        raise InvalidInput("Enter a title and a description.")
    if severity not in ServiceRequestSeverity.values:
        raise InvalidInput("Choose a severity.")
    with transaction.atomic():
        req = ServiceRequest.objects.create(
            customer=customer,
            partner=partner,
            title=title[:200],
            description=description,
            severity=severity,
            created_by=actor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            operation="service_request.create",
            customer=customer,
            obj=req,
            new_state=req.status,
            detail=req.title,
        )
    return req


@audit.refusals("service_request.close")
def service_request_close(*, actor: User, service_request: ServiceRequest) -> ServiceRequest:
    """The partner closes its own service request."""
    require_role(actor, *MANAGE_ROLES)
    with transaction.atomic():
        req = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
        if req.partner_id != actor.partner_id:
            raise NotIndirectCustomer("This service request is not yours.")
        apply_transition(
            req,
            SERVICE_REQUEST_TRANSITIONS,
            ServiceRequestStatus.CLOSED,
            actor=actor,
            operation="service_request.close",
            customer=req.customer,
            detail=req.title,
            closed_at=clock.now(),
        )
    return req
