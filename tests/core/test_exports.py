"""CSV exports (customers, Transition checklist, audit log, transfers): streamed, named, the
page's filters applied, the partner's own rows only (AC-2), formulas defused."""

import csv
import io

import pytest

from core import audit
from core.csv_export import safe_cell
from core.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming, "the export must stream"
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('.csv"')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return disposition, rows[0], rows[1:]


@pytest.fixture
def world():
    ours = f.PartnerFactory(legal_name="Our Partner")
    f.DirectBillEnrollmentFactory(partner=ours)
    theirs = f.PartnerFactory(legal_name="Their Partner")
    f.DirectBillEnrollmentFactory(partner=theirs)
    user = f.UserFactory(partner=ours, roles=[Role.SALES_AGENT])
    mine = []
    for name in ("Alpha Ltd", '=HYPERLINK("http://x")', "Beta GmbH"):
        customer = f.CustomerFactory(company_name=name)
        f.RelationshipFactory(customer=customer, partner=ours)
        f.SubscriptionFactory(customer=customer, billing_partner=ours)
        mine.append(customer)
    foreign = f.CustomerFactory(company_name="Alpha Foreign")
    f.RelationshipFactory(customer=foreign, partner=theirs)
    return {"ours": ours, "theirs": theirs, "user": user, "mine": mine, "foreign": foreign}


def test_safe_cell_defuses_formulas_and_keeps_numbers():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+44 20") == "'+44 20"
    assert safe_cell("-x") == "'-x"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\tcmd") == "'\tcmd"
    assert safe_cell("Plain, text") == "Plain, text"
    assert safe_cell(-3) == "-3"
    assert safe_cell(None) == ""


@pytest.mark.rule("AC-2")
def test_customers_export_AC_2_own_rows_with_the_page_filters(client, world):
    client.force_login(world["user"])
    disposition, header, rows = _download(client, "/customers/export.csv")
    assert "customers-" in disposition
    assert header == ["Customer", "Domain", "Relationship kind", "Relationship", "MCA"]
    names = [r[0] for r in rows]
    assert names == sorted(names) and len(names) == 3
    assert '\'=HYPERLINK("http://x")' in names  # defused, not evaluated by a spreadsheet
    assert not any("Foreign" in cell for row in rows for cell in row)
    assert all(r[2] == "direct" and r[3] == "Direct-bill" for r in rows)
    # The search of the page applies: only the matching customer.
    _d, _h, rows = _download(client, "/customers/export.csv?q=alpha")
    assert [r[0] for r in rows] == ["Alpha Ltd"]


@pytest.mark.rule("AC-2")
@pytest.mark.rule("AC-4")
def test_audit_log_export_AC_2_AC_4_own_events_filtered(client, world):
    ours, theirs = world["ours"], world["theirs"]
    audit.record(actor=None, partner=ours, operation="demo.one", detail="=cmd|' /C calc'!A0")
    audit.record(actor=None, partner=ours, operation="demo.two", detail="second")
    audit.record(actor=None, partner=theirs, operation="demo.one", detail="Their secret")
    client.force_login(world["user"])
    disposition, header, rows = _download(client, "/audit/export.csv")
    assert "audit-log-" in disposition
    assert header[:3] == ["Time (UTC, simulated)", "Operation", "Outcome"]
    details = {r[9] for r in rows}
    assert "'=cmd|' /C calc'!A0" in details and "second" in details
    assert "Their secret" not in details
    _d, _h, rows = _download(client, "/audit/export.csv?operation=demo.two")
    assert [r[1] for r in rows] == ["demo.two"]


@pytest.mark.rule("AC-2")
def test_transfers_export_AC_2_own_requests_filtered(client, world):
    ours, theirs = world["ours"], world["theirs"]
    provider = f.ProviderFactory(legal_name="Some Provider")
    f.TransferRequestFactory(customer=world["mine"][0], source=ours, target=provider)
    f.TransferRequestFactory(
        customer=world["mine"][2], source=ours, target=provider, status="cancelled"
    )
    f.TransferRequestFactory(customer=world["foreign"], source=theirs, target=provider)
    client.force_login(world["user"])
    disposition, header, rows = _download(client, "/transfers/export.csv")
    assert "transfers-" in disposition
    assert header[:4] == ["Request", "Customer", "Source", "Target"]
    assert sorted(r[1] for r in rows) == ["Alpha Ltd", "Beta GmbH"]
    assert all(r[2] == "Our Partner" and r[4] == "to you" for r in rows)
    _d, _h, rows = _download(client, "/transfers/export.csv?status=pending")
    assert [(r[1], r[5]) for r in rows] == [("Alpha Ltd", "Pending")]


@pytest.mark.rule("AC-2")
@pytest.mark.rule("TR-2")
def test_transition_export_AC_2_TR_2_checklist_filtered(client, world):
    client.force_login(world["user"])
    disposition, header, rows = _download(client, "/transition/export.csv")
    assert "transition-checklist-" in disposition
    assert header[0] == "Customer" and header[3] == "Direct-bill subscriptions"
    assert len(rows) == 3
    assert all(r[1] == "" and r[3] == "1" for r in rows)  # no provider yet, 1 to move each
    _d, _h, rows = _download(client, "/transition/export.csv?filter=missing_provider&q=beta")
    assert [r[0] for r in rows] == ["Beta GmbH"]
    _d, _h, rows = _download(client, "/transition/export.csv?filter=done")
    assert rows == []


def test_transition_export_is_for_direct_bill_partners_only(client):
    provider_user = f.UserFactory(partner=f.ProviderFactory(), roles=[Role.GLOBAL_ADMIN])
    client.force_login(provider_user)
    assert client.get("/transition/export.csv").status_code == 404


@pytest.mark.parametrize(
    "page,export",
    [
        ("/customers/", "/customers/export.csv"),
        ("/audit/", "/audit/export.csv"),
        ("/transfers/", "/transfers/export.csv"),
        ("/transition/", "/transition/export.csv"),
    ],
)
def test_each_page_links_its_export_with_its_filters(client, world, page, export):
    client.force_login(world["user"])
    body = client.get(page + "?q=alpha").content.decode()
    assert f'href="{export}?q=alpha"' in body
    assert ">Export CSV<" in body
