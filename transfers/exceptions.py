"""Refusals of the transfer rules (TR-*, MCA-4, TX-1). Each has a stable code for the API."""

from core.exceptions import RuleViolation


class TransferNotFound(RuleViolation):
    code = "transfer_not_found"
    rule = "AC-2"
    http_status = 404
    default_message = "No such transfer request."


class CustomerEmailMismatch(RuleViolation):
    code = "customer_email_mismatch"
    rule = "TR-4"
    http_status = 400
    default_message = "The customer email doesn't match the customer's email address."


class SourcePartnerNotFound(RuleViolation):
    code = "source_partner_not_found"
    rule = "TR-4"
    http_status = 400
    default_message = "No partner has that PartnerID."


class SourceIsTarget(RuleViolation):
    code = "source_is_target"
    rule = "TR-7"
    http_status = 400
    default_message = "The source partner and the target partner must be different."


class SourceNotCustomersPartner(RuleViolation):
    code = "source_not_customers_partner"
    rule = "TR-4"
    http_status = 409
    default_message = "That PartnerID is not one of this customer's partners."


class NoRelationshipWithTarget(RuleViolation):
    code = "no_relationship_with_target"
    rule = "TR-3"
    http_status = 409
    default_message = (
        "The customer must have a reseller relationship with you before you can request a "
        "transfer: send a relationship request (or have the reseller extend it) first."
    )


class SandboxTransfer(RuleViolation):
    code = "sandbox_transfer"
    rule = "TR-8"
    http_status = 403
    default_message = "Transfers are not available for sandbox (integration test) accounts."


class PartnerOfRecordInvalid(RuleViolation):
    code = "partner_of_record_invalid"
    rule = "TR-1"
    http_status = 400
    default_message = "The partner of record must be the customer's indirect reseller."


class InvalidProductTypes(RuleViolation):
    code = "invalid_product_types"
    rule = "TR-5"
    http_status = 400
    default_message = "Only new commerce license-based and Azure product types can transfer."


class TransferAlreadyOpen(RuleViolation):
    code = "transfer_already_open"
    rule = "TR-7"
    http_status = 409
    default_message = "A pending transfer request for this customer already exists."


class TransferNotPending(RuleViolation):
    code = "transfer_not_pending"
    rule = "TR-7"
    http_status = 409
    default_message = "This transfer request is no longer pending."


class NotTransferTarget(RuleViolation):
    code = "not_transfer_target"
    rule = "TR-7"
    http_status = 403
    default_message = "Only the partner that created the request (the target) can cancel it."


class NotTransferSource(RuleViolation):
    code = "not_transfer_source"
    rule = "TR-4"
    http_status = 403
    default_message = "Only the source partner can submit this transfer request."


class NothingSelected(RuleViolation):
    code = "nothing_selected"
    rule = "TR-4"
    http_status = 400
    default_message = "Select at least one subscription to transfer."


class SubscriptionNotEligible(RuleViolation):
    code = "subscription_not_eligible"
    rule = "TR-5"
    http_status = 409
    default_message = "Some selected subscriptions can't be transferred."


class TooManyLineItems(RuleViolation):
    code = "too_many_line_items"
    rule = "TR-6"
    http_status = 400
    default_message = "A transfer request can hold at most 25 subscriptions."


class SubscriptionInOpenTransfer(RuleViolation):
    code = "subscription_in_open_transfer"
    rule = "TR-7"
    http_status = 409
    default_message = "A selected subscription is already in another transfer request."


class McaNotValidForTarget(RuleViolation):
    code = "mca_not_valid_for_target"
    rule = "MCA-4"
    http_status = 409
    default_message = (
        "The transfer can't complete: the customer's Microsoft Customer Agreement is not valid "
        "for the target partner. The target must obtain or attest the customer's acceptance."
    )


class NothingToDo(RuleViolation):
    """A bulk transfer action with no item to act on (no job is started)."""

    code = "nothing_to_do"
    rule = "TR-2"
    http_status = 409
    default_message = "There is nothing to do."


class NothingToTransfer(RuleViolation):
    code = "nothing_to_transfer"
    rule = "TR-5"
    default_message = "No subscription of this customer can be transferred yet."


class NotAnOrphanedAddOn(RuleViolation):
    code = "not_an_orphaned_add_on"
    rule = "TR-11"
    http_status = 409
    default_message = (
        "Only an add-on you bill whose base subscription you no longer bill can be ended here; "
        "an add-on with its base moves or stays with it."
    )


class PartialTransferNotSupported(RuleViolation):
    """TR-6: a new commerce subscription moves whole, with all its seats; a line item asking
    for fewer (or more) is refused rather than silently moving all of them."""

    code = "partial_transfer_not_supported"
    rule = "TR-6"
    http_status = 400
    default_message = (
        "A subscription transfers with all its seats: leave out quantity or send the "
        "subscription's own quantity."
    )


class NotAnAddOnOf(RuleViolation):
    """TR-11: `addonItems` lists the add-ons of the line's subscription, which move with it."""

    code = "not_an_add_on_of_line"
    rule = "TR-11"
    http_status = 400
    default_message = "An addonItems entry is not an add-on of its line's subscription."
