"""Every API error's numeric `code` (AP-1, AP-3): clients branch on Partner Center's numbers,
so each refusal's stable name (a RuleViolation's `code`, or a protocol error's) has one
number here. The name stays in the body as `errorName`.

Partner Center's documented numbers are used where the docs name one for that refusal:
- Partner Center REST error codes
  (https://learn.microsoft.com/en-us/partner-center/developer/error-codes): 400 access denied
  (HTTP 401), 1000 not found, 2032 access denied (HTTP 403), 20002 no commerce relationship
  with the customer, 20003 subscription not found, 400056 invalid input.
- TransferErrorCode (TransferEntity resources,
  https://learn.microsoft.com/en-us/partner-center/developer/transfer-entity-resources):
  800015 MpnIdNotFound, 800016 NotValidIndirectResellerMpnId, 900100 TransferIdNotFound,
  900101 TransferNotAllowedIfStatusIsInProgress, 900102 TransferNotAllowedIfStatusIsCompleted.
- Partner Center REST error codes, commerce: 800004 invalid offer ID, 800090 subscription
  quantity cannot be decreased, 900117 past the cancellation window.
Every other refusal has a number of ours in 710000–719999, a range Partner Center does not
document. Numbers never change once published; a new refusal gets the next free number.
"""

PARTNER_CENTER = {
    "unauthenticated": 400,
    "invalid_token": 400,
    "not_found": 1000,
    "forbidden": 2032,
    "role_required": 2032,
    "source_not_customers_partner": 20002,
    "no_provider_relationship": 20002,
    "subscription_not_found": 20003,
    "invalid_input": 400056,
    "malformed_request": 400056,
    "source_partner_not_found": 800015,
    "unknown_partner": 800015,
    "partner_of_record_invalid": 800016,
    "transfer_not_found": 900100,
    "transfer_already_open": 900101,
    "transfer_not_pending": 900102,
    # Partner Center REST error codes: 800004 "Invalid offer ID", 800090 "Subscription quantity
    # cannot be decreased" (also the error sample of "Change the quantity of a subscription"),
    # 900117 "You have passed your {0}-day cancellation window". These three were 711080,
    # 711070 and 711004 before the docs' numbers were checked; those numbers stay unused.
    "unknown_offer": 800004,
    "seat_reduction_window_closed": 800090,
    "cancellation_window_closed": 900117,
}

OURS = {
    # protocol errors
    "method_not_allowed": 710001,
    "not_acceptable": 710002,
    "unsupported_media_type": 710003,
    "request_too_large": 710004,
    "too_many_requests": 710005,
    "service_unavailable": 710006,
    "error": 710007,
    "request_id_reused": 710008,
    "api_access_direct_bill_only": 710009,
    "not_partner_user": 710010,
    # rule refusals
    "rule_violation": 711000,
    "invalid_transition": 711001,
    "agreement_not_available": 711002,
    "already_direct_bill": 711003,
    "changed_since_request": 711005,
    "clock_backwards": 711006,
    "clock_beyond_bound": 711007,
    "clock_refused": 711008,
    "closing_blocked": 711009,
    "customer_email_mismatch": 711010,
    "customer_global_admin_required": 711011,
    "direct_bill_active": 711012,
    "direct_bill_overrides_indirect": 711013,
    "direct_bill_required": 711014,
    "direct_bill_restricted": 711015,
    "domain_taken": 711016,
    "enrollment_not_pending": 711017,
    "extension_already_exists": 711018,
    "extension_bill_to_not_confirmed": 711019,
    "extension_consent_in_future": 711020,
    "extension_consent_missing": 711021,
    "extension_customer_not_direct": 711022,
    "extension_indirect_enrollment_required": 711023,
    "extension_provider_not_accepted": 711024,
    "extension_refused": 711025,
    "gdap_no_longer_valid": 711026,
    "gdap_refused": 711027,
    "indirect_enrollment_open": 711028,
    "indirect_reseller_required": 711029,
    "invalid_add_on": 711030,
    "invalid_migration_terms": 711031,
    "invalid_product_types": 711032,
    "invitation_expired": 711033,
    "invitation_link_invalid": 711034,
    "invitation_link_removed": 711035,
    "invitation_no_longer_valid": 711036,
    "invitation_not_found": 711037,
    "invitation_refused": 711038,
    "invitation_used": 711039,
    "invitation_withdrawn": 711040,
    "invitation_wrong_audience": 711041,
    "license_unavailable": 711042,
    "mca_attestation_not_allowed": 711043,
    "mca_date_in_future": 711044,
    "mca_not_valid_for_target": 711045,
    "new_tenant_required": 711046,
    "no_admin_permissions": 711047,
    "no_direct_bill_enrollment": 711048,
    "no_relationship_with_target": 711049,
    "not_an_orphaned_add_on": 711050,
    "not_direct_bill_customer": 711051,
    "not_indirect_customer": 711052,
    "not_legacy_subscription": 711053,
    "not_transacting_partner": 711054,
    "not_transfer_source": 711055,
    "not_transfer_target": 711056,
    "nothing_selected": 711057,
    "nothing_to_do": 711058,
    "nothing_to_transfer": 711059,
    "order_request_closed": 711060,
    "partnership_refused": 711061,
    "profile_not_current": 711062,
    "reason_required": 711063,
    "reseller_cannot_create_tenant": 711064,
    "reseller_not_eligible": 711065,
    "revenue_too_low": 711066,
    "sandbox_exists": 711067,
    "sandbox_not_allowed": 711068,
    "sandbox_transfer": 711069,
    "source_is_target": 711071,
    "subscription_expired": 711072,
    "subscription_in_open_transfer": 711073,
    "subscription_not_active": 711074,
    "subscription_not_eligible": 711075,
    "support_request_closed": 711076,
    "support_staff_only": 711077,
    "token_user_not_partner": 711078,
    "too_many_line_items": 711079,
    "relationship_request_refused": 711081,
    "access_assignment_refused": 711082,
    "webhook_url_invalid": 711083,
    "webhook_url_loop": 711084,
    "webhook_events_invalid": 711085,
    "webhook_body_too_large": 711086,
    "webhook_registration_exists": 711087,
    "webhook_not_registered": 711088,
    "migration_in_progress": 711089,
    "not_an_add_on_of_line": 711090,
    "partial_transfer_not_supported": 711091,
    # trainer cohorts (demo/)
    "trainer_required": 711800,
    "trainee_count_invalid": 711801,
    "trainee_unknown": 711802,
    "trainee_stage_refused": 711803,
    "demo_stage_refused": 711804,
    "gdap_not_editable": 711200,
    # everyday tools (notifications, support threads, agreements): block 711600–711699
    "notification_not_found": 711600,
    "support_request_not_found": 711601,
    # user management (users/)
    "partner_user_not_found": 711500,
    "partner_user_email_taken": 711501,
    "partner_user_roles_required": 711502,
    "last_global_admin": 711503,
    "partner_user_cannot_deactivate_self": 711504,
    "partner_user_already_deactivated": 711505,
    "partner_user_already_active": 711506,
    "partner_user_invitation_not_pending": 711507,
    "user_invitation_link_invalid": 711508,
    "user_invitation_link_expired": 711509,
    "user_invitation_deactivated": 711510,
}

NUMERIC_CODES = {**OURS, **PARTNER_CENTER}


def numeric_code(name: str) -> int:
    """The number of the error named `name`; an unlisted name (a refusal added without a
    number, which tests/api/test_fidelity.py catches) falls back to the generic rule number."""
    return NUMERIC_CODES.get(name, OURS["rule_violation"])
