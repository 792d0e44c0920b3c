"""The core shared by every app: tenants, partners, users and roles, customers and the
partner-customer relationships that decide who sees what, the simulation clock, audit events,
notifications and emails, bulk jobs and memos. One module per topic; every model is
re-exported here (Django finds an app's models in `<app>.models`)."""

from ..role_names import IMPLIED_ROLES, Role, effective_roles, roles_granting
from .audit import AuditEvent, Outcome
from .bulk import BULK_JOB_TRANSITIONS, BulkJob, BulkJobItem, JobStatus
from .clock import SimulationClock
from .customers import (
    Customer,
    CustomerRelationship,
    CustomerRelationshipQuerySet,
    RelationshipKind,
    RelationshipOrigin,
)
from .memo import PartnerMemo
from .notifications import EMAIL_TRANSITIONS, EmailStatus, Notification, OutboundEmail
from .tenancy import Partner, Service, Tenant, trigram_index
from .users import CustomerRole, User, UserManager

__all__ = [
    "BULK_JOB_TRANSITIONS",
    "EMAIL_TRANSITIONS",
    "IMPLIED_ROLES",
    "AuditEvent",
    "BulkJob",
    "BulkJobItem",
    "Customer",
    "CustomerRelationship",
    "CustomerRelationshipQuerySet",
    "CustomerRole",
    "EmailStatus",
    "JobStatus",
    "Notification",
    "Outcome",
    "OutboundEmail",
    "Partner",
    "PartnerMemo",
    "RelationshipKind",
    "RelationshipOrigin",
    "Role",
    "Service",
    "SimulationClock",
    "Tenant",
    "User",
    "UserManager",
    "effective_roles",
    "roles_granting",
    "trigram_index",
]
