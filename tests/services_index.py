"""Every service function of the portal: the callables decorated with `@audit.refusals`,
found by walking the project's apps (so a new service can't be missed)."""

import importlib
import pkgutil

APPS = (
    "core",
    "enrollment",
    "users",
    "customers",
    "relationships",
    "transfers",
    "api",
    "graph",
    "webhooks",
    "demo",
)
SKIP = (
    "migrations",
    "management",
    "tests",
    "admin",
    "apps",
    "views",
    "urls",
    "serializers",
    "settings",
    "production",
    "wsgi",
    "asgi",
)  # modules that define no service, or configure the process when imported


def _modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if any(
                part in SKIP or part.startswith(("views", "admin")) for part in info.name.split(".")
            ):
                continue
            yield importlib.import_module(info.name)


def audited_services() -> dict:
    """{"module.function": operation} for every service decorated with @audit.refusals."""
    found = {}
    for module in _modules():
        for value in vars(module).values():
            operation = getattr(value, "audit_operation", None)
            if operation and callable(value):
                found[f"{value.__module__}.{value.__name__}"] = operation
    return found
