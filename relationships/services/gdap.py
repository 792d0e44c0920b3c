"""GDAP (GD-1, GD-2, GD-3): an Admin agent requests named Entra roles for a duration; the
customer's Global Administrator approves or rejects (CU-7); requests and relationships expire by
the simulation clock, with notices before the end and auto-extension unless Global Administrator
is included; either side can end an active relationship, which removes the admin permissions at
once (CU-6 reads only active relationships).

Source for the numbers (90-day request expiry, 2-year maximum, 180-day auto-extend, no
auto-extend with Global Administrator): https://learn.microsoft.com/partner-center/dap-faq
"""

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.fsm import apply_transition
from core.models import Customer, CustomerRelationship, Role, User
from core.roles import require_customer_global_admin, require_role

from .. import emails
from ..exceptions import GdapNoLongerValid, GdapNotEditable, GdapRefused
from ..models import GDAP_TRANSITIONS, EntraRole, GdapRelationship, GdapStatus
from ..selectors import gdap_eligible_relationships, gdap_rules
from .actors import partner_of
from .gdap_notices import ask_customer, tell_both


def _checked_request(
    actor: User,
    customer: Customer,
    roles: Iterable[str] | None,
    duration_days: int | str,
    auto_extend: bool,
) -> tuple[list[str], int]:
    """GD-1/GD-2 and MV-5 for a request of `roles` for `duration_days` from `customer`: the
    roles (each once) and the duration as a number, or the refusal."""
    require_role(actor, Role.ADMIN_AGENT)
    r = gdap_rules()
    relationship = (
        CustomerRelationship.objects.active()
        .filter(partner=actor.partner, customer=customer)
        .order_by("-has_admin_privileges", "established_at")  # IR-4: a provider's for any reseller
        .first()
    )
    if relationship is None:
        raise GdapRefused(
            "You can request GDAP only from a customer you have a reseller relationship with."
        )
    if not relationship.has_admin_privileges:
        raise GdapRefused(
            "Your relationship with this customer came from a reseller relationship extension, "
            "which gives no admin privileges: the reseller must send an indirect reseller "
            "invitation instead.",
            rule="MV-5",
        )
    roles = list(dict.fromkeys(roles or []))
    if not roles:
        raise GdapRefused("Choose at least one Microsoft Entra role.")
    unknown = [role for role in roles if role not in EntraRole.values]
    if unknown:
        raise GdapRefused(f"Unknown role: {', '.join(unknown)}.")
    try:
        duration_days = int(duration_days)
    except (TypeError, ValueError):
        raise GdapRefused("The duration must be a number of days.") from None
    if not r["min_days"] <= duration_days <= r["max_days"]:
        raise GdapRefused(
            f"The duration must be between {r['min_days']} day and {r['max_days']} days (2 years)."
        )
    if auto_extend and EntraRole.GLOBAL_ADMINISTRATOR in roles:
        raise GdapRefused(
            "Auto-extend is not available for a relationship that includes Global Administrator.",
            rule="GD-2",
        )
    return roles, duration_days


def _describe(gdap: GdapRelationship) -> str:
    return f"Roles: {', '.join(gdap.role_labels())}; {gdap.duration_days} days" + (
        "; auto-extend" if gdap.auto_extend else ""
    )


def _new_relationship(
    actor: User,
    customer: Customer,
    status: str,
    roles: Iterable[str],
    duration_days: int,
    auto_extend: bool,
    name: str,
) -> GdapRelationship:
    """Check GD-1/GD-2 and write the relationship in `status`, audited as its operation."""
    roles, duration_days = _checked_request(actor, customer, roles, duration_days, auto_extend)
    now = clock.now()
    partner = partner_of(actor)
    gdap = GdapRelationship.objects.create(
        partner=partner,
        customer=customer,
        name=(name or f"{partner.legal_name[:30]} {now:%Y%m%d}")[:50],
        roles=roles,
        duration_days=duration_days,
        auto_extend=bool(auto_extend),
        status=status,
        requested_by=actor,
        requested_at=now,
        request_expires_at=now + timedelta(days=gdap_rules()["request_days"]),
    )
    operation = "gdap.request" if status == GdapStatus.PENDING else "gdap.create"
    audit.record(
        actor=actor,
        operation=operation,
        customer=customer,
        obj=gdap,
        new_state=gdap.status,
        detail=_describe(gdap),
    )
    return gdap


@audit.refusals("gdap.request")
def gdap_request(
    *,
    actor: User,
    customer: Customer,
    roles: Iterable[str],
    duration_days: int,
    auto_extend: bool = False,
    name: str = "",
) -> GdapRelationship:
    """GD-1: an Admin agent asks a customer it has a relationship with for named roles."""
    with transaction.atomic():
        gdap = _new_relationship(
            actor, customer, GdapStatus.PENDING, roles, duration_days, auto_extend, name
        )
        ask_customer(gdap)
    return gdap


