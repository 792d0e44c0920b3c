"""Trainer cohorts (issue 17): `seed_demo --trainees N` and the staff Rehearsals board seed a
class of trainee partners, each a copy of Contoso's world sharing the providers; the board shows
each one's progress and refusals, and resets one trainee's world to a stage."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.exceptions import CustomerGlobalAdminRequired
from core.models import AuditEvent, Customer, CustomerRelationship, Partner, User
from customers import services as customer_services
from demo import rehearsals, seeding, services, stages, trainees, world
from demo.exceptions import (
    TraineeCountInvalid,
    TraineeStageRefused,
    TraineeUnknown,
    TrainerRequired,
)
from enrollment.exceptions import DirectBillStillActive
from enrollment.services.direct_bill import direct_bill_restrict
from enrollment.services.indirect import indirect_enrollment_submit
from relationships.models import ProviderPartnership
from transfers.models import TransferRequest

pytestmark = pytest.mark.django_db


def _state(partner):
    """What a reset must leave alone: a trainee's customers, relationships, audit events."""
    return (
        sorted(
            CustomerRelationship.objects.filter(partner=partner).values_list(
                "pk", "kind", "ended_at"
            )
        ),
        AuditEvent.objects.filter(partner=partner, outcome="success").count(),
        partner.direct_bill_enrollment.status,
    )


def test_seeding_builds_n_trainees_each_a_copy_of_contosos_world(staff):
    seeded = services.demo_trainees_seed(actor=staff, count=2, customers=4)
    assert [trainees.number_of(p) for p in seeded] == [1, 2]
    demo = stages.cast()
    assert demo is not None  # the demo world they share the providers with
    for number, partner in enumerate(seeded, start=1):
        key = trainees.key(number)
        assert partner.tenant.domain == f"{key}.contoso.example"
        login = User.objects.get(email=f"{key}@contoso.example")
        assert login.partner == partner and login.check_password(world.DEMO_PASSWORD)
        customers = Customer.objects.filter(relationships__partner=partner)
        assert sorted(c.tenant.domain for c in customers) == sorted(
            f"{key}-{seeding.customer_domain(i)}" for i in range(4)
        )
        assert partner.direct_bill_enrollment.status == "active"
        assert stages.stage_of(trainees.cast(partner)) == "start"
    assert Partner.objects.filter(is_indirect_provider=True).count() == 2  # shared, not copied
    event = AuditEvent.objects.get(operation="demo.trainees_seed")
    assert event.actor == staff and "trainee01, trainee02" in event.detail


def test_seeding_again_adds_only_the_missing_trainees(staff):
    services.demo_trainees_seed(actor=staff, count=2, customers=3)
    customers, users = Customer.objects.count(), User.objects.count()
    services.demo_trainees_seed(actor=staff, count=2, customers=3)
    assert (Customer.objects.count(), User.objects.count()) == (customers, users)
    assert AuditEvent.objects.filter(operation="demo.trainees_seed").count() == 1
    services.demo_trainees_seed(actor=staff, count=3, customers=3)
    assert [trainees.number_of(p) for p in trainees.partners()] == [1, 2, 3]
    assert Customer.objects.filter(tenant__domain__startswith="trainee03-").count() == 3


def test_seeding_refuses_a_bad_count_or_a_non_staff_actor_and_changes_nothing(staff):
    services.demo_trainees_seed(actor=staff, count=1, customers=2)
    login = User.objects.get(email="trainee01@contoso.example")
    partners = Partner.objects.count()
    with pytest.raises(TraineeCountInvalid):
        services.demo_trainees_seed(actor=staff, count=0)
    with pytest.raises(TraineeCountInvalid):
        services.demo_trainees_seed(actor=staff, count=trainees.MAX_TRAINEES + 1)
    with pytest.raises(TrainerRequired):
        services.demo_trainees_seed(actor=login, count=3)
    assert Partner.objects.count() == partners
    refused = AuditEvent.objects.filter(operation="demo.trainees_seed", outcome="refused")
    assert refused.count() == 3


def test_command_seeds_trainees_and_prints_their_logins_and_the_password(db, capsys):
    call_command("seed_demo", trainees=2, customers=2)
    out = capsys.readouterr().out
    assert "trainee01@contoso.example" in out and "trainee02@contoso.example" in out
    assert world.DEMO_PASSWORD in out
    call_command("seed_demo", trainees=2, customers=2)  # again: nothing added
    assert trainees.partners().count() == 2
    with pytest.raises(CommandError, match="between 1 and"):
        call_command("seed_demo", trainees=0)
    with pytest.raises(CommandError, match="Rehearsals board"):
        call_command("seed_demo", trainees=2, stage="start")


