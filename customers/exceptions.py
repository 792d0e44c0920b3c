"""Refusals of the customer rules (CU-*, MV-1, MCA-2, TR-5, DB-2 comes from enrollment)."""

from core.exceptions import InvalidInput, RuleViolation


class NotDirectBillCustomer(RuleViolation):
    """CU-4/CU-5: direct-bill capabilities only for customers acquired as direct-bill."""

    code = "not_direct_bill_customer"
    rule = "CU-4"
    http_status = 409
    default_message = (
        "This is not one of your direct-bill customers: purchases and subscriptions are only "
        "available for customers acquired as direct-bill."
    )


class NotIndirectCustomer(RuleViolation):
    """CU-4: the indirect reseller tasks apply to the reseller's indirect customers."""

    code = "not_indirect_customer"
    rule = "CU-4"
    http_status = 409
    default_message = "This is not one of your indirect customers."


class NoAdminPermissions(RuleViolation):
    """CU-6: managing a customer's users or licences needs an active GDAP relationship the
    customer approved, holding a role that allows it."""

    code = "no_admin_permissions"
    rule = "CU-6"
    http_status = 403
    default_message = (
        "You have no admin permissions in this customer's tenant: ask the customer to approve a "
        "GDAP relationship with a role that allows this."
    )


class ResellerCannotCreateTenant(RuleViolation):
    code = "reseller_cannot_create_tenant"
    rule = "CU-3"
    http_status = 403
    default_message = (
        "Indirect resellers can't create customer tenants; your provider creates the tenant "
        "and names you."
    )


class ResellerNotEligible(RuleViolation):
    """CU-3: a provider names a reseller that is not an active indirect reseller (or that a
    registered check refuses, e.g. no accepted partnership)."""

    code = "reseller_not_eligible"
    rule = "CU-3"
    http_status = 409
    default_message = "The named partner is not an active indirect reseller."


class DomainTaken(InvalidInput):
    code = "domain_taken"
    rule = "CU-3"
    default_message = "That domain is already in use by another tenant."


class NoProviderRelationship(RuleViolation):
    """MV-1: a provider orders only for a customer it has a reseller relationship with."""

    code = "no_provider_relationship"
    rule = "MV-1"
    http_status = 409
    default_message = (
        "You can't submit orders for this customer: you don't have a reseller relationship "
        "with it yet."
    )


class UnknownOffer(InvalidInput):
    code = "unknown_offer"
    rule = "CU-4"
    default_message = "That offer is not in the catalogue."


class InvalidAddOn(InvalidInput):
    code = "invalid_add_on"
    rule = "CU-4"
    default_message = "That add-on can't be bought for the chosen base subscription."


class SubscriptionNotActive(RuleViolation):
    code = "subscription_not_active"
    rule = "DB-2"
    default_message = "Only an active subscription can be changed."


class McaAttestationRefused(RuleViolation):
    """MCA-2: only a direct-bill partner or the provider of the customer can attest; indirect
    resellers cannot."""

    code = "mca_attestation_not_allowed"
    rule = "MCA-2"
    http_status = 403
    default_message = (
        "Indirect resellers can't attest the Microsoft Customer Agreement: the customer's "
        "provider attests, or the customer accepts it in the admin center."
    )


class McaDateInFuture(InvalidInput):
    code = "mca_date_in_future"
    rule = "MCA-2"
    default_message = "The date of acceptance can't be in the future."


class NotLegacySubscription(RuleViolation):
    code = "not_legacy_subscription"
    rule = "TR-5"
    default_message = "Only a legacy subscription can be migrated to new commerce."


class LicenseUnavailable(RuleViolation):
    code = "license_unavailable"
    rule = "CU-4"
    default_message = "No licence of that product is left to assign."


class OrderRequestClosed(RuleViolation):
    code = "order_request_closed"
    rule = "CU-4"
    default_message = "This order request has already been handled."


class SubscriptionExpired(RuleViolation):
    """NC-1: an expired subscription (its term ended without renewal) can't be changed."""

    code = "subscription_expired"
    rule = "NC-1"
    http_status = 409
    default_message = (
        "This subscription has expired and can't be changed; buy a new subscription instead."
    )


class CancellationWindowClosed(RuleViolation):
    """NC-2: a new commerce licence-based subscription can be cancelled only within 7 days
    (168 hours) of its purchase or last renewal."""

    code = "cancellation_window_closed"
    rule = "NC-2"
    http_status = 409
    default_message = (
        "The cancellation window (7 days after purchase or renewal) has closed; turn auto-renew "
        "off to let the subscription end at its term end."
    )


class SeatReductionWindowClosed(RuleViolation):
    """NC-2: seats can be reduced only within 7 days (168 hours) of purchase or renewal; after
    that they can only go up until the next renewal."""

    code = "seat_reduction_window_closed"
    rule = "NC-2"
    http_status = 409
    default_message = (
        "Seats can only be reduced within 7 days of purchase or renewal; that window has "
        "closed, so seats can only go up until the next renewal."
    )


class InvalidMigrationTerms(InvalidInput):
    """TR-5: the term, billing frequency, quantity or term end chosen for a migration to new
    commerce don't fit together."""

    code = "invalid_migration_terms"
    rule = "TR-5"
    default_message = "Choose a term (P1M, P1Y or P3Y) and a billing frequency valid for it."


class MigrationInProgress(RuleViolation):
    """TR-5: one migration of a subscription at a time."""

    code = "migration_in_progress"
    rule = "TR-5"
    http_status = 409
    default_message = (
        "A migration of this subscription is already processing; wait for it to complete."
    )
