"""Refusals. Each program rule that forbids something raises its own subclass of
`RuleViolation`, with a stable `code` (used by the API) and a sentence a person understands
(shown on the pages)."""

from collections.abc import Iterable

from .role_names import Role, roles_granting
from .wording import with_article


class RuleViolation(Exception):
    """A program rule refused the action. Nothing was changed."""

    code = "rule_violation"
    rule = ""
    http_status = 409
    default_message = "The action is not allowed."

    def __init__(self, message: str | None = None, *, data=None, rule: str | None = None):
        self.message = message or self.default_message
        self.data = data or []
        if rule:  # a refusal class shared by several rules names the one this instance is
            self.rule = rule
        super().__init__(self.message)

    def __str__(self):
        return self.message


class RoleRequired(RuleViolation):
    """AC-1: the user lacks every role that may do this."""

    code = "role_required"
    rule = "AC-1"
    http_status = 403
    default_message = "Your role does not allow this action."

    def __init__(self, roles: Iterable[str] = (), message: str | None = None):
        self.roles = roles_granting(roles)  # who may do it: implied roles named too (AC-1)
        if message is None and self.roles:
            names = " or ".join(with_article(Role(r).label) for r in self.roles)
            message = f"Only {names} can do this."
        super().__init__(message)


class InvalidTransition(RuleViolation):
    """A state change outside the model's allowed-transition table."""

    code = "invalid_transition"
    http_status = 409
    default_message = "That change of status is not allowed."


class InvalidInput(RuleViolation):
    code = "invalid_input"
    http_status = 400
    default_message = "The request is not valid."


class CustomerGlobalAdminRequired(RuleViolation):
    """CU-7: a customer-side decision needs a Global Administrator of the customer's tenant."""

    code = "customer_global_admin_required"
    rule = "CU-7"
    http_status = 403
    default_message = (
        "Only a Global Administrator of your organisation can make this decision: ask one of "
        "your Global Administrators to do it."
    )


class ClockError(RuleViolation):
    """AC-6: the simulation clock refused to move."""

    code = "clock_refused"
    rule = "AC-6"
    http_status = 409
    default_message = "The simulation clock can't move there."


class ClockBackwards(ClockError):
    """AC-6: the clock only moves forward (deadlines it passed have fired)."""

    code = "clock_backwards"
    default_message = "The simulation clock only moves forward."


class ClockBeyondBound(ClockError):
    """AC-6: the clock never moves past the bound (real date + CLOCK_MAX_YEARS_AHEAD)."""

    code = "clock_beyond_bound"
    default_message = "The simulation clock can't move that far ahead."


class NotificationNotFound(RuleViolation):
    """AC-2: a user opens only its own notifications; another's is "not found"."""

    code = "notification_not_found"
    rule = "AC-2"
    http_status = 404
    default_message = "There is no such notification."
