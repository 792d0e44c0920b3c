"""Role checks usable by every view, service and API call (AC-1), and the isolation helpers
that turn another partner's object into a 404 (AC-2)."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .exceptions import CustomerGlobalAdminRequired, RoleRequired
from .models import Customer, CustomerRelationship, Role, User
from .validators import parse_id

ALL_ROLES = tuple(Role.values)


def require_role(user, *roles: str) -> None:
    """Raise RoleRequired unless `user` is a partner user holding one of `roles`."""
    if user is None or not user.is_authenticated or not user.has_role(*roles):
        raise RoleRequired(roles)


def require_customer_global_admin(user, decision: str) -> None:
    """CU-7: raise unless `user` is a customer user holding Global Administrator in its tenant.
    `decision` completes "Only a Global Administrator of <customer> can …"."""
    if user is None or not user.is_authenticated or not user.is_customer_global_admin:
        raise CustomerGlobalAdminRequired(customer_decision_refusal(user, decision))


def customer_decision_refusal(user, decision: str) -> str:
    """The CU-7 sentence shown to a customer user who may not `decision` ('' when allowed)."""
    if getattr(user, "is_customer_global_admin", False):
        return ""
    organisation = getattr(user, "customer", None) or "the customer"
    return (
        f"Only a Global Administrator of {organisation} can {decision}. You can see what is "
        "asked, but one of your Global Administrators must decide."
    )


def partner_required(*roles: str):
    """View decorator: a signed-in partner user with one of `roles` (any role when empty).

    Sets `request.partner`. A user of another kind (customer admin, staff) gets 403.
    """
    allowed = roles or ALL_ROLES

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.partner_id:
                raise PermissionDenied("This page is for partner users.")
            if not user.has_role(*allowed):
                raise PermissionDenied(RoleRequired(allowed))  # the 403 page says how to get it
            request.partner = user.partner
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def provider_required(*roles: str):
    """View decorator: a partner user of an indirect provider."""

    def decorator(view):
        @partner_required(*roles)
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.partner.is_indirect_provider:
                raise PermissionDenied("This page is for indirect providers.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def customer_admin_required(view):
    """View decorator: a signed-in customer admin; sets `request.customer`."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.customer_id:
            raise PermissionDenied("This page is for customer administrators.")
        request.customer = request.user.customer
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("This page is for support staff.")
        return view(request, *args, **kwargs)

    return wrapper


def role_help(user) -> dict:
    """How `user` gets a role it lacks (the 403 page): a Global admin gives roles itself on
    User management; another partner user is told who its Global admins are."""
    if user is None or not user.is_authenticated or not user.partner_id:
        return {}
    if user.has_role(Role.GLOBAL_ADMIN):
        return {"can_manage_users": True}
    admins = User.objects.filter(
        partner_id=user.partner_id, is_active=True, roles__contains=[Role.GLOBAL_ADMIN]
    ).order_by("full_name", "email")
    return {"partner_user": True, "global_admins": list(admins[:5])}


def customers_of(partner):
    """The customers `partner` has an active relationship with (AC-2)."""
    return Customer.objects.filter(
        relationships__partner=partner, relationships__ended_at__isnull=True
    ).distinct()


def customer_for(partner, customer_id) -> Customer:
    """The customer, if `partner` has an active relationship with it; else 404 (AC-2)."""
    customer_id = parse_id(customer_id)
    if customer_id is None:
        raise Http404("No such customer.")
    if (
        not CustomerRelationship.objects.active()
        .filter(partner=partner, customer_id=customer_id)
        .exists()
    ):
        raise Http404("No such customer.")
    return get_object_or_404(Customer.objects.select_related("tenant"), pk=customer_id)
