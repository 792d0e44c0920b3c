"""Customer invitations: the indirect reseller invitation (CU-2, also to an existing
direct-bill customer, MV-8) and the direct reseller relationship request (MV-7).

The partner gets a draft email with the personalised link, may edit it (the link must stay),
copy or send it and press Done. The customer's admin opens the link, sees who asks for what and
accepts or declines; acceptance creates every relationship in one transaction (CU-1, CU-2).
"""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.exceptions import RuleViolation
from core.fsm import apply_transition, check_transition
from core.models import (
    Customer,
    CustomerRelationship,
    RelationshipKind,
    RelationshipOrigin,
    Role,
)
from core.roles import require_customer_global_admin, require_role
from core.services.relationships import (
    customer_relationship_create,
    customer_relationship_grant_admin,
)
from core.sweep import each_due
from enrollment.capabilities import (
    direct_bill_status,
    require_direct_bill_active,
    require_indirect_reseller,
)

from .. import links
from ..exceptions import (
    InvitationLinkRemoved,
    InvitationNoLongerValid,
    InvitationRefused,
    LinkExpired,
    LinkNotFound,
    LinkUsed,
    LinkWithdrawn,
    LinkWrongAudience,
)
from ..models import (
    INVITATION_TRANSITIONS,
    CustomerInvitation,
    InvitationKind,
    InvitationStatus,
)
from .partnerships import has_accepted_partnership, link_days

INVITER_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)


def link_url(invitation) -> str:
    return links.url_for(links.CUSTOMER, invitation.pk)


def invitations_of(partner):
    return CustomerInvitation.objects.filter(partner=partner).select_related(
        "provider", "customer", "accepted_customer", "created_by"
    )


def default_message(invitation, url: str) -> str:
    partner = invitation.partner
    if invitation.kind == InvitationKind.INDIRECT:
        what = (
            f"{partner} would like to become your Cloud Solution Provider, working with "
            f"{invitation.provider}, its indirect provider (distributor). Accepting creates "
            f"reseller relationships with both."
        )
    else:
        what = (
            f"{partner} would like to become your Cloud Solution Provider and reseller of "
            "record for your Microsoft cloud services."
        )
    return (
        "Dear customer,\n\n"
        f"{what}\n\n"
        "Please click the link below to accept this invitation and authorise the relationship "
        "(a Global administrator of your organisation must sign in):\n\n"
        f"{url}\n\n"
        f"The link is personal, works once and expires in {link_days()} days.\n\n"
        f"Regards,\n{invitation.created_by.get_full_name()}\n{partner}"
    )


def _require_link_in(invitation, message: str) -> None:
    if link_url(invitation) not in (message or ""):
        raise InvitationLinkRemoved()


def _existing_customer(partner, domain: str) -> Customer:
    """MV-7: the existing customer whose tenant has `domain`, if `partner` doesn't serve it
    now (e.g. its relationship ended)."""
    domain = (domain or "").strip().lower()
    customer = Customer.objects.filter(tenant__domain=domain).first()
    if customer is None:
        raise InvitationRefused(
            f"No customer tenant has the domain {domain}. To create a new customer, use Add "
            "customer."
        )
    if CustomerRelationship.objects.active().filter(customer=customer, partner=partner).exists():
        raise InvitationRefused(f"{customer} is already your customer.")
    return customer


