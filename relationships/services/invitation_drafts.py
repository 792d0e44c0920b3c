"""Customer invitations, the partner's side: the indirect reseller invitation (CU-2, also to
an existing direct-bill customer, MV-8) and the direct reseller relationship request (MV-7).

The partner gets a draft email with the personalised link, may edit it (the link must stay),
copy or send it and press Done, or cancel it. The customer's answer is in `invitations`.
"""

from datetime import timedelta

from django.db import transaction

from core import audit, clock, notifications
from core.fsm import apply_transition
from core.models import Customer, CustomerRelationship, Partner, RelationshipKind, Role, User
from core.roles import require_role
from enrollment.capabilities import require_direct_bill_active, require_indirect_reseller

from .. import emails, links
from ..exceptions import InvitationLinkRemoved, InvitationRefused
from ..models import INVITATION_TRANSITIONS, CustomerInvitation, InvitationKind, InvitationStatus
from ..selectors import has_accepted_partnership, link_days
from .actors import partner_of

INVITER_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)


def link_url(invitation: CustomerInvitation) -> str:
    return links.url_for(links.CUSTOMER, invitation.pk)


def _email(invitation: CustomerInvitation) -> tuple[str, str]:
    """The invitation email's subject and its default text (the draft the partner may edit)."""
    return emails.render(
        "customer_invitation",
        invitation=invitation,
        indirect=invitation.kind == InvitationKind.INDIRECT,
        url=link_url(invitation),
        days=link_days(),
    )


def _require_link_in(invitation: CustomerInvitation, message: str) -> None:
    if link_url(invitation) not in (message or ""):
        raise InvitationLinkRemoved()


def _existing_customer(partner: Partner, domain: str) -> Customer:
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
def customer_invitation_create(
    *,
    actor: User,
    kind: str,
    provider: Partner | None = None,
    customer: Customer | None = None,
    domain: str = "",
    for_reseller: Partner | None = None,
) -> CustomerInvitation:
    """Create the draft invitation. CU-2/MV-8: indirect, naming an accepted provider, by an
    active indirect reseller (EN-7), optionally to one of its direct-bill customers. MV-7
    ("New relationship"): direct, by a direct-bill partner that is not Restricted (DB-2), to
    any existing customer or, by its tenant's `domain`, to one it doesn't serve now.
    `for_reseller`: an indirect provider invites on behalf of one of its resellers (the
    relationship request link with `indirectResellerId`): the same indirect invitation as the
    reseller's own, checked for the reseller, with the provider (the actor's partner) named."""
    require_role(actor, *INVITER_ROLES)
    partner = partner_of(actor)
    if for_reseller is not None:
        if kind != InvitationKind.INDIRECT or not partner.is_indirect_provider:
            raise InvitationRefused(
                "Only an indirect provider invites customers on behalf of an indirect reseller."
            )
        if not has_accepted_partnership(provider=partner, reseller=for_reseller):
            raise InvitationRefused(f"{for_reseller} is not one of your indirect resellers.")
        provider, partner = partner, for_reseller
    if kind == InvitationKind.INDIRECT:
        require_indirect_reseller(
            partner=partner, action="invite customers through an indirect provider"
        )
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
        require_direct_bill_active(partner=partner, action="send direct reseller invitations")
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
        invitation.message = _email(invitation)[1]
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


def _lock_own(actor: User, invitation: CustomerInvitation) -> CustomerInvitation:
    invitation = CustomerInvitation.objects.select_for_update().get(
        pk=invitation.pk, partner=actor.partner
    )
    if not invitation.is_open:
        raise InvitationRefused(
            f"This invitation is {invitation.get_status_display().lower()} and can't be changed."
        )
    return invitation


@audit.refusals("customer_invitation.edit")
def customer_invitation_edit(
    *, actor: User, invitation: CustomerInvitation, message: str
) -> CustomerInvitation:
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
def customer_invitation_send(
    *, actor: User, invitation: CustomerInvitation, to: str, message: str | None = None
) -> CustomerInvitation:
    """Email the (edited) invitation text to an address of the customer."""
    require_role(actor, *INVITER_ROLES)
    to = (to or "").strip().lower()
    if not to or "@" not in to:
        raise InvitationRefused("Give the customer's email address to send the invitation to.")
    with transaction.atomic():
        invitation = _lock_own(actor, invitation)
        require_sender_may_send(invitation)  # AC-7
        if message is not None:
            _require_link_in(invitation, message)
            invitation.message = message
        invitation.sent_to = [*invitation.sent_to, to]
        invitation.save(update_fields=["message", "sent_to"])
        notifications.queue_email(
            to=[to],
            subject=_email(invitation)[0],
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
def customer_invitation_done(
    *, actor: User, invitation: CustomerInvitation, message: str | None = None
) -> CustomerInvitation:
    """CU-2: Done — the draft becomes a pending invitation tracked on the list."""
    require_role(actor, *INVITER_ROLES)
    with transaction.atomic():
        invitation = _lock_own(actor, invitation)
        require_sender_may_send(invitation)  # AC-7
        if message is not None:
            _require_link_in(invitation, message)
            invitation.message = message
        if invitation.status == InvitationStatus.DRAFT:
            apply_transition(
                invitation,
                INVITATION_TRANSITIONS,
                InvitationStatus.PENDING,
                actor=actor,
                operation="customer_invitation.done",
                customer=invitation.customer,
                message=invitation.message,
                done_at=clock.now(),
            )
        else:  # Done again on a pending invitation: its text may change, its state doesn't
            invitation.save(update_fields=["message"])
            audit.record(
                actor=actor,
                operation="customer_invitation.done",
                customer=invitation.customer,
                obj=invitation,
                old_state=invitation.status,
                new_state=invitation.status,
            )
    return invitation


@audit.refusals("customer_invitation.cancel")
def customer_invitation_cancel(
    *, actor: User, invitation: CustomerInvitation
) -> CustomerInvitation:
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


def require_sender_may_send(invitation: CustomerInvitation) -> None:
    """DB-2, EN-7: the checks `customer_invitation_create` made on the sender, made again
    whenever the invitation is sent, marked done or accepted (AC-7): a direct invitation needs
    the sender's direct-bill account Active, an indirect one an active indirect reseller (a DB-6
    override ends it)."""
    if invitation.kind == InvitationKind.INDIRECT:
        require_indirect_reseller(
            partner=invitation.partner, action="invite customers through an indirect provider"
        )
    else:
        require_direct_bill_active(
            partner=invitation.partner, action="send direct reseller invitations"
        )
