"""Screenshots for README's rehearsal walkthrough, taken from a running portal with the demo
world, signed in as the demo users, with Debian's Chromium at 1366 px wide, into docs/.

    python scripts/screenshots.py --url http://127.0.0.1:8000 --prepare why-link transition-chart

Each shot needs the demo world at a point of the journey (demo/stages.py). `--prepare` puts it
there before the shot, in the portal's database (DATABASE_URL, as `manage.py` uses it): it
ERASES the portal's data and rebuilds the demo world, and moves the simulation clock forward
(about eight days per run; it never moves back). Without `--prepare`, the world must already be:
- why-link: `manage.py seed_demo --stage start --reset` (Contoso's direct-bill is Active);
- transition-chart: customers extended, made ready and moved on different simulated days.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from core.services import clock_advance

PASSWORD = "Portal-Demo-2026"  # README: every demo account's password
WIDTH = 1366
DOCS = Path(__file__).resolve().parent.parent / "docs"


def sign_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/signin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _clip(page: Page, top, bottom, pad: int = 8) -> dict:
    """The part of the page from `top`'s top to `bottom`'s bottom, across the main column, in
    page coordinates (measured in one go, so a late scroll to an #anchor can't skew it)."""
    page.wait_for_load_state("load")
    y0 = top.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    y1 = bottom.evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")
    main = page.locator("main").evaluate(
        "e => { const r = e.getBoundingClientRect(); return {x: r.left, width: r.width}; }"
    )
    y = max(y0 - pad, 0)
    return {"x": main["x"], "y": y, "width": main["width"], "height": y1 + pad - y}


def why_link(page: Page, out: Path) -> None:
    """Contoso's Global admin on Programs: enrolling is refused (DB-3) in a plain sentence with
    its Why? link (focused, as a keyboard user reaches it); below, the Program rules page the
    link opens, at DB-3. Both parts in one picture."""
    sign_in(page, "globaladmin@contoso.example")
    page.goto("/account/programs/")
    refusal = page.locator("li.error", has_text="Your direct-bill account is Active")
    why = refusal.get_by_role("link", name="Why?")
    why.focus()
    refused = page.screenshot(
        full_page=True,
        clip=_clip(page, page.get_by_role("heading", level=1), page.locator("main table").first),
    )
    why.click()
    page.wait_for_url("**/help/rules/#DB-3")
    rule = page.locator("dt#DB-3")
    explained = page.screenshot(
        full_page=True, clip=_clip(page, rule, page.locator("dt#DB-3 + dd"))
    )
    _stack(
        page,
        out,
        [
            (refused, "The refusal, with its Why? link"),
            (explained, "Why? opens Program rules at the rule (DB-3)"),
        ],
    )


def _stack(page: Page, out: Path, parts: list[tuple[bytes, str]]) -> None:
    """Save `parts` (PNG bytes, caption) one under the other as one PNG, drawn by the browser
    itself (no image library needed)."""
    figures = "".join(
        f'<figure><figcaption>{caption}</figcaption><img src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"></figure>'
        for png, caption in parts
    )
    sheet = page.context.new_page()
    sheet.set_viewport_size({"width": WIDTH, "height": 400})
    sheet.set_content(
        "<style>body{margin:0;background:#f3f2f1;font:600 15px system-ui,sans-serif;"
        "color:#323130}figure{margin:0;padding:10px 12px 4px}figcaption{margin:0 0 6px}"
        "img{display:block;border:1px solid #c8c6c4;max-width:100%}</style>"
        f'<div id="sheet" style="display:inline-block">{figures}</div>'
    )
    sheet.locator("#sheet").screenshot(path=out)
    sheet.close()


def transition_chart(page: Page, out: Path) -> None:
    """Contoso's Admin agent on Transition: the progress-over-time charts."""
    sign_in(page, "agent@contoso.example")
    page.goto("/transition/")
    page.get_by_test_id("progress-charts").screenshot(path=out)


def _later(days: int) -> None:
    from datetime import timedelta

    clock_advance(actor=None, delta=timedelta(days=days))


def prepare_why_link() -> None:
    """Contoso at the start: direct-bill Active, so enrolling is refused (DB-3)."""
    from demo import stages

    stages.reset_to("start")


def prepare_transition_chart() -> None:
    """Customers extended; three days later made ready; two days later eight of them moved;
    three days later the rest — the same services the people would call (demo/stages.py)."""
    from demo import stages
    from transfers import selectors as transfer_selectors
    from transfers import services as transfers

    c = stages.reset_to("extended")
    _later(3)
    stages.advance_cast(c, "ready")
    _later(2)
    first = list(transfer_selectors.ready_customers(provider=c.fabrikam, reseller=c.contoso))[:8]
    transfers.transfer_create_many(
        actor=c.fabrikam_admin, source=c.contoso, customers=first, partner_of_record=c.contoso
    )
    pending = list(
        transfer_selectors.pending_incoming(source=c.contoso).values_list("pk", flat=True)
    )
    transfers.transfer_submit_many(actor=c.contoso_agent, transfer_ids=pending)
    _later(3)
    stages.advance_cast(c, "transferred")


SHOTS = {"why-link": why_link, "transition-chart": transition_chart}
PREPARE = {"why-link": prepare_why_link, "transition-chart": prepare_transition_chart}


def _django() -> None:
    """Set up Django from this checkout, for --prepare (called from Playwright's sync API,
    which runs an event loop: the ORM's async guard doesn't apply to this one-off script)."""
    import sys

    import django

    sys.path.insert(0, str(DOCS.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerportal.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", required=True, help="The running portal, e.g. http://127.0.0.1:8000"
    )
    parser.add_argument("shots", nargs="+", choices=sorted(SHOTS), help="Which shots to take.")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="Erase the portal's data and build the demo world each shot needs first.",
    )
    args = parser.parse_args()
    if args.prepare:
        _django()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(
            base_url=args.url, viewport={"width": WIDTH, "height": 900}, device_scale_factor=1
        )
        page = context.new_page()
        for name in args.shots:
            if args.prepare:
                from django.db import transaction

                with transaction.atomic():
                    PREPARE[name]()
            out = DOCS / f"{name}.png"
            SHOTS[name](page, out)
            print(f"Saved {out}")
        browser.close()


if __name__ == "__main__":
    main()