@pytest.mark.rule("AC-2")
def test_AC_2_trainee01_cannot_see_trainee02s_customers(staff, client):
    services.demo_trainees_seed(actor=staff, count=2, customers=3)
    theirs = Customer.objects.filter(tenant__domain__startswith="trainee02-").first()
    mine = Customer.objects.filter(tenant__domain__startswith="trainee01-").first()
    client.force_login(User.objects.get(email="trainee01@contoso.example"))
    listing = client.get("/customers/").content.decode()
    assert mine.company_name in listing
    assert "(trainee02)" not in listing
    assert client.get(f"/customers/{mine.pk}/").status_code == 200
    assert client.get(f"/customers/{theirs.pk}/").status_code == 404


def _board_row(key):
    return next(row for row in rehearsals.board() if row.key == key)


def _steps(key):
    return {step.label: step.done for step in _board_row(key).steps}


def test_progress_on_the_board_follows_the_trainees_actions(staff):
    services.demo_trainees_seed(actor=staff, count=2, customers=3)
    trainee = trainees.partner(1)
    cast = trainees.cast(trainee)
    assert _board_row("trainee01").stage == "start"
    assert not any(_steps("trainee01").values())

    direct_bill_restrict(actor=cast.support, partner=trainee, reason="Class")
    assert _steps("trainee01")["Direct-bill account restricted"]
    assert _board_row("trainee01").stage == "restricted"
    assert not _steps("trainee02")["Direct-bill account restricted"]

    stages.advance_cast(cast, "extended")
    row = _board_row("trainee01")
    assert row.stage == "extended"
    done = {step.label: (step.done, step.detail) for step in row.steps}
    assert done["Enrolled as indirect reseller"][0]
    assert done["Partnership with a provider"] == (True, "Fabrikam Distribution")
    assert done["Relationships with a provider"] == (True, "3 of 3 customers")
    assert done["Subscriptions transferred"][0] is False
    assert _board_row("trainee02").steps_done == 0


@pytest.mark.rule("DB-3")
@pytest.mark.rule("CU-7")
def test_refusals_the_trainee_met_are_counted_with_their_rule_ids(staff):
    services.demo_trainees_seed(actor=staff, count=2, customers=2)
    trainee = trainees.partner(1)
    login = User.objects.get(email="trainee01@contoso.example")
    for _ in range(2):  # DB-3: an Active direct-bill tenant can't enroll as indirect reseller
        with pytest.raises(DirectBillStillActive):
            indirect_enrollment_submit(
                actor=login,
                partner=trainee,
                legal_name=trainee.legal_name,
                primary_contact_email=trainee.primary_contact_email,
            )
    row = _board_row("trainee01")
    assert row.refusal_count == 2
    assert [r.rule for r in row.refusals] == ["DB-3", "DB-3"]
    assert row.refusals[0].operation == "indirect_enrollment.submit"
    assert not row.refusals[0].message.startswith("[")
    assert _board_row("trainee02").refusal_count == 0

    # CU-7: a plain user of one of trainee01's customers can't accept the MCA; the trainee
    # playing the customer met that refusal too.
    plain = User.objects.get(email="user@trainee01-adatum.example")
    with pytest.raises(CustomerGlobalAdminRequired):
        customer_services.mca_accept(actor=plain, signatory_name="Pat", signatory_email=plain.email)
    row = _board_row("trainee01")
    assert row.refusal_count == 3
    assert (row.refusals[0].operation, row.refusals[0].rule) == ("mca.accept", "CU-7")
    assert _board_row("trainee02").refusal_count == 0


def test_reset_rebuilds_one_trainee_at_a_stage_and_leaves_the_others_unchanged(staff):
    services.demo_trainees_seed(actor=staff, count=2, customers=3)
    stages.advance_cast(trainees.cast(trainees.partner(1)), "transferred")
    stages.advance_cast(trainees.cast(trainees.partner(2)), "partnered")
    demo = stages.cast()
    other, contoso = _state(trainees.partner(2)), _state(demo.contoso)
    partnerships = ProviderPartnership.objects.filter(reseller=trainees.partner(2)).count()
    old = trainees.partner(1)

    services.demo_trainee_reset(actor=staff, number=1, stage="enrolled")

    new = trainees.partner(1)
    assert new.pk != old.pk and not Partner.objects.filter(pk=old.pk).exists()
    assert stages.stage_of(trainees.cast(new)) == "enrolled"
    assert _board_row("trainee01").stage == "enrolled"
    assert not TransferRequest.objects.filter(source=new).exists()
    assert not TransferRequest.objects.exists()  # trainee01's transfers went with its world
    assert Customer.objects.filter(tenant__domain__startswith="trainee01-").count() == 3
    login = User.objects.get(email="trainee01@contoso.example")
    assert login.partner == new and login.check_password(world.DEMO_PASSWORD)
    # The others are untouched: trainee02 (its partnership too) and Contoso's world.
    assert _state(trainees.partner(2)) == other
    assert ProviderPartnership.objects.filter(reseller=trainees.partner(2)).count() == partnerships
    assert _state(demo.contoso) == contoso
    assert stages.stage_of(trainees.cast(trainees.partner(2))) == "partnered"
    event = AuditEvent.objects.get(operation="demo.trainee_reset", outcome="success")
    assert (event.actor, event.object_id, event.new_state) == (staff, "trainee01", "enrolled")


