"""Refusals of the enrollment rules (DB-*, EN-*). Each has a stable code for the API."""

from core.exceptions import RuleViolation


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


class SupportStaffOnly(RuleViolation):
    """DB-1: only support staff move a direct-bill enrollment Active ⇄ Restricted."""

    code = "support_staff_only"
    rule = "DB-1"
    http_status = 403
    default_message = (
        "Only support staff can change a direct-bill account's status. "
        "Ask for it with Account settings › Contact support."
    )


class ReasonRequired(RuleViolation):
    """DB-1 / EN-4: the change needs a reason."""

    code = "reason_required"
    rule = "DB-1"
    http_status = 400
    default_message = "Give a reason for this change."


class NoDirectBillEnrollment(RuleViolation):
    code = "no_direct_bill_enrollment"
    rule = "DB-1"
    http_status = 404
    default_message = "This partner has no direct-bill enrollment."


class DirectBillStillActive(RuleViolation):
    """DB-3: an Active direct-bill tenant cannot enroll as indirect reseller."""

    code = "direct_bill_active"
    rule = "DB-3"
    http_status = 409
    default_message = (
        "Your direct-bill account is Active, so this tenant can't enroll as an indirect "
        "reseller. Ask support to restrict your direct-bill account (Account settings › "
        "Contact support), or enroll with a new tenant."
    )


class ProfileNotCurrent(RuleViolation):
    """EN-2: the partner profile must be complete, confirmed recently and carry a PartnerID."""

    code = "profile_not_current"
    rule = "EN-2"
    http_status = 409
    default_message = "Your partner profile is not current."


class EnrollmentNotPending(RuleViolation):
    """EN-4: only a request waiting for a decision can be approved or rejected."""

    code = "enrollment_not_pending"
    rule = "EN-4"
    http_status = 409
    default_message = "This enrollment is not waiting for a decision."


class AgreementNotAvailable(RuleViolation):
    """EN-7: the agreement can be accepted only once the enrollment is approved."""

    code = "agreement_not_available"
    rule = "EN-7"
    http_status = 409
    default_message = (
        "There is no indirect reseller agreement to accept: your enrollment is not approved."
    )


class ClosingBlocked(RuleViolation):
    """TX-1: the direct-bill enrollment closes only when the transition is complete."""

    code = "closing_blocked"
    rule = "TX-1"
    http_status = 409
    default_message = "The direct-bill enrollment can't be closed yet."


class RevenueTooLow(RuleViolation):
    """DB-5: direct-bill needs the minimum CSP revenue in the trailing 12 months."""

    code = "revenue_too_low"
    rule = "DB-5"
    http_status = 409
    default_message = "Your CSP revenue is below the direct-bill minimum."


class NewTenantRequired(RuleViolation):
    """DB-5/DB-6: an indirect reseller applies with a new tenant, or confirms the override."""

    code = "new_tenant_required"
    rule = "DB-6"
    http_status = 409
    default_message = (
        "This tenant is an indirect reseller. We recommend applying for direct-bill with a new "
        "tenant. If you apply with this tenant, the direct-bill program overrides: the tenant "
        "loses indirect reseller access when the grace period ends. Confirm the warning to go on."
    )
    advice = (
        "We recommend applying for direct-bill with a new tenant. If you apply with this tenant, "
        "the direct-bill program overrides: the tenant loses indirect reseller access when the "
        "grace period ends. Confirm the warning to go on."
    )


class AlreadyDirectBill(RuleViolation):
    code = "already_direct_bill"
    rule = "DB-5"
    http_status = 409
    default_message = "This tenant already has a direct-bill enrollment."


class SandboxExists(RuleViolation):
    code = "sandbox_exists"
    rule = "DB-2"
    http_status = 409
    default_message = "Your organisation already has an integration sandbox."


class SandboxNotAllowed(RuleViolation):
    """TX-2: sandboxes exist only for direct-bill partners and providers."""

    code = "sandbox_not_allowed"
    rule = "TX-2"
    http_status = 403
    default_message = "Only direct-bill partners and indirect providers can create a sandbox."


class SupportRequestClosed(RuleViolation):
    code = "support_request_closed"
    rule = "DB-1"
    http_status = 409
    default_message = "This support request is already closed."


class NotTransactingPartner(RuleViolation):
    """TR-10: only a transacting partner (direct-bill Active or Restricted, or an indirect
    provider) is the target of a transfer or the billing partner of a subscription."""

    code = "not_transacting_partner"
    rule = "TR-10"
    http_status = 409
    default_message = (
        "Only a transacting partner can bill subscriptions: a direct-bill partner (Active or "
        "Restricted) or an indirect provider."
    )


class IndirectEnrollmentOpen(RuleViolation):
    """DB-3/DB-6: direct-bill can't become Active beside an open indirect reseller enrollment
    unless a direct-bill override already set the end of its indirect access."""

    code = "indirect_enrollment_open"
    rule = "DB-3"
    http_status = 409
    default_message = (
        "This tenant has an open indirect reseller enrollment, so its direct-bill account can't "
        "be made Active."
    )


class DirectBillOverridesIndirect(RuleViolation):
    """DB-3/DB-6: the indirect reseller agreement can't be accepted while direct-bill is Active
    (after a direct-bill override the tenant only keeps access until the grace period ends)."""

    code = "direct_bill_overrides_indirect"
    rule = "DB-6"
    http_status = 409
    default_message = (
        "Your direct-bill account is Active, so the indirect reseller agreement can no longer be "
        "accepted on this tenant."
    )


class ChangedSinceRequest(RuleViolation):
    """AC-7: a pending request can't be approved because a rule checked when it was made no
    longer holds. Nothing was changed; staff can reject the request."""

    code = "changed_since_request"
    rule = "AC-7"
    http_status = 409
    default_message = "This request can no longer be approved: the rules changed since it was made."


class SupportRequestNotFound(RuleViolation):
    """AC-2: a partner sees and answers only its own support requests."""

    code = "support_request_not_found"
    rule = "AC-2"
    http_status = 404
    default_message = "There is no such support request."
