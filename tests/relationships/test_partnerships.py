"""PV-1..PV-3: the provider directory, partnership invitations, their signed links."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from core import clock, sweep
from core.exceptions import RoleRequired
from core.models import AuditEvent, Outcome, Role, Service
from core.services import clock_advance
from enrollment.exceptions import IndirectResellerRequired
from relationships import links, selectors
from relationships.exceptions import (
    LinkExpired,
    LinkProblem,
    LinkUsed,
    LinkWithdrawn,
    LinkWrongAudience,
    PartnershipRefused,
)
from relationships.models import PartnershipStatus, ProviderPartnership
from relationships.services import partnerships as svc
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return f.ProviderFactory(legal_name="Fabrikam Distribution")


@pytest.fixture
def provider_admin(provider):
    return f.UserFactory(partner=provider, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT])


# --- PV-1 -----------------------------------------------------------------------------------


@pytest.mark.rule("PV-1")
def test_pv1_directory_search_by_name_country_and_service(client):
    a = f.ProviderFactory(legal_name="Alpha Dist", country="US", services_offered=["marketing"])
    b = f.ProviderFactory(legal_name="Beta Dist", country="GB", services_offered=["financing"])
    f.PartnerFactory(legal_name="Alpha Reseller")  # not a provider: never listed
    assert list(selectors.directory(q="alpha")) == [a]
    assert list(selectors.directory(country="gb")) == [b]
    assert list(selectors.directory(service=Service.MARKETING)) == [a]
    assert list(selectors.directory(q="alpha", country="GB")) == []
    user = rf.global_admin(rf.reseller())
    client.force_login(user)
    response = client.get(reverse("provider_directory"), {"service": "financing"})
    assert response.status_code == 200
    assert b"Beta Dist" in response.content and b"Alpha Dist" not in response.content
    # bad filter input never 500s
    assert client.get(reverse("provider_directory"), {"country": "ZZZ"}).status_code == 200


# --- PV-2 -----------------------------------------------------------------------------------


@pytest.mark.rule("PV-2")
def test_pv2_provider_invites_by_partner_id_and_email_carries_personal_link(
    provider, provider_admin, django_capture_on_commit_callbacks
):
    target = rf.reseller(legal_name="Contoso Cloud")
    ga = rf.global_admin(target, email="ga@contoso.test")
    with django_capture_on_commit_callbacks(execute=True):
        p = svc.partnership_invite(actor=provider_admin, partner_id=target.partner_id)
    assert p.status == PartnershipStatus.INVITED and p.reseller == target
    assert p.expires_at - p.invited_at == timedelta(days=30)
    sent = [m for m in mail.outbox if target.primary_contact_email in m.to]
    assert sent and links.path_for(links.PARTNERSHIP, p.pk) in sent[0].body
    assert ga.notifications.filter(subject__contains="invites you").exists()
    assert AuditEvent.objects.filter(operation="partnership.invite", partner=provider).exists()
    # by the email of another reseller's Global admin
    other = rf.reseller()
    rf.global_admin(other, email="boss@other.test")
    p2 = svc.partnership_invite(actor=provider_admin, email="BOSS@other.test")
    assert p2.reseller == other and p2.invited_email == "boss@other.test"


@pytest.mark.rule("PV-2")
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"partner_id": "9999999"}, "No partner has the PartnerID 9999999"),
        ({"email": "nobody@nowhere.test"}, "is not the email of a partner's Global admin"),
        ({}, "Give either"),
    ],
)
def test_pv2_invite_refused_for_unknown_target(provider_admin, kwargs, message):
    with pytest.raises(PartnershipRefused, match=message):
        svc.partnership_invite(actor=provider_admin, **kwargs)
    assert not ProviderPartnership.objects.exists()
    assert AuditEvent.objects.filter(
        operation="partnership.invite", outcome=Outcome.REFUSED
    ).exists()


@pytest.mark.rule("PV-2")
def test_pv2_invite_refused_for_non_provider_duplicate_and_self(provider, provider_admin):
    target = rf.reseller()
    plain = rf.global_admin(f.PartnerFactory())
    with pytest.raises(PartnershipRefused, match="Only an indirect provider"):
        svc.partnership_invite(actor=plain, partner_id=target.partner_id)
    svc.partnership_invite(actor=provider_admin, partner_id=target.partner_id)
    with pytest.raises(PartnershipRefused, match="already pending"):
        svc.partnership_invite(actor=provider_admin, partner_id=target.partner_id)
    with pytest.raises(PartnershipRefused, match="own organisation"):
        svc.partnership_invite(actor=provider_admin, partner_id=provider.partner_id)
    billing = f.UserFactory(partner=provider, roles=[Role.BILLING_ADMIN])
    with pytest.raises(RoleRequired):
        svc.partnership_invite(actor=billing, partner_id=f.PartnerFactory().partner_id)
    assert ProviderPartnership.objects.count() == 1


@pytest.mark.rule("PV-2")
def test_pv2_global_admin_of_active_indirect_reseller_accepts_then_both_lists_show_it(
    client, provider
):
    target = rf.reseller(legal_name="Contoso Cloud")
    ga = rf.global_admin(target)
    p = rf.invited(provider, target)
    client.force_login(ga)
    url = links.path_for(links.PARTNERSHIP, p.pk)
    page = client.get(url)
    assert page.status_code == 200 and b"Fabrikam Distribution" in page.content
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("indirect_providers")
    p.refresh_from_db()
    assert p.status == PartnershipStatus.ACCEPTED and p.accepted_by == ga
    listing = client.get(reverse("indirect_providers"))
    assert b"Fabrikam Distribution" in listing.content and b"Accepted" in listing.content
    client.force_login(f.UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]))
    resellers = client.get(reverse("provider_resellers"))
    assert b"Contoso Cloud" in resellers.content and b"Accepted" in resellers.content
    assert AuditEvent.objects.filter(operation="partnership.accept", partner=provider).exists()


@pytest.mark.rule("PV-2")
def test_pv2_only_a_global_admin_can_accept(client, provider):
    target = rf.reseller()
    p = rf.invited(provider, target)
    agent = rf.admin_agent(target)
    with pytest.raises(RoleRequired, match="Only a Global admin"):
        svc.partnership_accept(actor=agent, token=rf.token(links.PARTNERSHIP, p.pk))
    client.force_login(agent)
    response = client.post(links.path_for(links.PARTNERSHIP, p.pk))
    assert response.status_code == 403
    assert "Only a Global admin" in response.content.decode()
    p.refresh_from_db()
    assert p.status == PartnershipStatus.INVITED


@pytest.mark.rule("PV-2")
@pytest.mark.rule("EN-7")
def test_pv2_reseller_must_be_active_indirect_reseller(provider):
    target = f.PartnerFactory()  # no indirect reseller enrollment
    ga = rf.global_admin(target)
    p = rf.invited(provider, target)
    with pytest.raises(IndirectResellerRequired, match="indirect reseller"):
        svc.partnership_accept(actor=ga, token=rf.token(links.PARTNERSHIP, p.pk))
    p.refresh_from_db()
    assert p.status == PartnershipStatus.INVITED


@pytest.mark.rule("PV-2")
def test_pv2_provider_revokes_pending_invitation_and_link_stops_working(
    client, provider, provider_admin
):
    target = rf.reseller()
    ga = rf.global_admin(target)
    p = rf.invited(provider, target)
    client.force_login(provider_admin)
    response = client.post(reverse("partnership_revoke", args=[p.pk]), {"confirm": "on"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == PartnershipStatus.REVOKED
    with pytest.raises(PartnershipRefused, match="Only a pending invitation"):
        svc.partnership_revoke(actor=provider_admin, partnership=p)
    with pytest.raises(LinkWithdrawn):
        svc.partnership_accept(actor=ga, token=rf.token(links.PARTNERSHIP, p.pk))
    client.force_login(ga)
    assert client.get(links.path_for(links.PARTNERSHIP, p.pk)).status_code == 410


@pytest.mark.rule("AC-2")
def test_other_providers_invitation_is_not_found(client, provider_admin):
    other = rf.invited(f.ProviderFactory(), rf.reseller())
    client.force_login(provider_admin)
    assert client.post(reverse("partnership_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == PartnershipStatus.INVITED
    # a reseller cannot open the provider pages
    client.force_login(rf.global_admin(rf.reseller()))
    assert client.get(reverse("provider_resellers")).status_code == 403


@pytest.mark.rule("CU-3")
def test_cu3_reseller_check_requires_accepted_partnership(provider):
    target = rf.reseller()
    with pytest.raises(PartnershipRefused, match="must accept your partnership"):
        svc.require_accepted_partnership(provider, target)
    rf.accepted(provider, target)
    svc.require_accepted_partnership(provider, target)


# --- PV-3 -----------------------------------------------------------------------------------


@pytest.mark.rule("PV-3")
def test_pv3_tampered_link_gets_400_and_changes_nothing(client, provider):
    target = rf.reseller()
    ga = rf.global_admin(target)
    p = rf.invited(provider, target)
    good = rf.token(links.PARTNERSHIP, p.pk)
    bad = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    client.force_login(ga)
    for url in (
        reverse("partnership_link", args=[bad]),
        reverse("partnership_link", args=["not-a-token"]),
        # a customer-invitation link is not a partnership link
        reverse("partnership_link", args=[rf.token(links.CUSTOMER, p.pk)]),
    ):
        assert client.get(url).status_code == 400
        response = client.post(url)
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    with pytest.raises(LinkProblem):
        svc.partnership_accept(actor=ga, token=bad)
    p.refresh_from_db()
    assert p.status == PartnershipStatus.INVITED


@pytest.mark.rule("PV-3")
def test_pv3_link_for_missing_invitation_is_404(client):
    client.force_login(rf.global_admin(rf.reseller()))
    assert (
        client.get(reverse("partnership_link", args=[rf.token("partnership", 987654)])).status_code
        == 404
    )


@pytest.mark.rule("PV-3")
def test_pv3_used_link_gets_410(client, provider):
    target = rf.reseller()
    ga = rf.global_admin(target)
    p = rf.invited(provider, target)
    token = rf.token(links.PARTNERSHIP, p.pk)
    svc.partnership_accept(actor=ga, token=token)
    with pytest.raises(LinkUsed):
        svc.partnership_accept(actor=ga, token=token)
    client.force_login(ga)
    response = client.post(reverse("partnership_link", args=[token]))
    assert response.status_code == 410 and "already used" in response.content.decode()
    accepts = AuditEvent.objects.filter(operation="partnership.accept")
    assert accepts.filter(outcome=Outcome.SUCCESS).count() == 2  # one for each side
    assert accepts.filter(outcome=Outcome.REFUSED).count() == 2  # service call + page


@pytest.mark.rule("PV-3")
def test_pv3_expired_link_by_the_simulation_clock_gets_410_then_sweeper_expires(client, provider):
    target = rf.reseller()
    ga = rf.global_admin(target)
    p = rf.invited(provider, target)
    p.expires_at = clock.now() + timedelta(days=30)
    p.save()
    clock_advance(actor=None, delta=timedelta(days=31))
    client.force_login(ga)
    token = rf.token(links.PARTNERSHIP, p.pk)
    response = client.post(reverse("partnership_link", args=[token]))
    assert response.status_code == 410 and "expired" in response.content.decode()
    p.refresh_from_db()
    assert p.status == PartnershipStatus.INVITED
    sweep.run_sweep()
    sweep.run_sweep()  # idempotent
    p.refresh_from_db()
    assert p.status == PartnershipStatus.EXPIRED
    assert AuditEvent.objects.filter(operation="partnership.expire").count() == 1
    with pytest.raises(LinkExpired):
        svc.partnership_accept(actor=ga, token=token)


@pytest.mark.rule("PV-3")
def test_pv3_wrong_audience_gets_403_and_changes_nothing(client, provider):
    target = rf.reseller()
    p = rf.invited(provider, target)
    intruder = rf.global_admin(rf.reseller())
    token = rf.token(links.PARTNERSHIP, p.pk)
    with pytest.raises(LinkWrongAudience):
        svc.partnership_accept(actor=intruder, token=token)
    client.force_login(intruder)
    response = client.post(reverse("partnership_link", args=[token]))
    assert response.status_code == 403 and "another organisation" in response.content.decode()
    refused = AuditEvent.objects.filter(operation="partnership.accept", outcome=Outcome.REFUSED)
    assert refused.filter(detail__contains="invitation_wrong_audience").count() == 2
    client.force_login(f.CustomerAdminFactory())
    assert client.get(reverse("partnership_link", args=[token])).status_code == 403
    p.refresh_from_db()
    assert p.status == PartnershipStatus.INVITED


def test_anonymous_link_goes_to_sign_in(client, provider):
    p = rf.invited(provider, rf.reseller())
    response = client.get(links.path_for(links.PARTNERSHIP, p.pk))
    assert response.status_code == 302 and "/signin/" in response.url


@pytest.mark.rule("EN-8")
def test_indirect_providers_page_needs_indirect_reseller(client):
    client.force_login(rf.global_admin(f.PartnerFactory()))
    response = client.get(reverse("indirect_providers"))
    assert response.status_code == 302
    client.force_login(rf.global_admin(rf.reseller()))
    assert client.get(reverse("indirect_providers")).status_code == 200


def test_invite_page_shows_inline_errors(client, provider_admin):
    client.force_login(provider_admin)
    response = client.post(reverse("partnership_invite"), {"partner_id": "12"})
    assert response.status_code == 200 and b"6 or 7 digits" in response.content
    response = client.post(reverse("partnership_invite"), {"partner_id": "9999999"})
    assert b"No partner has the PartnerID" in response.content
    target = rf.reseller()
    response = client.post(reverse("partnership_invite"), {"partner_id": target.partner_id})
    assert response.status_code == 302