@audit.refusals("customer_invitation.create")
def invitation_create(
    *,
    actor,
    kind: str,
    provider=None,
    customer=None,
    domain: str = "",
    for_reseller=None,
) -> CustomerInvitation:
    """Create the draft invitation. CU-2/MV-8: indirect, naming an accepted provider, by an
    active indirect reseller (EN-7), optionally to one of its direct-bill customers. MV-7
    ("New relationship"): direct, by a direct-bill partner that is not Restricted (DB-2), to
    any existing customer or, by its tenant's `domain`, to one it doesn't serve now.
    `for_reseller`: an indirect provider invites on behalf of one of its resellers (the
    relationship request link with `indirectResellerId`): the same indirect invitation as the
    reseller's own, checked for the reseller, with the provider (the actor's partner) named."""
    require_role(actor, *INVITER_ROLES)
    partner = actor.partner
    if for_reseller is not None:
        if kind != InvitationKind.INDIRECT or not partner.is_indirect_provider:
            raise InvitationRefused(
                "Only an indirect provider invites customers on behalf of an indirect reseller."
            )
        if not has_accepted_partnership(provider=partner, reseller=for_reseller):
            raise InvitationRefused(f"{for_reseller} is not one of your indirect resellers.")
        provider, partner = partner, for_reseller
    if kind == InvitationKind.INDIRECT:
        require_indirect_reseller(partner, "invite customers through an indirect provider")
        if provider is None or not has_accepted_partnership(provider=provider, reseller=partner):
            raise InvitationRefused(
                "Choose an indirect provider whose partnership invitation you accepted."
            )
        if customer is not None:
            mine = CustomerRelationship.objects.active().filter(customer=customer, partner=partner)
            if not mine.filter(kind=RelationshipKind.DIRECT).exists():
                raise InvitationRefused(
                    f"{customer} is not one of your direct-bill customers, so it can't get an "
                    "indirect reseller invitation from its page.",
                )
            if (
                CustomerRelationship.objects.active()
                .filter(
                    customer=customer, partner=provider, reseller=partner, has_admin_privileges=True
                )
                .exists()
            ):
                raise InvitationRefused(f"{provider} already serves {customer} for you.")
    elif kind == InvitationKind.DIRECT:
        require_direct_bill_active(partner, "send direct reseller invitations")
        provider = None
        customer = _existing_customer(partner, domain) if (domain or "").strip() else None
    else:
        raise InvitationRefused("Unknown kind of invitation.")
    now = clock.now()
    with transaction.atomic():
        invitation = CustomerInvitation.objects.create(
            partner=partner,
            kind=kind,
            provider=provider,
            customer=customer,
            message="",
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=link_days()),
        )
        invitation.message = default_message(invitation, link_url(invitation))
        invitation.save(update_fields=["message"])
        audit.record(
            actor=actor,
            operation="customer_invitation.create",
            customer=customer,
            obj=invitation,
            new_state=invitation.status,
            detail=f"{invitation.get_kind_display()}"
            + (f" with {provider}" if provider else "")
            + (f" to {customer}" if customer else " to a new customer"),
        )
    return invitation


def _lock_own(actor, invitation) -> CustomerInvitation:
    invitation = CustomerInvitation.objects.select_for_update().get(
        pk=invitation.pk, partner=actor.partner
    )
    if not invitation.is_open:
        raise InvitationRefused(
            f"This invitation is {invitation.get_status_display().lower()} and can't be changed."
        )
    return invitation


@audit.refusals("customer_invitation.edit")
def invitation_update_message(*, actor, invitation, message: str) -> CustomerInvitation:
    """CU-2: the partner edits the email text; the personalised link must stay in it."""
    require_role(actor, *INVITER_ROLES)
    with transaction.atomic():
        invitation = _lock_own(actor, invitation)
        _require_link_in(invitation, message)
        if message != invitation.message:
            invitation.message = message
            invitation.save(update_fields=["message"])
            audit.record(
                actor=actor,
                operation="customer_invitation.edit",
                customer=invitation.customer,
                obj=invitation,
                detail="Edited the invitation email text.",
            )
    return invitation


@audit.refusals("customer_invitation.send")
def invitation_send(*, actor, invitation, to: str, message: str | None = None):
    """Email the (edited) invitation text to an address of the customer."""
    require_role(actor, *INVITER_ROLES)
    to = (to or "").strip().lower()
    if not to or "@" not in to:
        raise InvitationRefused("Give the customer's email address to send the invitation to.")
    with transaction.atomic():
        invitation = _lock_own(actor, invitation)
        _require_sender_may_send(invitation)  # AC-7
        if message is not None:
            _require_link_in(invitation, message)
            invitation.message = message
        invitation.sent_to = [*invitation.sent_to, to]
        invitation.save(update_fields=["message", "sent_to"])
        notifications.queue_email(
            to=[to],
            subject=f"{invitation.partner} invites you to a reseller relationship",
            body=invitation.message,
            partner=invitation.partner,
        )
        audit.record(
            actor=actor,
            operation="customer_invitation.send",
            customer=invitation.customer,
            obj=invitation,
            detail=f"Sent the invitation email to {to}.",
        )
    return invitation


@audit.refusals("customer_invitation.done")
def invitation_done(*, actor, invitation, message: str | None = None) -> CustomerInvitation:
    """CU-2: Done — the draft becomes a pending invitation tracked on the list."""
    require_role(actor, *INVITER_ROLES)
    with transaction.atomic():
        invitation = _lock_own(actor, invitation)
        _require_sender_may_send(invitation)  # AC-7
        if message is not None:
            _require_link_in(invitation, message)
            invitation.message = message
        old = invitation.status
        if old == InvitationStatus.DRAFT:
            check_transition(INVITATION_TRANSITIONS, old, InvitationStatus.PENDING)
            invitation.status = InvitationStatus.PENDING
            invitation.done_at = clock.now()
        invitation.save(update_fields=["message", "status", "done_at"])
        audit.record(
            actor=actor,
            operation="customer_invitation.done",
            customer=invitation.customer,
            obj=invitation,
            old_state=old,
            new_state=invitation.status,
        )
    return invitation


