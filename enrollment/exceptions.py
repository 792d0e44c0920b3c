"""Refusals of the enrollment rules (DB-*, EN-*). Each has a stable code for the API."""

from partnerportal.exceptions import RuleViolation


class DirectBillRestricted(RuleViolation):
    """DB-2: a Restricted (or Closed) direct-bill account cannot sell or create new things."""

    code = "direct_bill_restricted"
    rule = "DB-2"
    http_status = 403
    default_message = "Your direct-bill account is restricted, so this action is not available."


class DirectBillRequired(RuleViolation):
    """A direct-bill capability used by a partner without a direct-bill enrollment."""

    code = "direct_bill_required"
    rule = "CU-4"
    http_status = 403
    default_message = "This action needs an active direct-bill enrollment."


class IndirectResellerRequired(RuleViolation):
    """EN-7: indirect reseller capabilities are on only after the agreement is accepted."""

    code = "indirect_reseller_required"
    rule = "EN-7"
    http_status = 403
    default_message = (
        "This needs an active indirect reseller enrollment: enroll and accept the indirect "
        "reseller agreement first."
    )
