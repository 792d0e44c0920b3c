"""Refusals that teach: the Program rules page explains every rule of the catalogue with one
anchor per rule ID, every refusal's rule has an explanation, and every refusal sentence reads
as plain English (no rule IDs mid-sentence, right articles, no doubled punctuation)."""

import ast
import itertools
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from core import program_rules, refusals
from core.exceptions import RoleRequired, RuleViolation
from core.models import Role
from core.wording import join_clauses, with_article

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "docs" / "RULES.md"  # a copy of the shared RULES.md, kept with the code
RULE_LINE = re.compile(r"^- ([A-Z]+-\d+) \[", re.M)
RAW_RULE_ID = re.compile(r"\b(?:AC|DB|EN|PV|CU|MV|GD|MCA|TR|TX|IR|NC|AP)-\d+\b")
APP_DIRS = [Path(a.path) for a in apps.get_app_configs() if Path(a.path).is_relative_to(ROOT)]


def catalogue_ids() -> list[str]:
    return RULE_LINE.findall(CATALOGUE.read_text())


def wording_problems(text: str) -> list[str]:
    problems = []
    if RAW_RULE_ID.search(text):
        problems.append("a raw rule ID")
    if re.search(r"\ba [AEIOUaeiou]\w", text) and not re.search(r"\ba (?:one|use|uni)", text):
        problems.append("'a' before a vowel")
    if re.search(r"\.\s*[.;,]|;\s*[.;]|,\s*[.,]", text.replace("...", "…")):
        problems.append("doubled punctuation")
    return problems


def all_refusal_classes() -> list[type]:
    for config in apps.get_app_configs():
        try:
            __import__(f"{config.name}.exceptions")
        except ModuleNotFoundError:
            continue
    seen, todo = [], [RuleViolation]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return seen


def test_the_catalogue_has_71_rules_and_each_has_a_plain_explanation():
    ids = catalogue_ids()
    assert len(ids) == 71 and len(set(ids)) == 71
    assert list(program_rules.RULES) == ids  # same rules, catalogue order
    for rule in program_rules.RULES.values():
        assert rule.title and len(rule.plain) > 40, rule.id
        assert not RAW_RULE_ID.search(rule.plain), rule.id


@pytest.mark.rule("AC-1")
def test_program_rules_page_has_one_anchor_per_rule_and_is_for_signed_in_users(
    client, make_user, db
):
    url = reverse("program_rules")
    assert url == "/help/rules/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]
    client.force_login(make_user(None, Role.BILLING_ADMIN))  # any signed-in user may read it
    page = client.get(url).content.decode()
    for rule_id in catalogue_ids():
        assert page.count(f'id="{rule_id}"') == 1, rule_id
        assert f'<span class="rule-id">{rule_id}</span>' in page
    assert program_rules.why_url("EN-1") == "/help/rules/#EN-1"
    assert program_rules.why_url("") == "/help/rules/"


def test_every_refusal_names_a_catalogue_rule_so_its_why_link_has_an_anchor():
    classes = all_refusal_classes()
    assert len(classes) > 80
    unknown = {c.__name__: c.rule for c in classes if c.rule and c.rule not in program_rules.RULES}
    assert not unknown


def test_refusal_default_messages_read_as_plain_sentences():
    bad = {}
    for cls in all_refusal_classes():
        problems = wording_problems(cls.default_message)
        if problems or not cls.default_message.rstrip().endswith((".", "?", "!")):
            bad[cls.__name__] = (cls.default_message, problems)
    assert not bad


@pytest.mark.rule("AC-1")
def test_role_refusals_use_the_right_article_for_every_combination_of_roles():
    # A Global admin may do what an Admin agent may (AC-1): the sentence names both.
    assert str(RoleRequired([Role.ADMIN_AGENT])) == (
        "Only a Global admin or an Admin agent can do this."
    )
    assert str(RoleRequired([Role.GLOBAL_ADMIN])) == "Only a Global admin can do this."
    assert str(RoleRequired([Role.BILLING_ADMIN])) == "Only a Billing admin can do this."
    assert str(RoleRequired([Role.GLOBAL_ADMIN, Role.ADMIN_AGENT])) == (
        "Only a Global admin or an Admin agent can do this."
    )
    for n in range(1, len(Role.values) + 1):
        for roles in itertools.permutations(Role.values, n):
            assert not wording_problems(str(RoleRequired(roles))), roles


