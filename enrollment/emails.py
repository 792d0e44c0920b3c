"""Email and notification text from templates (`templates/<app>/email/<name>.txt`): the first
line is the subject, the rest after a blank line the body. Rendered once, with autoescape off
in the template (the text is plain)."""

from typing import Any

from core import notifications


def render_message(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of `template`; the file's final line break is not part of the body."""
    subject, _, body = notifications.render_email(template, context).partition("\n\n")
    return subject.strip(), body.removesuffix("\n")
