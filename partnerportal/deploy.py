"""How an install configures itself from its environment: the secret key that signs sessions,
CSRF tokens and invitation links, and the base URL of the links the portal sends.

Pure functions of an environment mapping, so settings.py and production.py share them and
tests can call them without reloading settings.
"""

import contextlib
import os
import secrets
import socket
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Keys that were ever published (this repository's old development default): anyone could sign
# with them, so no settings accept them, whatever DEBUG says.
PUBLIC_KEYS = frozenset({"dev-only-insecure-key-change-me-in-production-0123456789"})
GENERATED_KEY_BYTES = 50  # secrets.token_urlsafe(50): 67 characters, passes check --deploy
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def secret_key_from_env(environ: Mapping[str, str], *, local_file: Path | None) -> str:
    """SECRET_KEY from the environment; without one, the per-install secret in `local_file`
    (generated on first use). Production passes `local_file=None`: a missing key is refused.
    A published development key is refused everywhere."""
    key = environ.get("SECRET_KEY", "").strip()
    if key:
        if key in PUBLIC_KEYS or key.startswith("django-insecure-"):
            raise ImproperlyConfigured(
                "SECRET_KEY is a published development key, so anyone could sign sessions and "
                "invitation links with it. Generate one: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
            )
        return key
    if local_file is None:
        raise ImproperlyConfigured(
            "Set SECRET_KEY in the environment: production settings never run with a missing, "
            "generated or development key, whatever DEBUG says."
        )
    return local_secret(local_file)


def local_secret(path: Path) -> str:
    """The per-install secret stored in `path` (mode 0600), created once on first use.

    Several processes may start at the same moment (web workers, Celery worker, beat): each
    writes its candidate to a private file and links it into place; the first link wins and
    the others read the winner, so every process signs with the same key."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(GENERATED_KEY_BYTES) + "\n")
            with contextlib.suppress(FileExistsError):  # another process was first: use its key
                os.link(candidate, path)
        finally:
            candidate.unlink(missing_ok=True)
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty; delete it to generate a new secret.")
    return key


def base_url_from_env(environ: Mapping[str, str]) -> str:
    """The scheme, host and port links in emails and pages point to: PORTAL_BASE_URL when set,
    else where `make run` serves (PORTAL_HOST, PORTAL_PORT; 127.0.0.1:8000 by default). A
    server listening on every interface is reached by this machine's name."""
    explicit = environ.get("PORTAL_BASE_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    host = environ.get("PORTAL_HOST", "127.0.0.1").strip()
    port = environ.get("PORTAL_PORT", "8000").strip() or "8000"
    if host in WILDCARD_HOSTS:
        host = socket.getfqdn()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    return f"http://{host}" if port == "80" else f"http://{host}:{port}"
