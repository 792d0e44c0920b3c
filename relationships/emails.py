"""Email and notification text of the relationships app, rendered once from
`templates/relationships/email/<name>.txt`: the subject on the first line, the body after it."""

from typing import Any

from core import notifications


def render(name: str, **context: Any) -> tuple[str, str]:
    """The (subject, body) of the email template `name`; the body is '' when it has none."""
    return notifications.render_message(f"relationships/email/{name}.txt", context)