@audit.refusals("gdap.create")
def gdap_create(
    *,
    actor: User,
    customer: Customer,
    roles: Iterable[str],
    duration_days: int,
    auto_extend: bool = False,
    name: str = "",
) -> GdapRelationship:
    """GD-1 through Graph: the same checks as `gdap_request`, but the relationship stays
    `created` (the customer is not asked yet) until `gdap_lock_for_approval`.
    https://learn.microsoft.com/graph/api/tenantrelationship-post-delegatedadminrelationships"""
    with transaction.atomic():
        return _new_relationship(
            actor, customer, GdapStatus.CREATED, roles, duration_days, auto_extend, name
        )


def _locked_of_partner(actor: User, gdap: GdapRelationship) -> GdapRelationship:
    require_role(actor, Role.ADMIN_AGENT)
    return GdapRelationship.objects.select_for_update().get(pk=gdap.pk, partner=actor.partner)


@audit.refusals("gdap.update")
def gdap_update(
    *,
    actor: User,
    gdap: GdapRelationship,
    name: str | None = None,
    duration_days: int | None = None,
    roles: Iterable[str] | None = None,
    auto_extend: bool | None = None,
) -> GdapRelationship:
    """The partner changes a relationship it has not sent yet: name, duration, roles and
    auto-extend while `created`; only auto-extend once `active` (Graph's "Update
    delegatedAdminRelationship"). The GD-1/GD-2 checks run on the result; `None` keeps a value.
    https://learn.microsoft.com/graph/api/delegatedadminrelationship-update"""
    with transaction.atomic():
        gdap = _locked_of_partner(actor, gdap)
        content = {"name": name, "duration_days": duration_days, "roles": roles}
        changes_content = any(value is not None for value in content.values())
        editable = gdap.status == GdapStatus.CREATED or (
            gdap.status == GdapStatus.ACTIVE and not changes_content
        )
        if not editable:
            raise GdapNotEditable(
                f"This relationship is {gdap.get_status_display().lower()}: its name, duration "
                "and roles can be changed only while it is created (before it is locked for "
                "approval), and auto-extend only while it is created or active."
            )
        new_roles = gdap.roles if roles is None else roles
        new_extend = gdap.auto_extend if auto_extend is None else bool(auto_extend)
        new_days = gdap.duration_days if duration_days is None else duration_days
        checked_roles, checked_days = _checked_request(
            actor, gdap.customer, new_roles, new_days, new_extend
        )
        if name is not None:
            if not str(name).strip() or len(str(name)) > 50:
                raise GdapRefused("The name is required, at most 50 characters.")
            gdap.name = str(name).strip()
        gdap.roles, gdap.duration_days, gdap.auto_extend = checked_roles, checked_days, new_extend
        gdap.modified_at = clock.now()
        gdap.save(update_fields=["name", "roles", "duration_days", "auto_extend", "modified_at"])
        audit.record(
            actor=actor,
            operation="gdap.update",
            customer=gdap.customer,
            obj=gdap,
            detail=f"{gdap.name}: {_describe(gdap)}",
        )
    return gdap


@audit.refusals("gdap.lock_for_approval")
def gdap_lock_for_approval(*, actor: User, gdap: GdapRelationship) -> GdapRelationship:
    """GD-1: a created relationship is sent to the customer (`created` → `pending`); the rules
    are checked again (AC-7) and the 90 days to answer start now.
    https://learn.microsoft.com/graph/api/delegatedadminrelationship-post-requests"""
    with transaction.atomic():
        gdap = _locked_of_partner(actor, gdap)
        if gdap.status != GdapStatus.CREATED:
            raise GdapNotEditable(
                f"This relationship is {gdap.get_status_display().lower()}; only a created "
                "relationship can be locked for approval."
            )
        _checked_request(actor, gdap.customer, gdap.roles, gdap.duration_days, gdap.auto_extend)
        now = clock.now()
        apply_transition(
            gdap,
            GDAP_TRANSITIONS,
            GdapStatus.PENDING,
            actor=actor,
            operation="gdap.lock_for_approval",
            partner=gdap.partner,
            customer=gdap.customer,
            detail=_describe(gdap),
            request_expires_at=now + timedelta(days=gdap_rules()["request_days"]),
            modified_at=now,
        )
        ask_customer(gdap)
    return gdap


def _lock_for_customer(actor: User, gdap: GdapRelationship) -> GdapRelationship:
    return GdapRelationship.objects.select_for_update().get(pk=gdap.pk, customer=actor.customer)


def _require_customer_decider(actor: User, decision: str) -> None:
    """GD-1 and CU-7: only the customer decides, and only through a Global Administrator."""
    if not getattr(actor, "customer_id", None):
        raise GdapRefused(f"Only the customer's administrator can {decision}.")
    require_customer_global_admin(actor, decision)