def _rendered(node) -> str | None:
    """A string argument as the sentence it makes, with each placeholder as a capitalised
    word (names are what f-strings put there)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "Name" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _rendered(node.left), _rendered(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "Name") + (right if right is not None else "Name")
    return None


def refusal_sentences_in_code() -> list[tuple[str, str]]:
    """Every sentence the code passes to a RuleViolation subclass: (where, sentence)."""
    names = {cls.__name__ for cls in all_refusal_classes()}
    found = []
    for app_dir in APP_DIRS:
        for path in app_dir.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and node.args):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in names and (text := _rendered(node.args[0])):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


def test_every_refusal_sentence_in_the_code_reads_plainly():
    """No 'a Admin', no '..' or '.;', no '(EN-1)' in any sentence a refusal is raised with."""
    sentences = refusal_sentences_in_code()
    assert len(sentences) > 150
    bad = [(where, text, wording_problems(text)) for where, text in sentences]
    assert not [b for b in bad if b[2]]


def test_wording_checks_catch_the_defects_they_look_for():
    assert wording_problems("Only a Admin agent can do this.") == ["'a' before a vowel"]
    assert wording_problems("Enrol first (EN-1) and then go.") == ["a raw rule ID"]
    assert wording_problems("NC-2: seats can't go down.") == ["a raw rule ID"]
    assert wording_problems("…provider.; 56 customers have no provider..") == [
        "doubled punctuation"
    ]
    assert with_article("Admin agent") == "an Admin agent"
    assert with_article("Global admin") == "a Global admin"
    reasons = ["3 customer(s) have no provider.", "2 subscription(s) are left."]
    joined = join_clauses(reasons) + "."
    assert joined == "3 customer(s) have no provider; 2 subscription(s) are left."


def test_a_refusal_message_carries_its_rule_for_the_why_link():
    error = RoleRequired([Role.ADMIN_AGENT])
    assert refusals.message_tags(error) == "refusal rule-AC-1"
    assert refusals.rule_of(error) == "AC-1"
    assert refusals.rule_of(RuleViolation("No rule.")) == ""
    assert refusals.rule_of("Just text") is None
    assert refusals.rule_of(RuleViolation("Shared class.", rule="GD-2")) == "GD-2"


@pytest.mark.rule("AC-1")
def test_ac1_role_refusal_page_says_which_role_and_links_why(client, make_user, db):
    """The 403 page of a role refusal: the plain sentence and a Why? link to AC-1; the holder
    of the role gets the page."""
    partner = make_user(None, Role.SALES_AGENT).partner
    client.force_login(make_user(partner, Role.SALES_AGENT))
    response = client.get(reverse("gdap_request"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Only a Global admin or an Admin agent can do this." in page
    assert '<a class="why-link" href="/help/rules/#AC-1"' in page
    client.force_login(make_user(partner, Role.ADMIN_AGENT))
    assert client.get(reverse("gdap_request")).status_code == 200


# The agreement texts are versioned documents accepted as they stand (a later wording is a
# new version); the Program rules page is where the IDs belong.
INFORMATIONAL_TEMPLATE_EXCEPTIONS = {"core/program_rules.html"}
RULE_ID_IN_PARENTHESES = re.compile(r"\((?:[^()]*\b)?" + RAW_RULE_ID.pattern + r"[^()]*\)")
TEMPLATE_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)


def test_informational_text_shows_no_raw_rule_ids_in_sentences():
    """Pages, help texts of model and form fields, and admin labels say things in plain words
    ("(TR-3)" mid-sentence teaches nothing); where a rule teaches, the page adds its Why? link
    ({% why "TR-3" %}, whose markup is outside the sentence)."""
    from django.contrib import admin

    found = []
    templates = ROOT / "templates"
    for path in templates.rglob("*.*"):
        name = str(path.relative_to(templates))
        if name in INFORMATIONAL_TEMPLATE_EXCEPTIONS or name.startswith(
            "enrollment/agreement_texts/"
        ):
            continue
        text = TEMPLATE_COMMENT.sub("", path.read_text())
        text = re.sub(r"{%\s*why\s+\"[A-Z]+-\d+\"\s*%}", "", text)
        found += [f"{name}: {m}" for m in RULE_ID_IN_PARENTHESES.findall(text)]
    for model in apps.get_models():
        for field in model._meta.get_fields():
            help_text = str(getattr(field, "help_text", "") or "")
            if RAW_RULE_ID.search(help_text):
                found.append(f"{model._meta.label}.{field.name}: {help_text}")
    for model, model_admin in admin.site._registry.items():
        for action in model_admin.actions or ():
            label = getattr(getattr(model_admin, action, action), "short_description", "")
            if RAW_RULE_ID.search(str(label or "")):
                found.append(f"{model._meta.label} action: {label}")
    assert not found
