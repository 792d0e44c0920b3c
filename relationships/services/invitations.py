"""Customer invitations, the customer's side (CU-2, MV-7, MV-8, PV-3): the customer's admin
opens the personalised link, sees who asks for what and accepts or declines; acceptance
creates every relationship in one transaction (CU-1, CU-2). Open invitations past their expiry
become Expired (the sweeper body). The partner's side (draft, email, Done, cancel) is in
`invitation_drafts`.
"""

from datetime import datetime

from django.db import transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.exceptions import RuleViolation
from core.fsm import apply_transition, apply_transition_many
from core.models import (
    Customer,
    CustomerRelationship,
    Partner,
    RelationshipKind,
    RelationshipOrigin,
    User,
)
from core.roles import require_customer_global_admin
from core.services.relationships import (
    customer_relationship_create,
    customer_relationship_grant_admin,
)
from core.sweep import each_due_chunk
from enrollment.capabilities import direct_bill_status

from .. import emails, links
from ..exceptions import (
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
from ..selectors import has_accepted_partnership
from .actors import customer_of
from .invitation_drafts import require_sender_may_send


def open_customer_link(*, actor: User, token: str) -> CustomerInvitation:
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


def _check_open(invitation: CustomerInvitation) -> None:
    if invitation.status == InvitationStatus.CANCELLED:
        raise LinkWithdrawn()
    if invitation.status == InvitationStatus.EXPIRED:
        raise LinkExpired()
    if not invitation.is_open:
        raise LinkUsed()
    if clock.now() >= invitation.expires_at:
        raise LinkExpired()


def require_sender_still_allowed(invitation: CustomerInvitation) -> None:
    """AC-7: when the customer accepts, the sender must still be allowed to send the invitation.
    Refused with what changed, for the customer; the invitation stays open (it can still be
    declined) and nothing changes."""
    try:
        require_sender_may_send(invitation)
    except RuleViolation as refusal:
        partner = invitation.partner
        if invitation.kind == InvitationKind.INDIRECT:
            what = f"{partner} lost its indirect reseller access after sending this invitation"
        else:
            status = direct_bill_status(partner=partner)
            what = f"{partner}'s direct-bill account was {status} after it sent this invitation"
        raise InvitationNoLongerValid(
            f"{what}, so it can no longer take you on as a customer and the invitation can't be "
            "accepted. Nothing was changed; you can decline the invitation.",
            rule=refusal.rule,
        ) from refusal


def _relate(
    *,
    actor: User,
    customer: Customer,
    partner: Partner,
    kind: str,
    reseller: Partner | None = None,
    now: datetime,
) -> CustomerRelationship:
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
def customer_invitation_accept(*, actor: User, token: str) -> CustomerInvitation:
    """CU-2: accepting creates the reseller and provider relationships together, atomically
    (CU-1); MV-7: a direct invitation makes the partner reseller of record; MV-8: works for an
    existing direct-bill customer too (its direct relationship stays). CU-7: only a Global
    Administrator of the customer answers."""
    invitation = open_customer_link(actor=actor, token=token)
    require_customer_global_admin(actor, "accept an invitation")
    customer = customer_of(actor)
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
            provider = invitation.provider  # an indirect invitation always names its provider
            if provider is None or not has_accepted_partnership(
                provider=provider, reseller=partner
            ):
                raise InvitationRefused(
                    f"The partnership between {partner} and {provider} has ended, so "
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
                partner=provider,
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
        subject, body = emails.render("customer_invitation_accepted", customer=customer)
        notifications.notify_partner(partner=partner, subject=subject, body=body, url=url)
        if invitation.provider_id and invitation.provider is not None:
            subject, body = emails.render(
                "customer_invitation_accepted_provider", customer=customer, partner=partner
            )
            notifications.notify_partner(partner=invitation.provider, subject=subject, body=body)
    return invitation


@audit.refusals("customer_invitation.decline")
def customer_invitation_decline(*, actor: User, token: str) -> CustomerInvitation:
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
            subject=emails.render("customer_invitation_declined", customer=actor.customer)[0],
            url=reverse("customer_invitations"),
        )
    return invitation


def expire_customer_invitations(now: datetime) -> int:
    """PV-3 sweeper body: open invitations past their expiry become Expired (idempotent).
    Set-based: a chunk at a time (`each_due_chunk`), one UPDATE and one audit insert each."""

    def expire(rows: list[CustomerInvitation]) -> None:
        apply_transition_many(
            rows,
            INVITATION_TRANSITIONS,
            InvitationStatus.EXPIRED,
            actor=None,
            operation="customer_invitation.expire",
            partner_of=lambda invitation: invitation.partner,
            customer_of=lambda invitation: invitation.customer,
            at=now,
        )

    due = CustomerInvitation.objects.filter(
        status__in=[InvitationStatus.DRAFT, InvitationStatus.PENDING], expires_at__lte=now
    ).select_related("partner", "customer")
    return each_due_chunk(due, expire)
