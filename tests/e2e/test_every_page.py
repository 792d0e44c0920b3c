"""Every page, every persona, two screen widths (issue 17): no horizontal scrolling at 1366 and
390 px, and no serious or critical axe-core violation (axe-playwright-python, which carries
axe-core itself: nothing loads from a CDN).

Each persona of the demo world signs in through the real form and walks the portal the way a
user does: from home, every same-site link it is shown, breadth first, one page per URL pattern
(the twentieth customer page looks like the first). The world is at stage "extended" of the
journey (demo/stages.py), so lists, relationships, GDAP, transfers and provider pages all have
rows. Findings are collected over the whole walk and reported together.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Portal-Demo-2026"
PERSONAS = {
    "partner_global_admin": "globaladmin@contoso.example",
    "partner_admin_agent": "agent@contoso.example",
    "partner_sales_agent": "sales@contoso.example",
    "provider": "admin@fabrikam.example",
    "customer_admin": "admin@adatum.example",
    "customer_user": "user@adatum.example",
    "staff": "support@portal.example",
}
WIDTHS = (1366, 390)
# axe-core runs once per page, at phone width: what it checks (names, labels, contrast, roles)
# doesn't change with the width, except what only narrow screens have (tables that scroll
# inside themselves), and a second run would double the sweep's time.
AXE_WIDTH = 390
SERIOUS = {"serious", "critical"}
# Not pages of the portal's own: the Django admin, the API, files, signing out.
SKIPPED_PREFIXES = ("/admin/", "/v1/", "/graph/", "/webhooks/v1/", "/static/", "/signout")
# Files to download (CSV exports, agreement texts), not pages to read.
FILES = (".csv", "/download/")
MAX_PAGES = 80

OVERFLOW = """() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const sticksOut = el => el.getBoundingClientRect().right > root.clientWidth + 1;
    // The innermost elements that stick out: the ones to fix, not their containers.
    const wide = [...document.querySelectorAll('body *')]
        .filter(el => sticksOut(el) && ![...el.children].some(sticksOut))
        .slice(0, 3)
        .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
             + ' "' + (el.textContent || '').trim().slice(0, 30) + '"');
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def extended_world(transactional_db):
    from demo import stages

    stages.advance_to("extended", customers=4, subscriptions=2)


def pattern_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def same_site_links(page, live_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != live_url:
            continue
        if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(FILES):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def walk(page, live_url: str) -> list[str]:
    """The pages a signed-in user reaches by links from home: one per URL pattern."""
    queue, seen_patterns, pages = ["/"], set(), []
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        pattern = pattern_of(urlsplit(path).path)
        if pattern is None or pattern in seen_patterns:
            continue
        seen_patterns.add(pattern)
        response = page.goto(path)
        if response is None or response.status >= 400:
            continue
        pages.append(path)
        queue.extend(same_site_links(page, live_url))
    return pages


def findings_on(page, axe, path: str) -> list[str]:
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(path)
        overflow = page.evaluate(OVERFLOW)
        if overflow:
            found.append(f"{path} @{width}px: scrolls sideways {overflow}")
        if width != AXE_WIDTH:
            continue
        violations = axe.run(page).response["violations"]
        for v in violations:
            if v["impact"] in SERIOUS:
                targets = [n["target"] for n in v["nodes"][:3]]
                found.append(f"{path} @{width}px: axe {v['id']} ({v['impact']}) {targets}")
    return found


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_page_reads_well_at_1366_and_390_px(
    persona, extended_world, page, sign_in, live_server, axe
):
    sign_in(PERSONAS[persona], PASSWORD)
    pages = walk(page, live_server.url)
    assert len(pages) >= 3, f"{persona} reached only {pages}"
    findings = [f for path in pages for f in findings_on(page, axe, path)]
    assert not findings, f"{persona} on {len(pages)} pages:\n" + "\n".join(findings)


def test_signed_out_pages_read_well(db, page, live_server, axe):
    findings = [f for path in ("/signin/", "/no-such-page/") for f in findings_on(page, axe, path)]
    assert not findings, "\n".join(findings)
