"""The partner profile (EN-2): a Global admin edits it and confirms it is current."""

from django.db import IntegrityError, transaction

from core import audit, clock
from core.exceptions import InvalidInput
from core.models import Partner, Role, User
from core.roles import require_role

from .guards import locked_partner


@audit.refusals("partner.profile.update")
def partner_profile_update(
    *,
    actor: User,
    partner: Partner,
    legal_name: str,
    partner_id: str,
    country: str,
    primary_contact_email: str,
) -> Partner:
    """Edit the partner profile (Global admin). Validation is the form's; the DB has checks."""
    require_role(actor, Role.GLOBAL_ADMIN)
    with transaction.atomic():
        locked = locked_partner(partner)
        before = f"{locked.legal_name} / {locked.partner_id or '—'}"
        locked.legal_name = legal_name.strip()
        locked.partner_id = partner_id.strip()
        locked.country = country.strip().upper()
        locked.primary_contact_email = primary_contact_email.strip().lower()
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=["legal_name", "partner_id", "country", "primary_contact_email"]
                )
        except IntegrityError:
            raise InvalidInput("That PartnerID belongs to another organisation.") from None
        audit.record(
            actor=actor,
            partner=locked,
            operation="partner.profile.update",
            obj=locked,
            old_state=before[:64],
            new_state=f"{locked.legal_name} / {locked.partner_id or '—'}"[:64],
        )
    return locked


@audit.refusals("partner.profile.confirm")
def partner_profile_confirm(*, actor: User, partner: Partner) -> Partner:
    """EN-2: a Global admin confirms the profile is current (profile_confirmed_on = today)."""
    require_role(actor, Role.GLOBAL_ADMIN)
    with transaction.atomic():
        locked = locked_partner(partner)
        before = str(locked.profile_confirmed_on or "")
        locked.profile_confirmed_on = clock.today()
        locked.save(update_fields=["profile_confirmed_on"])
        audit.record(
            actor=actor,
            partner=locked,
            operation="partner.profile.confirm",
            obj=locked,
            old_state=before,
            new_state=str(locked.profile_confirmed_on),
        )
    return locked
