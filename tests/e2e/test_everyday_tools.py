"""Everyday tools in the browser: CSV exports downloaded and parsed (with the page's filters),
the Transition progress chart, a support thread answered by staff in the admin, notifications
marked read when opened, and an agreement's text downloaded."""

import csv
import io

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def transferred(transactional_db):
    from demo import stages

    return stages.advance_to("transferred", customers=6, subscriptions=2)


def _download_csv(page) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(io.StringIO(handle.read())))


@pytest.mark.rule("AC-2")
@pytest.mark.rule("TR-2")
def test_exports_download_the_filtered_rows_and_the_chart_draws(page, sign_in, transferred):
    cast = transferred
    names = sorted(c.company_name for c in cast.customers)
    sign_in("agent@contoso.example", DEMO_PASSWORD)

    # Customers: every customer; then the search of the page narrows the export too.
    page.goto("/customers/")
    rows = _download_csv(page)
    assert rows[0] == ["Customer", "Domain", "Relationship kind", "Relationship", "MCA"]
    assert sorted(r[0] for r in rows[1:]) == names
    page.get_by_role("searchbox", name="Search").fill(names[0])
    page.get_by_role("button", name="Filter").click()
    rows = _download_csv(page)
    assert [r[0] for r in rows[1:]] == [names[0]]

    # Transition checklist: the "Done" filter holds every customer once all moved.
    page.goto("/transition/?filter=done")
    rows = _download_csv(page)
    assert rows[0][:2] == ["Customer", "Provider"]
    assert sorted(r[0] for r in rows[1:]) == names
    assert {r[1] for r in rows[1:]} == {cast.fabrikam.legal_name}
    assert {r[3] for r in rows[1:]} == {"0"}

    # The progress chart: two SVG charts with points, and the same numbers as a table.
    page.goto("/transition/")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(2)
    expect(charts.first.locator("circle[data-point]").first).to_be_attached()
    assert charts.first.locator("circle[data-point]").count() >= 6  # 3 series, 2+ days
    expect(charts.first.locator("desc")).to_contain_text(f"{len(names)} moved")
    page.get_by_text("Customers over time: data table").click()
    expect(page.get_by_test_id("chart-customers-table")).to_be_visible()

    # Transfers: the completed requests, Contoso the source.
    page.goto("/transfers/?status=complete")
    rows = _download_csv(page)
    assert rows[0][:4] == ["Request", "Customer", "Source", "Target"]
    assert len(rows) - 1 == len(names)
    assert {r[2] for r in rows[1:]} == {cast.contoso.legal_name}

    # Audit log: filtered by one operation.
    page.goto("/audit/?operation=transfer.complete")
    rows = _download_csv(page)
    assert rows[0][1] == "Operation"
    assert rows[1:] and {r[1] for r in rows[1:]} == {"transfer.complete"}


@pytest.mark.rule("DB-1")
def test_a_support_thread_answered_by_staff_shows_to_the_partner(page, sign_in, demo_world):
    # The partner asks support.
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto("/account/support/")
    page.get_by_label("What do you need?").select_option("other")
    page.get_by_label("Details").fill("How do we move our sandbox?")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".message-success")).to_contain_text("is sent")
    page.get_by_role("link", name="Something else").first.click()
    expect(page.get_by_test_id("support-thread")).to_contain_text("How do we move our sandbox?")

    # Staff answer it in the admin (the "Answer" action, through the service).
    sign_in("support@portal.example", DEMO_PASSWORD)
    page.goto("/admin/enrollment/supportrequest/")
    row = page.locator("tr", has_text="How do we move our sandbox?")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Answer the selected support request")
    page.locator("button[name=index]").click()
    page.get_by_label("Answer").fill("Sandboxes don't move: create a new one after the move.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".messagelist")).to_contain_text("Answered")

    # The partner is notified; opening the notification marks it read and shows the answer.
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto("/notifications/")
    notice = page.locator("li", has_text="Support answered your request")
    expect(notice).to_contain_text("Unread")
    notice.get_by_role("link").click()
    thread = page.get_by_test_id("support-thread")
    expect(thread.locator("[data-from=support]")).to_contain_text("Sandboxes don't move")
    page.get_by_label("Your message").fill("Thank you.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_test_id("support-thread")).to_contain_text("Thank you.")
    page.goto("/notifications/")
    expect(page.locator("li", has_text="Support answered your request")).to_contain_text("Read")
    expect(page.locator("li", has_text="Support answered your request")).not_to_contain_text(
        "Unread"
    )


@pytest.mark.rule("EN-7")
def test_the_partner_agreement_reads_and_downloads(page, sign_in, demo_world):
    sign_in("billing@contoso.example", DEMO_PASSWORD)
    page.goto("/account/agreements/")
    page.get_by_role("link", name="Microsoft Partner Agreement", exact=True).click()
    expect(page.get_by_test_id("agreement-text")).to_contain_text("Simulation.")
    expect(page.get_by_test_id("acceptance-records")).to_contain_text("CSP direct bill")
    with page.expect_download() as info:
        page.get_by_test_id("agreement-download").click()
    download = info.value
    assert download.suggested_filename.startswith("partner-agreement-")
    with open(download.path(), encoding="utf-8") as handle:
        html = handle.read()
    assert "Simulation." in html and "Contoso Cloud" in html
