"""A trainer runs a class: on the staff Rehearsals board the trainer adds trainees, resets one
trainee's world to a stage after confirming, and sees that trainee's progress change while the
other trainee stays where it was; the trainee then signs in to its own world."""

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trainer_resets_a_trainee_to_a_stage_and_sees_its_progress_change(
    page, sign_in, demo_world
):
    sign_in("support@portal.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Workspaces").get_by_role("link", name="Rehearsals").click()
    expect(page.get_by_test_id("no-trainees")).to_be_visible()
    page.get_by_label("Number of trainees").fill("2")
    page.get_by_role("button", name="Add trainees").click()
    expect(page.locator(".message-success")).to_contain_text("trainees 01 to 02")

    first = page.get_by_test_id("trainee-trainee01")
    second = page.get_by_test_id("trainee-trainee02")
    expect(first.get_by_test_id("stage")).to_have_text("Start")
    expect(first.get_by_test_id("steps-done")).to_have_text("0 of 8 steps done")

    first.get_by_role("link", name="Reset trainee01 to a stage…").click()
    expect(page.get_by_label("Trainee", exact=True)).to_have_value("trainee01")
    page.get_by_label("Stage").select_option(label="3. Partnered")
    page.get_by_role("button", name="Reset the trainee").click()
    expect(page.locator(".error")).to_contain_text("Tick the box to confirm")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Reset the trainee").click()

    expect(page.locator(".message-success")).to_contain_text(
        "trainee01’s world was rebuilt at stage “3. Partnered”"
    )
    expect(first.get_by_test_id("stage")).to_have_text("3. Partnered")
    expect(first.get_by_test_id("steps-done")).to_have_text("3 of 8 steps done")
    expect(first.get_by_test_id("steps")).to_contain_text("Fabrikam Distribution")
    expect(second.get_by_test_id("stage")).to_have_text("Start")
    expect(second.get_by_test_id("steps-done")).to_have_text("0 of 8 steps done")

    # The trainee signs in to its own world, rebuilt at the stage: its own customers only.
    sign_in("trainee01@contoso.example", DEMO_PASSWORD)
    page.goto("/customers/")
    expect(page.get_by_text("Adatum Corporation (trainee01)")).to_be_visible()
    expect(page.get_by_text("(trainee02)")).to_have_count(0)
