"""Provider–reseller partnerships (PV-2, PV-3): the invitation, its link, acceptance by the
reseller's Global admin, revocation and expiry. The directory and the lists are read through
`relationships.selectors`."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.exceptions import RoleRequired
from core.fsm import apply_transition, apply_transition_many
from core.models import Partner, Role, User
from core.roles import require_role
from core.sweep import each_due_chunk
from enrollment.capabilities import require_indirect_reseller

from .. import emails, links
from ..exceptions import (
    LinkExpired,
    LinkNotFound,
    LinkUsed,
    LinkWithdrawn,
    LinkWrongAudience,
    PartnershipRefused,
)
from ..models import PARTNERSHIP_TRANSITIONS, PartnershipStatus, ProviderPartnership
from ..selectors import has_accepted_partnership, link_days
from .actors import partner_of

OPEN = [PartnershipStatus.INVITED, PartnershipStatus.ACCEPTED]


def require_accepted_partnership(provider: Partner, reseller: Partner) -> None:
    """CU-3 check registered with customers.hooks: the named reseller must be a partner."""
    if not has_accepted_partnership(provider=provider, reseller=reseller):
        raise PartnershipRefused(
            f"{reseller} is not one of your resellers: it must accept your partnership "
            "invitation first."
        )


def link_url(partnership: ProviderPartnership) -> str:
    return links.url_for(links.PARTNERSHIP, partnership.pk)


# --- transitions ----------------------------------------------------------------------------


def _find_reseller(provider: Partner, partner_id: str, email: str) -> tuple[Partner, str]:
    partner_id, email = (partner_id or "").strip(), (email or "").strip().lower()
    if bool(partner_id) == bool(email):
        raise PartnershipRefused(
            "Give either the reseller's PartnerID or the email of its Global admin."
        )
    if partner_id:
        reseller = Partner.objects.filter(partner_id=partner_id).first()
        if reseller is None:
            raise PartnershipRefused(f"No partner has the PartnerID {partner_id}.")
        return reseller, reseller.primary_contact_email
    user = (
        User.objects.filter(email__iexact=email, partner__isnull=False, is_active=True)
        .select_related("partner")
        .first()
    )
    if user is None or Role.GLOBAL_ADMIN not in user.roles:
        raise PartnershipRefused(f"{email} is not the email of a partner's Global admin.")
    return partner_of(user), user.email


@audit.refusals("partnership.invite")
def partnership_invite(
    *, actor: User, partner_id: str = "", email: str = ""
) -> ProviderPartnership:
    """PV-2: an indirect provider invites a reseller; the email carries a personal link."""
    require_role(actor, Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
    provider = partner_of(actor)
    if not provider.is_indirect_provider:
        raise PartnershipRefused("Only an indirect provider can invite resellers.")
    reseller, address = _find_reseller(provider, partner_id, email)
    if reseller.pk == provider.pk:
        raise PartnershipRefused("You can't invite your own organisation.")
    now = clock.now()
    with transaction.atomic():
        Partner.objects.select_for_update().filter(pk=provider.pk).first()  # one at a time
        existing = ProviderPartnership.objects.filter(
            provider=provider, reseller=reseller, status__in=OPEN
        ).first()
        if existing is not None:
            if existing.status == PartnershipStatus.ACCEPTED:
                raise PartnershipRefused(f"{reseller} is already one of your resellers.")
            raise PartnershipRefused(
                f"An invitation to {reseller} is already pending (sent "
                f"{existing.invited_at:%d %b %Y}); revoke it first to send a new one."
            )
        try:
            with transaction.atomic():
                partnership = ProviderPartnership.objects.create(
                    provider=provider,
                    reseller=reseller,
                    invited_email=address,
                    invited_by=actor,
                    invited_at=now,
                    expires_at=now + timedelta(days=link_days()),
                )
        except IntegrityError:
            raise PartnershipRefused(f"An invitation to {reseller} is already pending.") from None
        audit.record(
            actor=actor,
            operation="partnership.invite",
            partner=provider,
            obj=partnership,
            new_state=partnership.status,
            detail=f"Invited {reseller} ({address}).",
        )
        audit.record(
            actor=actor,
            operation="partnership.invited",
            partner=reseller,
            obj=partnership,
            new_state=partnership.status,
            detail=f"{provider} invited you to become its indirect reseller.",
        )
        subject, body = emails.render(
            "partnership_invitation",
            partnership=partnership,
            link=link_url(partnership),
            days=link_days(),
        )
        notifications.queue_email(to=[address], subject=subject, body=body, partner=reseller)
        notifications.notify(
            users=notifications.partner_users(reseller, Role.GLOBAL_ADMIN),
            subject=subject,
            body="A Global admin can accept the invitation.",
            url=links.path_for(links.PARTNERSHIP, partnership.pk),
        )
    return partnership


def open_partnership_link(*, actor: User, token: str) -> ProviderPartnership:
    """PV-3: the partnership a link names, if `actor` may answer it; else a LinkProblem."""
    pk = links.read_token(links.PARTNERSHIP, token)
    partnership = (
        ProviderPartnership.objects.select_related("provider", "reseller", "invited_by")
        .filter(pk=pk)
        .first()
    )
    if partnership is None:
        raise LinkNotFound()
    if getattr(actor, "partner_id", None) != partnership.reseller_id:
        raise LinkWrongAudience()
    _check_open(partnership)
    return partnership


def _check_open(partnership: ProviderPartnership) -> None:
    if partnership.status == PartnershipStatus.REVOKED:
        raise LinkWithdrawn()
    if partnership.status == PartnershipStatus.EXPIRED:
        raise LinkExpired()
    if partnership.status != PartnershipStatus.INVITED:
        raise LinkUsed()
    if clock.now() >= partnership.expires_at:
        raise LinkExpired()


@audit.refusals("partnership.accept")
def partnership_accept(*, actor: User, token: str) -> ProviderPartnership:
    """PV-2: only a Global admin of the invited reseller, an active indirect reseller (EN-7),
    accepts; then each appears in the other's list."""
    partnership = open_partnership_link(actor=actor, token=token)
    if not actor.has_role(Role.GLOBAL_ADMIN):
        raise RoleRequired(
            [Role.GLOBAL_ADMIN], "Only a Global admin can accept a provider's invitation."
        )
    reseller = partnership.reseller
    require_indirect_reseller(partner=reseller, action="accept an indirect provider's invitation")
    with transaction.atomic():
        partnership = ProviderPartnership.objects.select_for_update().get(pk=partnership.pk)
        _check_open(partnership)
        old = partnership.status
        provider = partnership.provider
        # One event for each side: the reseller's with the transition, then the provider's.
        apply_transition(
            partnership,
            PARTNERSHIP_TRANSITIONS,
            PartnershipStatus.ACCEPTED,
            actor=actor,
            operation="partnership.accept",
            partner=reseller,
            detail=f"Accepted {provider}'s invitation: it is now one of your providers.",
            accepted_by=actor,
            accepted_at=clock.now(),
        )
        audit.record(
            actor=actor,
            operation="partnership.accept",
            partner=provider,
            obj=partnership,
            old_state=old,
            new_state=partnership.status,
            detail=f"{reseller} accepted your invitation: it is now one of your resellers.",
        )
        subject, body = emails.render("partnership_accepted", reseller=reseller)
        notifications.notify_partner(
            partner=provider, subject=subject, body=body, url=reverse("provider_resellers")
        )
    return partnership


