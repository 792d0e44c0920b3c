"""How pages show a refusal: its sentence, and a *Why?* link to the rule on the Program rules
page. The rule travels with the message (a message tag, or a form error's code), so the link
is derived from `RuleViolation.rule` and never written by hand next to a sentence."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from .exceptions import RoleRequired
from .program_rules import RULES

REFUSAL_TAG = "refusal"
RULE_TAG_PREFIX = "rule-"
RULE_CODE_PREFIX = "rule:"


class Reason(str):
    """A sentence saying why an action can't be done yet, listed before it is tried (not
    raised), carrying the rule it comes from so `{% why reason %}` links it. Still a str:
    services join reasons into their refusal's sentence."""

    rule: str

    def __new__(cls, text: str, rule: str = "") -> "Reason":
        reason = super().__new__(cls, text)
        reason.rule = rule
        return reason


def _rule_of(error) -> str:
    rule = getattr(error, "rule", "") or ""
    return rule if rule in RULES else ""


def message_tags(error) -> str:
    """The extra message tags that mark a refusal (and its rule) for the base template."""
    rule = _rule_of(error)
    return f"{REFUSAL_TAG} {RULE_TAG_PREFIX}{rule}" if rule else REFUSAL_TAG


def refuse(request, error, *, back: str) -> HttpResponse:
    """The one way a page answers a refused action: a missing role is the 403 page (which
    says how to get the role); any other refusal is shown, with its Why? link, on the page
    `back` (a URL or a URL name) leads to."""
    _forbid_if_role(error)
    show(request, error)
    return redirect(back)


def refuse_in_form(form, error) -> None:
    """`refuse` for a form page, which renders `form` again with what was typed: a missing
    role is the 403 page; any other refusal an error above the form, with its Why? link."""
    _forbid_if_role(error)
    add_to_form(form, error)


def _forbid_if_role(error: Exception) -> None:
    """A missing partner role (AC-1) is the 403 page, which says how to get one. Other refusals
    the API answers with 403 (DB-2's restricted direct-bill account, CU-7's customer Global
    Administrator, "only the target cancels") are rules of the action, shown where it was asked
    with their own Why? link."""
    if isinstance(error, RoleRequired):
        raise PermissionDenied(error)


def show(request, error) -> None:
    """Show `error` (a RuleViolation) on the next page, with its Why? link."""
    messages.error(request, str(error), extra_tags=message_tags(error))


def show_unless_listed(request, error, listed) -> None:
    """`show`, unless the page already lists the same refusal (`listed`: the refusals it
    renders before the form), so a refusal is said once."""
    if str(error) not in {str(item) for item in listed}:
        show(request, error)


def add_to_form(form, error) -> None:
    """Show `error` above `form` (a non-field error), with its Why? link."""
    form.add_error(None, ValidationError(str(error), code=RULE_CODE_PREFIX + _rule_of(error)))


def rule_of(item) -> str | None:
    """The rule ID behind a shown refusal: a RuleViolation, a message whose tags mark it as a
    refusal, or a form error added by `add_to_form`. '' for a refusal without a known rule;
    None when `item` is not a refusal (no Why? link)."""
    tags = getattr(item, "extra_tags", None)
    if tags is not None:
        words = (tags or "").split()
        if REFUSAL_TAG not in words:
            return None
        rules = [w[len(RULE_TAG_PREFIX) :] for w in words if w.startswith(RULE_TAG_PREFIX)]
        return rules[0] if rules and rules[0] in RULES else ""
    code = getattr(item, "code", None)
    if isinstance(item, ValidationError):
        if not code or not code.startswith(RULE_CODE_PREFIX):
            return None
        rule = code[len(RULE_CODE_PREFIX) :]
        return rule if rule in RULES else ""
    if hasattr(item, "rule"):
        return _rule_of(item)
    if isinstance(item, str) and item in RULES:
        return item
    return None
