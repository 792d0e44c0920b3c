"""Refusals of the reseller relationship extension (MV-2..MV-5). Each has a stable code."""

from core.exceptions import RuleViolation
from enrollment.exceptions import IndirectResellerRequired


class ExtensionRefused(RuleViolation):
    """Base class of every refusal of a relationship extension."""

    code = "extension_refused"
    rule = "MV-2"
    http_status = 409
    default_message = "The reseller relationship extension is not allowed."


class ExtensionEnrollmentRequired(IndirectResellerRequired):
    """MV-2: only a partner that completed indirect reseller enrollment (EN-7) can extend."""

    code = "extension_indirect_enrollment_required"
    rule = "MV-2"
    http_status = 403


class ExtensionCustomerNotDirect(ExtensionRefused):
    """MV-2: only the partner's existing direct-bill customers can be extended."""

    code = "extension_customer_not_direct"
    rule = "MV-2"
    default_message = (
        "The reseller relationship extension is only for your existing direct-bill customers; "
        "it can't be used with indirect reseller customers."
    )


class ExtensionProviderNotAccepted(ExtensionRefused):
    """MV-2: only toward a provider whose partnership invitation the partner accepted (PV-2)."""

    code = "extension_provider_not_accepted"
    rule = "MV-2"
    default_message = (
        "You can only extend a relationship to an indirect provider whose partnership "
        "invitation you accepted."
    )


class ExtensionAlreadyExists(ExtensionRefused):
    """The customer already has a relationship with this provider (idempotency)."""

    code = "extension_already_exists"
    rule = "MV-2"
    default_message = "The customer already has a relationship with this provider."


class ExtensionConsentMissing(ExtensionRefused):
    """MV-3: the customer's consent (who, when, how) must be recorded first."""

    code = "extension_consent_missing"
    rule = "MV-3"
    http_status = 400
    default_message = (
        "Record the customer's consent first: who gave it, when and how. Your partner "
        "agreement obliges you to inform the customer and obtain consent before the extension."
    )


class ExtensionConsentInFuture(ExtensionRefused):
    """MV-3: consent cannot be dated after today (simulation clock)."""

    code = "extension_consent_in_future"
    rule = "MV-3"
    http_status = 400
    default_message = "The consent date can't be in the future."


class ExtensionBillToNotConfirmed(ExtensionRefused):
    """MV-4: the partner must consent to sharing the customer's bill-to information."""

    code = "extension_bill_to_not_confirmed"
    rule = "MV-4"
    http_status = 400
    default_message = (
        "Confirm that you consent to share the customer's bill-to information with the "
        "indirect provider."
    )
