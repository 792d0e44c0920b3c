"""The /v1/ endpoints, one module per resource. Each is thin: it resolves the caller's objects
(AC-2: another partner's object is 404) and calls the same service function as the portal page
(AP-3); refusals are the services' RuleViolations, mapped to the error body in
api.exceptions.exception_handler."""
