"""Refusals of the webhook registration: bad input is a 400 and nothing is stored."""

from core.exceptions import InvalidInput, RuleViolation


class WebhookUrlInvalid(InvalidInput):
    code = "webhook_url_invalid"
    default_message = "WebhookUrl must be an absolute http:// or https:// URL."


class WebhookUrlLoop(InvalidInput):
    code = "webhook_url_loop"
    default_message = (
        "WebhookUrl points at this portal itself, which would send events to its own API in a "
        "loop. Register the address of your own receiver."
    )


class WebhookEventsInvalid(InvalidInput):
    code = "webhook_events_invalid"
    default_message = "WebhookEvents must be a list of event names from availableEvents."


class WebhookBodyTooLarge(InvalidInput):
    code = "webhook_body_too_large"
    default_message = "The registration body is too large."


class WebhookRegistrationExists(RuleViolation):
    code = "webhook_registration_exists"
    http_status = 409
    default_message = (
        "Your organisation already has a webhook registration; update it with PUT or delete it "
        "first."
    )


class WebhookNotRegistered(RuleViolation):
    code = "webhook_not_registered"
    http_status = 404
    default_message = "Your organisation has no webhook registration; create one first."
