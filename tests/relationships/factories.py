"""Helpers and factories for the relationships tests (partnerships, invitations); the GDAP
factories are in tests/factories.py."""

from datetime import timedelta

import factory
from django.utils import timezone

from core.models import RelationshipKind, Role
from relationships import links
from relationships.models import CustomerInvitation, InvitationKind, PartnershipStatus
from tests import factories as f


def reseller(**kwargs):
    """An active indirect reseller (EN-7) with a Global admin and an Admin agent."""
    partner = f.PartnerFactory(**kwargs)
    f.IndirectEnrollmentFactory(partner=partner)
    return partner


def global_admin(partner, **kwargs):
    return f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN], **kwargs)


def admin_agent(partner, **kwargs):
    return f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT], **kwargs)


def invited(provider, reseller_partner, **kwargs):
    return f.PartnershipFactory(
        provider=provider,
        reseller=reseller_partner,
        status=PartnershipStatus.INVITED,
        accepted_at=None,
        **kwargs,
    )


def accepted(provider, reseller_partner):
    return f.PartnershipFactory(provider=provider, reseller=reseller_partner)


def token(kind, pk):
    return links.make_token(kind, pk)


def direct_customer(partner, **kwargs):
    rel = f.RelationshipFactory(partner=partner, kind=RelationshipKind.DIRECT, **kwargs)
    return rel.customer


class InvitationFactory(f.StateFactory):
    class Meta:
        model = CustomerInvitation

    partner = factory.SubFactory(f.PartnerFactory)
    kind = InvitationKind.INDIRECT
    provider = factory.SubFactory(f.ProviderFactory)
    message = "Hello"
    created_by = factory.SubFactory(f.UserFactory, partner=factory.SelfAttribute("..partner"))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