@audit.refusals("partnership.revoke")
def partnership_revoke(*, actor: User, partnership: ProviderPartnership) -> ProviderPartnership:
    """PV-2: the provider withdraws a pending invitation; its link stops working (PV-3)."""
    require_role(actor, Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
    with transaction.atomic():
        partnership = ProviderPartnership.objects.select_for_update().get(
            pk=partnership.pk, provider=actor.partner
        )
        if partnership.status != PartnershipStatus.INVITED:
            raise PartnershipRefused(
                f"Only a pending invitation can be revoked; this one is "
                f"{partnership.get_status_display().lower()}."
            )
        apply_transition(
            partnership,
            PARTNERSHIP_TRANSITIONS,
            PartnershipStatus.REVOKED,
            actor=actor,
            operation="partnership.revoke",
            detail=f"Revoked the invitation to {partnership.reseller}.",
            ended_at=clock.now(),
        )
        notifications.notify(
            users=notifications.partner_users(partnership.reseller, Role.GLOBAL_ADMIN),
            subject=emails.render("partnership_revoked", provider=partnership.provider)[0],
        )
    return partnership


def expire_partnership_invitations(now: datetime) -> int:
    """PV-3 sweeper body: invitations past their expiry become Expired (idempotent).
    Set-based: a chunk at a time (`each_due_chunk`), one UPDATE and one audit insert each."""

    def expire(rows: list[ProviderPartnership]) -> None:
        apply_transition_many(
            rows,
            PARTNERSHIP_TRANSITIONS,
            PartnershipStatus.EXPIRED,
            actor=None,
            operation="partnership.expire",
            partner_of=lambda partnership: partnership.provider,
            detail=lambda partnership: (
                f"The invitation to {partnership.reseller} expired unanswered."
            ),
            at=now,
            ended_at=now,
        )

    due = ProviderPartnership.objects.filter(
        status=PartnershipStatus.INVITED, expires_at__lte=now
    ).select_related("provider", "reseller")
    return each_due_chunk(due, expire)
