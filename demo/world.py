"""The deterministic demo world: Contoso Cloud (direct-bill, transitioning), two indirect
providers, their people and support staff, and Contoso's customers (seeded by `demo.seeding`).

Building it twice changes nothing: every row is keyed by a domain or an email address.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from core import clock
from core.models import CustomerRole, Partner, Role, Service, Tenant, User
from enrollment.models import DirectBillEnrollment, DirectBillStatus

from .seeding import DEMO_PASSWORD, add_customers

CONTOSO_USERS = [
    ("globaladmin@contoso.example", "Grace Global", [Role.GLOBAL_ADMIN]),
    ("agent@contoso.example", "Adam Agent", [Role.ADMIN_AGENT]),
    ("sales@contoso.example", "Sally Sales", [Role.SALES_AGENT]),
    ("billing@contoso.example", "Bill Billing", [Role.BILLING_ADMIN]),
]


@dataclass
class World:
    contoso: Partner
    fabrikam: Partner
    northwind: Partner
    customers: object  # a queryset of the demo customers, ordered by id (lazy: big worlds)


def ensure_partner(domain, legal_name, partner_id, **fields) -> Partner:
    tenant, _ = Tenant.objects.get_or_create(domain=domain, defaults={"name": legal_name})
    partner, _ = Partner.objects.get_or_create(
        tenant=tenant,
        defaults={"legal_name": legal_name, "partner_id": partner_id, **fields},
    )
    return partner


def ensure_user(email, full_name, *, partner=None, customer=None, roles=(), staff=False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            full_name=full_name,
            partner=partner,
            customer=customer,
            customer_role=CustomerRole.GLOBAL_ADMINISTRATOR if customer else "",
            roles=list(roles),
            is_staff=staff,
            is_superuser=staff,
        )
    return user


@transaction.atomic
def build(*, customers: int = 20, subscriptions: int = 3, progress=None) -> World:
    """The demo world with `customers` customers of Contoso; `progress(n)` is told as each
    chunk of customers is written."""
    now = clock.now()
    today = now.date()
    contoso = ensure_partner(
        "contoso.example",
        "Contoso Cloud",
        "1234567",
        country="US",
        city="Seattle",
        primary_contact_email="globaladmin@contoso.example",
        profile_confirmed_on=today - timedelta(days=40),
        revenue_12m_usd=2_400_000,
    )
    DirectBillEnrollment.objects.get_or_create(
        partner=contoso,
        defaults={
            "status": DirectBillStatus.ACTIVE,
            "enrolled_at": now - timedelta(days=3 * 365),
            "status_changed_at": now - timedelta(days=3 * 365),
        },
    )
    fabrikam = ensure_partner(
        "fabrikam.example",
        "Fabrikam Distribution",
        "7654321",
        country="US",
        city="Dallas",
        primary_contact_email="admin@fabrikam.example",
        profile_confirmed_on=today,
        revenue_12m_usd=90_000_000,
        is_indirect_provider=True,
        services_offered=[Service.TECHNICAL_TRAINING, Service.MARKETING, Service.FINANCING],
    )
    northwind = ensure_partner(
        "northwind.example",
        "Northwind Supply",
        "2345678",
        country="GB",
        city="London",
        primary_contact_email="admin@northwind.example",
        profile_confirmed_on=today,
        revenue_12m_usd=45_000_000,
        is_indirect_provider=True,
        services_offered=[Service.FINANCING],
    )
    for email, name, roles in CONTOSO_USERS:
        ensure_user(email, name, partner=contoso, roles=roles)
    ensure_user(
        "admin@fabrikam.example",
        "Fiona Fabrikam",
        partner=fabrikam,
        roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT],
    )
    ensure_user(
        "admin@northwind.example",
        "Nate Northwind",
        partner=northwind,
        roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT],
    )
    ensure_user("support@portal.example", "Sam Support", staff=True)

    customer_rows = add_customers(contoso, customers, subscriptions, now=now, progress=progress)
    return World(contoso=contoso, fabrikam=fabrikam, northwind=northwind, customers=customer_rows)
