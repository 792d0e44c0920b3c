"""Refusals of user management (AC-1, AC-2, AC-7). Each has a stable code for the API."""

from core.exceptions import RuleViolation


class PartnerUserNotFound(RuleViolation):
    """AC-2: a user of another partner is not found, never forbidden."""

    code = "partner_user_not_found"
    rule = "AC-2"
    http_status = 404
    default_message = "No such user in your organisation."


class EmailTaken(RuleViolation):
    """A user's email address is its sign-in name: one user per address."""

    code = "partner_user_email_taken"
    rule = "AC-1"
    http_status = 409
    default_message = (
        "A user with this email address already exists. Use another address, or reactivate "
        "the user if it is one of yours."
    )


class RolesRequired(RuleViolation):
    """AC-1: a partner user holds one or more roles."""

    code = "partner_user_roles_required"
    rule = "AC-1"
    http_status = 400
    default_message = "Choose at least one role: a user without a role can't work in the portal."


class LastGlobalAdmin(RuleViolation):
    """AC-1: a partner keeps at least one active Global admin, or nobody could manage its users,
    enroll or accept agreements again."""

    code = "last_global_admin"
    rule = "AC-1"
    http_status = 409
    default_message = (
        "Your organisation must keep at least one active Global admin. Give another user the "
        "Global admin role first."
    )


class CannotDeactivateSelf(RuleViolation):
    """A Global admin doesn't lock itself out mid-session; another Global admin can do it."""

    code = "partner_user_cannot_deactivate_self"
    rule = "AC-1"
    http_status = 409
    default_message = "You can't deactivate your own account. Ask another Global admin to do it."


class AlreadyDeactivated(RuleViolation):
    code = "partner_user_already_deactivated"
    rule = "AC-1"
    http_status = 409
    default_message = "This user is already deactivated."


class AlreadyActive(RuleViolation):
    code = "partner_user_already_active"
    rule = "AC-1"
    http_status = 409
    default_message = "This user is already active."


class InvitationNotPending(RuleViolation):
    """Only a user who has not set a password yet gets an invitation again."""

    code = "partner_user_invitation_not_pending"
    rule = "AC-1"
    http_status = 409
    default_message = "This user has already set a password and signed in: no invitation to send."


class InvitationLinkProblem(RuleViolation):
    """AC-7: a sign-in link that was changed, already used or replaced by a newer one."""

    code = "user_invitation_link_invalid"
    rule = "AC-7"
    http_status = 400
    title = "This link can't be used"
    default_message = (
        "This link is not valid: it was changed, already used, or replaced by a newer "
        "invitation. If you have set your password, sign in; otherwise ask a Global admin of "
        "your organisation to send the invitation again."
    )


class InvitationLinkExpired(InvitationLinkProblem):
    code = "user_invitation_link_expired"
    http_status = 410
    title = "This link has expired"
    default_message = (
        "This link has expired. Ask a Global admin of your organisation to send the invitation "
        "again."
    )


class InvitationUserDeactivated(InvitationLinkProblem):
    """AC-7: the rules are checked when the link is used: a deactivated user can't sign in."""

    code = "user_invitation_deactivated"
    http_status = 403
    title = "This account is deactivated"
    default_message = (
        "Your account has been deactivated, so this link no longer works. Ask a Global admin of "
        "your organisation to reactivate it."
    )