@audit.refusals("customer_invitation.cancel")
def invitation_cancel(*, actor, invitation) -> CustomerInvitation:
    require_role(actor, *INVITER_ROLES)
    with transaction.atomic():
        invitation = _lock_own(actor, invitation)
        apply_transition(
            invitation,
            INVITATION_TRANSITIONS,
            InvitationStatus.CANCELLED,
            actor=actor,
            operation="customer_invitation.cancel",
            customer=invitation.customer,
            answered_at=clock.now(),
        )
    return invitation


# --- the customer's side --------------------------------------------------------------------


def open_customer_link(*, actor, token: str) -> CustomerInvitation:
    """PV-3: the invitation a link names, if `actor` (a customer admin) may answer it."""
    pk = links.read_token(links.CUSTOMER, token)
    invitation = (
        CustomerInvitation.objects.select_related("partner", "provider", "customer", "created_by")
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        raise LinkNotFound()
    customer_id = getattr(actor, "customer_id", None)
    if customer_id is None or (invitation.customer_id and invitation.customer_id != customer_id):
        raise LinkWrongAudience()
    _check_open(invitation)
    return invitation


def _check_open(invitation) -> None:
    if invitation.status == InvitationStatus.CANCELLED:
        raise LinkWithdrawn()
    if invitation.status == InvitationStatus.EXPIRED:
        raise LinkExpired()
    if not invitation.is_open:
        raise LinkUsed()
    if clock.now() >= invitation.expires_at:
        raise LinkExpired()


def _require_sender_may_send(invitation) -> None:
    """DB-2, EN-7: the checks `invitation_create` made on the sender, made again whenever the
    invitation is sent, marked done or accepted (AC-7): a direct invitation needs the sender's
    direct-bill account Active, an indirect one an active indirect reseller (a DB-6 override
    ends it)."""
    if invitation.kind == InvitationKind.INDIRECT:
        require_indirect_reseller(
            invitation.partner, "invite customers through an indirect provider"
        )
    else:
        require_direct_bill_active(invitation.partner, "send direct reseller invitations")


def require_sender_still_allowed(invitation) -> None:
    """AC-7: when the customer accepts, the sender must still be allowed to send the invitation.
    Refused with what changed, for the customer; the invitation stays open (it can still be
    declined) and nothing changes."""
    try:
        _require_sender_may_send(invitation)
    except RuleViolation as refusal:
        partner = invitation.partner
        if invitation.kind == InvitationKind.INDIRECT:
            what = f"{partner} lost its indirect reseller access after sending this invitation"
        else:
            status = direct_bill_status(partner)
            what = f"{partner}'s direct-bill account was {status} after it sent this invitation"
        raise InvitationNoLongerValid(
            f"{what}, so it can no longer take you on as a customer and the invitation can't be "
            "accepted. Nothing was changed; you can decline the invitation.",
            rule=refusal.rule,
        ) from refusal


def what_accepting_does(invitation, customer) -> list[str]:
    """The summary shown before the customer accepts."""
    existing = set(
        CustomerRelationship.objects.active()
        .filter(customer=customer)
        .values_list("partner_id", flat=True)
    )
    lines = []
    if invitation.kind == InvitationKind.INDIRECT:
        if invitation.partner_id in existing:
            lines.append(f"{invitation.partner} stays your reseller (already a partner of yours).")
        else:
            lines.append(f"{invitation.partner} becomes your indirect reseller.")
        lines.append(
            f"{invitation.provider} becomes your indirect provider for {invitation.partner}; it "
            "can order products for you."
        )
        lines.append(
            "Neither gets admin permissions in your tenant until you approve a GDAP request."
        )
    else:
        lines.append(f"{invitation.partner} becomes your reseller of record (direct-bill).")
        lines.append("It gets admin permissions in your tenant only if you approve a GDAP request.")
    return lines


def _relate(*, actor, customer, partner, kind, reseller=None, now) -> CustomerRelationship:
    """Create the relationship, or give an existing one (an extension) what an invitation
    grants; returns the relationship. A provider's relationship is the one for `reseller`: it
    may already serve the customer for another reseller (IR-4)."""
    current = (
        CustomerRelationship.objects.select_for_update()
        .active()
        .filter(customer=customer, partner=partner, reseller=reseller)
        .first()
    )
    if current is not None:
        if customer_relationship_grant_admin(relationship=current):
            audit.record(
                actor=actor,
                operation="relationship.grant_admin_eligibility",
                partner=partner,
                customer=customer,
                obj=current,
                detail="The accepted invitation lets this partner request GDAP.",
            )
        return current
    relationship = customer_relationship_create(
        customer=customer,
        partner=partner,
        kind=kind,
        origin=RelationshipOrigin.INVITATION,
        reseller=reseller,
        has_admin_privileges=True,
        bill_to_copy=customer.bill_to(),
        established_at=now,
    )
    audit.record(
        actor=actor,
        operation="relationship.create",
        partner=partner,
        customer=customer,
        obj=relationship,
        new_state=kind,
        detail="Reseller relationship created by an accepted invitation"
        + (f" (for {reseller})" if reseller else ""),
    )
    return relationship


@audit.refusals("customer_invitation.accept")
def invitation_accept(*, actor, token: str) -> CustomerInvitation:
    """CU-2: accepting creates the reseller and provider relationships together, atomically
    (CU-1); MV-7: a direct invitation makes the partner reseller of record; MV-8: works for an
    existing direct-bill customer too (its direct relationship stays). CU-7: only a Global
    Administrator of the customer answers."""
    invitation = open_customer_link(actor=actor, token=token)
    require_customer_global_admin(actor, "accept an invitation")
    customer = actor.customer
    now = clock.now()
    with transaction.atomic():
        # The customer row first, as relationship_extend does: one lock order for every
        # service that adds relationships to a customer (no duplicate, no deadlock).
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        invitation = CustomerInvitation.objects.select_for_update().get(pk=invitation.pk)
        _check_open(invitation)
        require_sender_still_allowed(invitation)  # AC-7
        partner = invitation.partner
        if invitation.kind == InvitationKind.INDIRECT:
            if not has_accepted_partnership(provider=invitation.provider, reseller=partner):
                raise InvitationRefused(
                    f"The partnership between {partner} and {invitation.provider} has ended, so "
                    "this invitation can no longer be accepted."
                )
            _relate(
                actor=actor,
                customer=customer,
                partner=partner,
                kind=RelationshipKind.INDIRECT_RESELLER,
                now=now,
            )
            _relate(
                actor=actor,
                customer=customer,
                partner=invitation.provider,
                kind=RelationshipKind.INDIRECT_PROVIDER,
                reseller=partner,
                now=now,
            )
        else:
            if (
                CustomerRelationship.objects.active()
                .filter(customer=customer, partner=partner)
                .exists()
            ):
                raise InvitationRefused(f"{partner} is already one of your partners.")
            _relate(
                actor=actor,
                customer=customer,
                partner=partner,
                kind=RelationshipKind.DIRECT,
                now=now,
            )
        apply_transition(
            invitation,
            INVITATION_TRANSITIONS,
            InvitationStatus.ACCEPTED,
            actor=actor,
            operation="customer_invitation.accept",
            partner=partner,
            customer=customer,
            detail=f"{customer} accepted the {invitation.get_kind_display().lower()}.",
            answered_by=actor,
            answered_at=now,
            accepted_customer=customer,
        )
        url = reverse("customer_invitations")
        notifications.notify_partner(
            partner=partner,
            subject=f"{customer} accepted your invitation",
            body=f"{customer} is now your customer.",
            url=url,
        )
        if invitation.provider_id and invitation.provider is not None:
            notifications.notify_partner(
                partner=invitation.provider,
                subject=f"New customer {customer} through {partner}",
                body=f"{customer} accepted {partner}'s indirect reseller invitation naming you.",
            )
    return invitation


@audit.refusals("customer_invitation.decline")
def invitation_decline(*, actor, token: str) -> CustomerInvitation:
    """The customer's Global Administrator (CU-7) declines the invitation."""
    invitation = open_customer_link(actor=actor, token=token)
    require_customer_global_admin(actor, "decline an invitation")
    with transaction.atomic():
        invitation = CustomerInvitation.objects.select_for_update().get(pk=invitation.pk)
        _check_open(invitation)
        apply_transition(
            invitation,
            INVITATION_TRANSITIONS,
            InvitationStatus.DECLINED,
            actor=actor,
            operation="customer_invitation.decline",
            partner=invitation.partner,
            customer=actor.customer,
            answered_by=actor,
            answered_at=clock.now(),
        )
        notifications.notify_partner(
            partner=invitation.partner,
            subject=f"{actor.customer} declined your invitation",
            url=reverse("customer_invitations"),
        )
    return invitation


def expire_customer_invitations(now) -> int:
    """PV-3 sweeper body: open invitations past their expiry become Expired (idempotent)."""

    def expire(invitation):
        apply_transition(
            invitation,
            INVITATION_TRANSITIONS,
            InvitationStatus.EXPIRED,
            actor=None,
            operation="customer_invitation.expire",
            partner=invitation.partner,
            customer=invitation.customer,
            at=now,
        )

    due = CustomerInvitation.objects.filter(
        status__in=[InvitationStatus.DRAFT, InvitationStatus.PENDING], expires_at__lte=now
    ).select_related("partner", "customer")
    return each_due(due, expire)
