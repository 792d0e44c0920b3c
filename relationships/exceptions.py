"""Refusals of the provider, customer-relationship, GDAP and relationship-extension rules (PV,
CU, MV, GD). Each has a stable code."""

from core.exceptions import RuleViolation
from enrollment.exceptions import IndirectResellerRequired


class PartnershipRefused(RuleViolation):
    """PV-2: the partnership invitation cannot be sent, accepted or revoked."""

    code = "partnership_refused"
    rule = "PV-2"
    http_status = 409
    default_message = "The partnership invitation cannot be processed."


class InvitationRefused(RuleViolation):
    """CU-2/MV-7/MV-8: the customer invitation cannot be created, edited or answered."""

    code = "invitation_refused"
    rule = "CU-2"
    http_status = 409
    default_message = "The invitation cannot be processed."


class InvitationLinkRemoved(InvitationRefused):
    """CU-2: the edited email text no longer contains the personalised link."""

    code = "invitation_link_removed"
    http_status = 400
    default_message = (
        "The email must keep the personalised invitation link: put the link back and try again."
    )


class InvitationNoLongerValid(InvitationRefused):
    """AC-7: a rule checked when the invitation was made no longer holds when it is accepted
    (e.g. the sender's direct-bill account was restricted since). Nothing was changed."""

    code = "invitation_no_longer_valid"
    rule = "AC-7"
    http_status = 409
    default_message = (
        "The sender can no longer make this invitation, so it can't be accepted. Nothing was "
        "changed."
    )


class LinkProblem(RuleViolation):
    """PV-3: a signed invitation link that cannot be used. Nothing was changed."""

    code = "invitation_link_invalid"
    rule = "PV-3"
    http_status = 400
    title = "This invitation link is not valid"
    default_message = (
        "The link is damaged or was changed. Open the link exactly as it was sent to you, or ask "
        "the sender for a new invitation."
    )


class LinkNotFound(LinkProblem):
    code = "invitation_not_found"
    http_status = 404
    title = "Invitation not found"
    default_message = "We couldn't find this invitation. Ask the sender for a new one."


class LinkUsed(LinkProblem):
    code = "invitation_used"
    http_status = 410
    title = "This invitation link was already used"
    default_message = "This invitation was already answered, so the link can't be used again."


class LinkWithdrawn(LinkProblem):
    code = "invitation_withdrawn"
    http_status = 410
    title = "This invitation was withdrawn"
    default_message = "The sender withdrew this invitation. Ask them for a new one if needed."


class LinkExpired(LinkProblem):
    code = "invitation_expired"
    http_status = 410
    title = "This invitation link has expired"
    default_message = "The invitation link has expired. Ask the sender for a new invitation."


class LinkWrongAudience(LinkProblem):
    code = "invitation_wrong_audience"
    http_status = 403
    title = "This invitation is for another organisation"
    default_message = (
        "This invitation was sent to another organisation, so you can't open or answer it. "
        "Sign in with an account of the invited organisation."
    )


class GdapRefused(RuleViolation):
    """GD-1/GD-2/CU-6: the GDAP request or decision is not allowed."""

    code = "gdap_refused"
    rule = "GD-1"
    http_status = 409
    default_message = "The GDAP request cannot be processed."


class GdapNotEditable(GdapRefused):
    """GD-1: a relationship already sent to the customer (or ended) can't be changed or locked
    for approval again: Graph allows updates while `created` (auto-extend also while
    `active`). Nothing was changed."""

    code = "gdap_not_editable"
    rule = "GD-1"
    http_status = 409
    default_message = "This GDAP relationship can no longer be changed."


class GdapNoLongerValid(GdapRefused):
    """AC-7: the partner's relationship with the customer ended after it requested GDAP."""

    code = "gdap_no_longer_valid"
    rule = "AC-7"
    http_status = 409
    default_message = (
        "The partner no longer has a reseller relationship with you, so its GDAP request can't "
        "be approved."
    )


# --- the reseller relationship extension (MV-2..MV-5) -----------------------------------------


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
