"""`{% why item %}`: the *Why?* link after a shown refusal (see core.refusals)."""

from django import template

from core import refusals
from core.program_rules import RULES, why_url

register = template.Library()


@register.inclusion_tag("includes/why_link.html")
def why(item):
    """Render the Why? link for `item` (RuleViolation, message, form error or rule ID); nothing
    when `item` is not a refusal."""
    rule = refusals.rule_of(item)
    if rule is None:
        return {"show": False}
    return {"show": True, "url": why_url(rule), "rule": RULES.get(rule)}


@register.inclusion_tag("includes/form_refusals.html")
def form_refusals(form):
    """A form's non-field errors, each with its Why? link when it is a refusal."""
    return {"errors": form.non_field_errors().as_data() if form is not None else []}