@audit.refusals("gdap.approve")
def gdap_approve(*, actor: User, gdap: GdapRelationship) -> GdapRelationship:
    """GD-1: the customer's Global Administrator (CU-7) approves a pending request; it runs for
    its duration. AC-7: refused while the partner no longer has a relationship that allows
    requesting it."""
    _require_customer_decider(actor, "approve a GDAP request")
    with transaction.atomic():
        gdap = _lock_for_customer(actor, gdap)
        _require_pending(gdap)
        _require_relationship_still_eligible(gdap)
        now = clock.now()
        ends_at = now + timedelta(days=gdap.duration_days)
        apply_transition(
            gdap,
            GDAP_TRANSITIONS,
            GdapStatus.ACTIVE,
            actor=actor,
            operation="gdap.approve",
            partner=gdap.partner,
            customer=gdap.customer,
            detail=f"Active until {ends_at:%d %b %Y}.",
            decided_by=actor,
            decided_at=now,
            starts_at=now,
            ends_at=ends_at,
        )
        subject, body = emails.render("gdap_approved", gdap=gdap)
        notifications.notify_partner(
            partner=gdap.partner,
            roles=(Role.ADMIN_AGENT, Role.GLOBAL_ADMIN),
            subject=subject,
            body=body,
            url=reverse("partner_gdap"),
        )
    return gdap


def _require_relationship_still_eligible(gdap: GdapRelationship) -> None:
    """AC-7: the relationship `gdap_request` required must still be there at approval."""
    eligible = gdap_eligible_relationships(partner=gdap.partner)
    if not eligible.filter(customer=gdap.customer).exists():
        raise GdapNoLongerValid(
            f"{gdap.partner} no longer has a reseller relationship with you that allows admin "
            "permissions (it ended after the request was sent), so this GDAP request can't be "
            "approved. Nothing was changed; you can reject it."
        )


def _require_pending(gdap: GdapRelationship) -> None:
    if gdap.status != GdapStatus.PENDING:
        raise GdapRefused(
            f"This GDAP request is {gdap.get_status_display().lower()}, so it can't be answered."
        )
    if clock.now() >= gdap.request_expires_at:
        raise GdapRefused("This GDAP request has expired; the partner must send a new one.")


@audit.refusals("gdap.reject")
def gdap_reject(*, actor: User, gdap: GdapRelationship) -> GdapRelationship:
    """GD-1: the customer's Global Administrator (CU-7) rejects a pending request."""
    _require_customer_decider(actor, "reject a GDAP request")
    with transaction.atomic():
        gdap = _lock_for_customer(actor, gdap)
        _require_pending(gdap)
        now = clock.now()
        apply_transition(
            gdap,
            GDAP_TRANSITIONS,
            GdapStatus.REJECTED,
            actor=actor,
            operation="gdap.reject",
            partner=gdap.partner,
            customer=gdap.customer,
            decided_by=actor,
            decided_at=now,
            closed_at=now,
        )
        subject, _ = emails.render("gdap_rejected", gdap=gdap)
        notifications.notify_partner(
            partner=gdap.partner,
            roles=(Role.ADMIN_AGENT, Role.GLOBAL_ADMIN),
            subject=subject,
            url=reverse("partner_gdap"),
        )
    return gdap


@audit.refusals("gdap.terminate")
def gdap_terminate(*, actor: User, gdap: GdapRelationship) -> GdapRelationship:
    """GD-3: either side ends an active relationship early: the partner's Admin agent or the
    customer's Global Administrator (CU-7). Its admin permissions end with it (CU-6), and both
    sides get a confirmation, as in
    https://learn.microsoft.com/partner-center/customers/gdap-partner-terminate"""
    by_customer = bool(getattr(actor, "customer_id", None))
    if by_customer:
        require_customer_global_admin(actor, "end a GDAP relationship")
    else:
        require_role(actor, Role.ADMIN_AGENT)
    with transaction.atomic():
        if by_customer:
            gdap = _lock_for_customer(actor, gdap)
        else:
            gdap = GdapRelationship.objects.select_for_update().get(
                pk=gdap.pk, partner=actor.partner
            )
        if gdap.status != GdapStatus.ACTIVE:
            raise GdapRefused("Only an active GDAP relationship can be ended.")
        apply_transition(
            gdap,
            GDAP_TRANSITIONS,
            GdapStatus.TERMINATED,
            actor=actor,
            operation="gdap.terminate",
            partner=gdap.partner,
            customer=gdap.customer,
            detail=f"Ended by {'the customer' if by_customer else 'the partner'}.",
            closed_at=clock.now(),
        )
        # Both sides get a confirmation, as in Partner Center.
        who = gdap.customer if by_customer else gdap.partner
        tell_both(gdap, emails.render("gdap_terminated", gdap=gdap, who=who)[0])
    return gdap
