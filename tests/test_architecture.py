"""The house rules of the code (issue 16, docs/architecture.md), checked on the source so a
new module can't drift from them. Each check runs per app (`-k <app>`)."""

import ast
import re
from pathlib import Path

import pytest

from tests.services_index import APPS, audited_services

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
SIZE_REASON = re.compile(r"^# size: \S", re.MULTILINE)  # a module may say why it is longer
ROLE_VALUES = ("global_admin", "admin_agent", "sales_agent", "billing_admin")


def _modules(app: str) -> list[Path]:
    return sorted(
        path
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    )


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("app", APPS)
def test_status_changes_only_through_the_fsm_module(app):
    """A status moves only through `core.fsm` (`apply_transition`/`apply_transition_many`),
    which checks the transition table; no `.status =` or `update(status=…)` elsewhere."""
    pattern = re.compile(r"\.status\s*=(?!=)|\bupdate\([^)]*\bstatus\s*=")
    offenders = [
        f"{_relative(path)}:{number}: {line.strip()}"
        for path in _modules(app)
        if _relative(path) != "core/fsm.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


@pytest.mark.parametrize("app", APPS)
def test_modules_stay_small_or_say_why(app):
    offenders = [
        f"{_relative(path)}: {count} lines"
        for path in _modules(app)
        if (count := len(path.read_text().splitlines())) > MAX_LINES
        and not SIZE_REASON.search("\n".join(path.read_text().splitlines()[:15]))
    ]
    assert offenders == []


def _exception_classes(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(base) for base in node.bases]
            if any(re.search(r"(Exception|Error|Violation|Refused|Problem)$", b) for b in bases):
                found.append((node.name, node.lineno))
    return found


@pytest.mark.parametrize("app", APPS)
def test_exceptions_live_in_exceptions_modules(app):
    offenders = [
        f"{_relative(path)}:{line}: {name}"
        for path in _modules(app)
        if path.name != "exceptions.py" and "exceptions" not in path.parent.name
        for name, line in _exception_classes(path)
    ]
    assert offenders == []


@pytest.mark.parametrize("app", APPS)
def test_refusals_derive_from_rule_violation(app):
    """Every exception an app defines is a refusal (under RuleViolation), or an API layer's
    error body (DRF's APIException)."""
    import importlib

    from rest_framework.exceptions import APIException

    from core.exceptions import RuleViolation

    offenders = []
    for path in _modules(app):
        if path.name != "exceptions.py":
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, _line in _exception_classes(path):
            cls = getattr(module, name)
            if not issubclass(cls, RuleViolation | APIException):
                offenders.append(f"{_relative(path)}: {name}")
    assert offenders == []


@pytest.mark.parametrize("app", APPS)
def test_service_names_match_their_audit_operation(app):
    """`@audit.refusals("customer_invitation.accept")` decorates `customer_invitation_accept`
    (or its set-based `customer_invitation_accept_many`): the name in the code is the name in
    the audit log."""
    offenders = [
        f"{where}: audits as {operation!r}"
        for where, operation in audited_services().items()
        if where.split(".")[0] == app
        and where.rsplit(".", 1)[1].removesuffix("_many") != operation.replace(".", "_")
    ]
    assert offenders == []


@pytest.mark.parametrize("app", APPS)
def test_roles_are_named_by_the_role_enum(app):
    """Role values are written once, in `core.role_names.Role` (re-exported by `core.models`);
    code names `Role.ADMIN_AGENT`."""
    values = "|".join(ROLE_VALUES)
    pattern = re.compile(rf"""["']({values})["']""")
    offenders = [
        f"{_relative(path)}:{number}: {line.strip()}"
        for path in _modules(app)
        if _relative(path) != "core/role_names.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []


APP_NAMES = tuple(app for app in APPS if app != "core") + ("partnerportal",)


def test_the_core_names_no_app():
    """The core is the lowest layer: it imports no app and names none, not even in a string
    (a dotted path or a URL namespace). Apps fill its registries instead."""
    names = "|".join(APP_NAMES)
    imports = re.compile(rf"^\s*(from|import)\s+({names})\b", re.MULTILINE)
    strings = re.compile(rf"""["']({names})[.:][a-z_]""")
    offenders = [
        f"{_relative(path)}: {match.group(0).strip()}"
        for path in _modules("core")
        for match in (*imports.finditer(path.read_text()), *strings.finditer(path.read_text()))
    ]
    assert offenders == []


@pytest.mark.parametrize("app", ("core", "enrollment"))
def test_no_imports_hidden_in_functions(app):
    """Import cycles are not hidden behind function-level imports (an AppConfig's `ready()`
    registering the app's tasks and hooks is the one place an import waits)."""
    offenders = []
    for path in _modules(app):
        if path.name == "apps.py" or "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom) and not (
                        isinstance(inner, ast.ImportFrom) and inner.module in ("django.urls",)
                    ):
                        offenders.append(f"{_relative(path)}:{inner.lineno} in {node.name}")
    assert offenders == []
