"""Keyboard use (issue 17, accessibility): on key pages Tab reaches every action, in the order
the page reads, and the focused element shows a visible focus indicator (an outline or the
focus box-shadow). A confirmation opens, is ticked and is submitted from the keyboard alone."""

import pytest
from playwright.sync_api import expect

from demo.world import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Marks every element a keyboard user can act on, in document order (what Tab should visit):
# enabled, not hidden, not inside a closed <details> (not rendered), tabindex not negative;
# of a radio group only the one Tab stops on (the checked one, else the first).
MARK_ACTIONS = """() => {
  const candidates = document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex], [contenteditable=true]');
  const radios = new Set();
  const actions = [...candidates].filter(e => {
    if (e.disabled || e.tabIndex < 0 || e.type === 'hidden' || e.closest('[inert]')) return false;
    const first = e.parentElement && e.parentElement.querySelector(':scope > summary');
    if (e.tagName === 'SUMMARY' && first !== e) return false;
    const style = getComputedStyle(e);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    if (!e.getClientRects().length || !e.checkVisibility({visibilityProperty: true})) return false;
    const closed = e.closest('details:not([open])');
    if (closed && closed.querySelector(':scope > summary') !== e) return false;
    if (e.type === 'radio' && e.name) {
      const key = (e.form ? e.form.id || e.form.action : '') + '|' + e.name;
      const group = [...document.querySelectorAll(`input[type=radio][name="${e.name}"]`)]
        .filter(r => r.form === e.form);
      const stop = group.find(r => r.checked) || group[0];
      if (stop !== e || radios.has(key)) return false;
      radios.add(key);
    }
    return true;
  });
  document.querySelectorAll('[data-kb]').forEach(e => e.removeAttribute('data-kb'));
  actions.forEach((e, i) => e.setAttribute('data-kb', String(i)));
  return actions.map(e => (e.getAttribute('aria-label') || e.innerText || e.value || e.name
    || e.tagName).trim().slice(0, 60));
}"""

# What has the focus now: its mark, a name for messages, and whether its focus is visible.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {kb: null, name: 'the page', visible: false};
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return {
    kb: e.getAttribute('data-kb'),
    name: (e.getAttribute('aria-label') || e.innerText || e.value || e.name || e.tagName)
      .trim().slice(0, 60),
    visible: Boolean(outline || shadow) && e.matches(':focus-visible'),
  };
}"""


# Tab from the very top: focus a temporary, unreachable-by-Tab element placed first in <body>
# (a blurred element would stay the starting point of sequential navigation).
START_AT_TOP = """() => {
  const start = document.createElement('span');
  start.id = 'kb-start';
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
}"""


def tab_through(page) -> list[str]:
    """Tab from the top of the page through every action; fail at the first stop out of
    order, the first action skipped, or a focus that can't be seen. Returns the names."""
    names = page.evaluate(MARK_ACTIONS)
    assert names, "no action on the page"
    page.evaluate(START_AT_TOP)
    for expected, name in enumerate(names):
        page.keyboard.press("Tab")
        page.evaluate("() => document.getElementById('kb-start')?.remove()")
        focused = page.evaluate(FOCUSED)
        assert focused["kb"] == str(expected), (
            f"Tab stop {expected + 1} should be {name!r} but is {focused['name']!r} "
            f"(action #{focused['kb']}); the actions in order: {names}"
        )
        assert focused["visible"], f"focus on {name!r} is not visible"
    return names


def test_sign_in_page_by_keyboard_alone(page, demo_world):
    page.goto("/signin/")
    names = tab_through(page)
    assert any("Sign in" in n for n in names)
    # Type and submit without the mouse.
    page.evaluate(START_AT_TOP)
    for _ in names:
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "username":
            break
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type("agent@contoso.example")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/signin/" not in url)


def test_transition_page_every_action_in_order_with_visible_focus(page, sign_in, demo_world):
    sign_in("globaladmin@contoso.example", DEMO_PASSWORD)
    page.goto("/transition/")
    expect(page.get_by_role("heading", name="Complete the transition")).to_be_visible()
    names = tab_through(page)
    assert "Skip to content" in names[0] or "skip" in names[0].lower()


def test_customer_page_and_its_confirmation_by_keyboard(page, sign_in, demo_world):
    """The customer page: every action in order with visible focus; then the Suspend
    confirmation opens with Enter, its tick box and button join the Tab order, and it submits
    from the keyboard."""
    from core.models import Customer
    from customers.models import Subscription

    customer = Customer.objects.get(company_name="Adatum Corporation")
    sign_in("agent@contoso.example", DEMO_PASSWORD)
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_role("heading", name="Account and bill-to")).to_be_visible()
    tab_through(page)

    suspend = page.get_by_test_id("suspend").first
    summary = suspend.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(suspend.get_by_role("button", name="Suspend subscription")).to_be_visible()
    tab_through(page)  # the opened confirmation's controls are in order too
    summary.focus()
    page.keyboard.press("Tab")
    expect(suspend.get_by_role("checkbox")).to_be_focused()
    page.keyboard.press("Space")
    expect(suspend.get_by_role("checkbox")).to_be_checked()
    page.keyboard.press("Tab")
    expect(suspend.get_by_role("button", name="Suspend subscription")).to_be_focused()
    action = suspend.locator("form").get_attribute("action")
    sid = action.rstrip("/").split("/")[-2]
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".message-success")).to_be_visible()
    assert Subscription.objects.get(pk=sid).status == "suspended"