def test_reset_is_refused_for_an_unknown_trainee_or_a_non_staff_actor_and_changes_nothing(staff):
    services.demo_trainees_seed(actor=staff, count=1, customers=2)
    stages.advance_cast(trainees.cast(trainees.partner(1)), "restricted")
    trainee = trainees.partner(1)
    before = _state(trainee)
    login = User.objects.get(email="trainee01@contoso.example")
    with pytest.raises(TraineeUnknown):
        services.demo_trainee_reset(actor=staff, number=2, stage="start")
    with pytest.raises(TrainerRequired):
        services.demo_trainee_reset(actor=login, number=1, stage="start")
    assert trainees.partner(1).pk == trainee.pk and _state(trainee) == before
    assert stages.stage_of(trainees.cast(trainee)) == "restricted"
    refused = AuditEvent.objects.filter(operation="demo.trainee_reset", outcome="refused")
    assert refused.count() == 2


def test_a_refused_stage_rolls_the_reset_back(staff):
    services.demo_trainees_seed(actor=staff, count=1, customers=2)
    trainee = trainees.partner(1)
    before = _state(trainee)
    demo = stages.cast()
    demo.fabrikam_admin.roles = []  # Fabrikam can't invite: the "partnered" step is refused
    demo.fabrikam_admin.save(update_fields=["roles"])
    with pytest.raises(TraineeStageRefused, match="trainee01 was not reset"):
        services.demo_trainee_reset(actor=staff, number=1, stage="partnered")
    assert trainees.partner(1).pk == trainee.pk and _state(trainee) == before


# --- the staff pages ---------------------------------------------------------------------------


def test_staff_add_trainees_from_the_board(login, staff):
    client = login(staff)
    html = client.get("/staff/rehearsals/").content.decode()
    assert 'data-testid="no-trainees"' in html
    response = client.post("/staff/rehearsals/", {"count": "2"})
    assert response.status_code == 302 and response["Location"] == "/staff/rehearsals/"
    html = client.get("/staff/rehearsals/").content.decode()
    assert 'data-testid="trainee-trainee01"' in html and 'data-testid="trainee-trainee02"' in html
    assert "trainee02@contoso.example" in html and world.DEMO_PASSWORD in html
    assert "Start" in html.split('data-testid="trainee-trainee01"')[1].split("</section>")[0]


def test_a_bad_count_on_the_board_is_refused_and_adds_nothing(login, staff):
    client = login(staff)
    for bad in ["0", str(trainees.MAX_TRAINEES + 1), "two", ""]:
        response = client.post("/staff/rehearsals/", {"count": bad})
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
    assert not trainees.partners().exists() and not Partner.objects.exists()


def test_staff_reset_a_trainee_from_the_board_after_confirming(login, staff):
    services.demo_trainees_seed(actor=staff, count=2, customers=2)
    stages.advance_cast(trainees.cast(trainees.partner(2)), "restricted")
    client = login(staff)
    board = client.get("/staff/rehearsals/").content.decode()
    assert 'href="/staff/rehearsals/reset/?trainee=trainee01"' in board
    page = client.get("/staff/rehearsals/reset/?trainee=trainee01").content.decode()
    assert '<option value="trainee01" selected>' in page

    unconfirmed = client.post(
        "/staff/rehearsals/reset/", {"trainee": "trainee01", "stage": "partnered"}
    )
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert stages.stage_of(trainees.cast(trainees.partner(1))) == "start"

    response = client.post(
        "/staff/rehearsals/reset/",
        {"trainee": "trainee01", "stage": "partnered", "confirm": "on"},
        follow=True,
    )
    assert response.redirect_chain == [("/staff/rehearsals/", 302)]
    html = response.content.decode()
    assert "trainee01’s world was rebuilt at stage “3. Partnered”" in html
    row = html.split('data-testid="trainee-trainee01"')[1].split("</section>")[0]
    assert "3. Partnered" in row
    assert stages.stage_of(trainees.cast(trainees.partner(2))) == "restricted"


def test_non_staff_cannot_see_the_board_or_seed_or_reset(client, staff):
    services.demo_trainees_seed(actor=staff, count=1, customers=2)
    trainee = trainees.partner(1)
    client.force_login(User.objects.get(email="trainee01@contoso.example"))
    assert client.get("/staff/rehearsals/").status_code == 403
    assert client.post("/staff/rehearsals/", {"count": "3"}).status_code == 403
    reset = {"trainee": "trainee01", "stage": "closed", "confirm": "on"}
    assert client.post("/staff/rehearsals/reset/", reset).status_code == 403
    client.logout()
    anonymous = client.post("/staff/rehearsals/reset/", reset)
    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]
    assert [p.pk for p in trainees.partners()] == [trainee.pk]
    assert stages.stage_of(trainees.cast(trainee)) == "start"


def test_staff_home_and_navigation_link_the_board(login, staff):
    html = login(staff).get("/").content.decode()
    assert html.count('href="/staff/rehearsals/"') == 2  # the navigation and the home card
