"""Seeding demo customers set-based with COPY: each with subscriptions (bases before add-ons),
an admin (and for a few a plain user) and an MCA state. Contoso's customers in the demo world,
a trainee's copies of them, and benchmark partners' customers.

Seeding twice changes nothing: every customer is keyed by its tenant's domain.
"""

import uuid
from datetime import timedelta

from django.db import transaction

from core import clock, memo
from core.copyrows import copy_values
from core.models import (
    Customer,
    CustomerRelationship,
    CustomerRole,
    RelationshipKind,
    RelationshipOrigin,
    Tenant,
    User,
)
from customers.models import (
    BillingCycle,
    McaAcceptance,
    McaMethod,
    ProductType,
    Subscription,
)

DEMO_PASSWORD = "Portal-Demo-2026"

CUSTOMER_NAMES = [
    "Adatum Corporation",
    "Adventure Works Cycles",
    "Alpine Ski House",
    "Bellows College",
    "Best For You Organics",
    "Coho Winery",
    "Consolidated Messenger",
    "Fourth Coffee",
    "Graphic Design Institute",
    "Humongous Insurance",
    "Lamna Healthcare",
    "Lucerne Publishing",
    "Margie's Travel",
    "Nod Publishers",
    "Proseware",
    "Relecloud",
    "Southridge Video",
    "Tailspin Toys",
    "Wide World Importers",
    "Woodgrove Bank",
]
CUSTOMERS_WITH_PLAIN_USER = 3  # user@adatum.example, user@adventureworks.example, …
CITIES = ["Seattle", "Redmond", "Boston", "Chicago", "Denver", "Austin", "Portland", "Atlanta"]
# (offer id, name, product type, term, billing cycle, trial)
M365_BP = (
    "CFQ7TTC0LCHC:0002",
    "Microsoft 365 Business Premium",
    ProductType.LICENSE,
    "P1Y",
    BillingCycle.ANNUAL,
    False,
)
AZURE_PLAN = (
    "DZH318Z0BPS6:0001",
    "Azure plan",
    ProductType.AZURE_PLAN,
    "",
    BillingCycle.NONE,
    False,
)
TEAMS_PHONE = (
    "CFQ7TTC0LH3N:0001",
    "Microsoft Teams Phone Standard (add-on)",
    ProductType.LICENSE,
    "P1Y",
    BillingCycle.MONTHLY,
    False,
)
O365_E3_LEGACY = (
    "796B6B5F-613C-4E24-A17C-EBA730D49C02",
    "Office 365 E3 (legacy)",
    ProductType.LEGACY_LICENSE,
    "P1Y",
    BillingCycle.MONTHLY,
    False,
)
E5_TRIAL = (
    "CFQ7TTC0LFLZ:0002",
    "Microsoft 365 E5 (trial)",
    ProductType.LICENSE,
    "P1M",
    BillingCycle.MONTHLY,
    True,
)
AZURE_LEGACY = (
    "MS-AZR-0145P",
    "Microsoft Azure (legacy)",
    ProductType.LEGACY_AZURE,
    "",
    BillingCycle.NONE,
    False,
)
M365_BASIC = (
    "CFQ7TTC0LH18:0001",
    "Microsoft 365 Business Basic",
    ProductType.LICENSE,
    "P1M",
    BillingCycle.MONTHLY,
    False,
)
THIRD_OFFERS = [TEAMS_PHONE, O365_E3_LEGACY, E5_TRIAL, AZURE_LEGACY, M365_BASIC]
EXTRA_OFFERS = [M365_BASIC, AZURE_PLAN, M365_BP, TEAMS_PHONE]


def customer_domain(index: int, prefix: str = "", *, label: str = "") -> str:
    """`label`: a trainee's copy of Contoso's customer (trainee01-adatum.example)."""
    if label:
        return f"{label}-{customer_domain(index)}"
    if prefix:
        return f"{prefix}customer{index + 1:05d}.example"
    if index < len(CUSTOMER_NAMES):
        slug = "".join(ch for ch in CUSTOMER_NAMES[index].lower() if ch.isalnum())
        return f"{slug.removesuffix('corporation').removesuffix('cycles') or slug}.example"
    return f"customer{index + 1:05d}.example"


def customer_name(index: int, prefix: str = "", *, label: str = "") -> str:
    if label:
        return f"{customer_name(index)} ({label})"
    if prefix:
        return f"{prefix.strip('-').title()} Customer {index + 1:05d}"
    return (
        CUSTOMER_NAMES[index] if index < len(CUSTOMER_NAMES) else f"Demo Customer {index + 1:05d}"
    )


def add_customers(partner, count, per_customer=3, *, prefix="", label="", now=None, progress=None):
    """Give `partner` `count` direct-bill customers (domains start with `prefix`; or, with
    `label`, copies of Contoso's customers named after it), each with subscriptions, an admin
    and an MCA state; idempotent. Used by benchmarks for extra partners and by trainees."""
    return _customers(
        partner,
        count,
        per_customer,
        now or clock.now(),
        prefix=prefix,
        label=label,
        progress=progress,
    )


SEED_CHUNK = 5000  # customers written per round of COPYs: memory stays flat at any size


def _customers(contoso, count, per_customer, now, prefix="", label="", progress=None):
    """Create the missing demo customers set-based, a chunk at a time, with COPY (the rows
    still pass every trigger and constraint); returns them as a lazy queryset."""
    hashed = User(email="x@x.example")
    hashed.set_password(DEMO_PASSWORD)  # one hash for every demo admin (hashing is slow)
    for first in range(0, count, SEED_CHUNK):
        indices = range(first, min(count, first + SEED_CHUNK))
        _customer_chunk(contoso, indices, per_customer, now, prefix, label, hashed.password)
        if progress is not None:
            progress(len(indices))
    # Written without audit events, so drop what was memoised from the partner's old data.
    transaction.on_commit(lambda: memo.invalidate(partner_ids=[contoso.pk]))
    domains = [customer_domain(i, prefix, label=label) for i in range(count)]
    return Customer.objects.filter(tenant__domain__in=domains).order_by("id")


def _customer_chunk(contoso, indices, per_customer, now, prefix, label, password):
    """One chunk of customers: plain rows (no model instances) written with one COPY per
    table, parents before children."""
    domains = {i: customer_domain(i, prefix, label=label) for i in indices}
    existing = set(
        Tenant.objects.filter(domain__in=domains.values()).values_list("domain", flat=True)
    )
    missing = [i for i in indices if domains[i] not in existing]
    names = {i: customer_name(i, prefix, label=label) for i in missing}
    tenant_ids = copy_values(Tenant, [{"domain": domains[i], "name": names[i]} for i in missing])
    customer_ids = copy_values(
        Customer,
        [
            {
                "tenant_id": tenant_id,
                "company_name": names[i],
                "email": f"admin@{domains[i]}",
                "contact_name": f"{names[i]} IT",
                "address_line": f"{100 + i} Main Street",
                "city": CITIES[i % len(CITIES)],
                "postal_code": f"{98000 + i % 1000}",
                "country": "US",
                "phone": f"+1 425 555 {i % 10000:04d}",
            }
            for i, tenant_id in zip(missing, tenant_ids, strict=True)
        ],
    )
    indexed = list(zip(missing, customer_ids, strict=True))
    established = now - timedelta(days=700)
    # Seeding loads thousands of starting rows from dicts with COPY; it bypasses the one
    # writer of relationships (core.services.relationships) as data loading, not a change.
    copy_values(
        CustomerRelationship,
        [
            {
                "customer_id": c,
                "partner_id": contoso.pk,
                "kind": RelationshipKind.DIRECT,
                "origin": RelationshipOrigin.CREATED,
                "has_admin_privileges": True,
                "established_at": established,
            }
            for _, c in indexed
        ],
    )
    users = [
        {
            "email": f"admin@{domains[i]}",
            "full_name": f"{names[i]} admin",
            "customer_id": c,
            "customer_role": CustomerRole.GLOBAL_ADMINISTRATOR,
            "password": password,
            "date_joined": now,
        }
        for i, c in indexed
    ]
    # CU-7: a few customers also have a plain user, who sees requests but cannot answer them.
    users += [
        {
            "email": f"user@{domains[i]}",
            "full_name": f"{names[i]} user",
            "customer_id": c,
            "customer_role": CustomerRole.USER,
            "password": password,
            "date_joined": now,
        }
        for i, c in indexed
        if not prefix and i < CUSTOMERS_WITH_PLAIN_USER
    ]
    copy_values(User, users)
    _subscriptions(contoso, indexed, per_customer, now)
    _mca(contoso, [(i, c, names[i], f"admin@{domains[i]}") for i, c in indexed], now)


def _subscriptions(contoso, indexed_customers, per_customer, now):
    """Per customer: Business Premium, an Azure plan, and a third offer that cycles through an
    add-on, a legacy license, a trial, a legacy Azure and a monthly license; more if asked."""
    base_rows, other_rows = [], []
    for i, customer_id in indexed_customers:
        offers = [M365_BP, AZURE_PLAN, THIRD_OFFERS[i % len(THIRD_OFFERS)]]
        offers += [EXTRA_OFFERS[k % len(EXTRA_OFFERS)] for k in range(max(0, per_customer - 3))]
        offers = offers[:per_customer]
        base_id = None
        for k, offer in enumerate(offers):
            offer_id, name, product_type, term, cycle, trial = offer
            sub = {
                "id": uuid.uuid4(),
                "customer_id": customer_id,
                "billing_partner_id": contoso.pk,
                "offer_id": offer_id,
                "offer_name": name,
                "product_type": product_type,
                "quantity": 1
                if product_type.startswith(("azure", "legacy_azure"))
                else 5 + (i + k) % 20,
                "term_duration": term,
                "billing_cycle": cycle,
                "is_trial": trial,
                "commitment_end_date": (now + timedelta(days=30 + (i * 11) % 300)).date()
                if term
                else None,
                "auto_renew": not trial,
                "created_at": now - timedelta(days=200 + i % 100),
            }
            if k == 0:
                base_id = sub["id"]
                base_rows.append(sub)
            else:
                if offer is TEAMS_PHONE:
                    sub["parent_id"] = base_id
                other_rows.append(sub)
    # Bases first: an add-on's parent is then already written when its row is checked.
    copy_values(Subscription, base_rows + other_rows)


def _mca(contoso, customers, now):
    """MCA by admin center for every third customer, missing for a few, attested otherwise.
    `customers` are (index, id, company name, admin email)."""
    rows = []
    for i, customer_id, name, email in customers:
        if i % 7 == 3:
            continue
        by_admin_center = i % 3 == 0
        rows.append(
            {
                "customer_id": customer_id,
                "method": McaMethod.ADMIN_CENTER if by_admin_center else McaMethod.ATTESTATION,
                "partner_id": None if by_admin_center else contoso.pk,
                "signatory_name": f"{name} IT",
                "signatory_email": email,
                "accepted_on": (now - timedelta(days=100 + i)).date(),
                "recorded_at": now - timedelta(days=100 + i),
            }
        )
    copy_values(McaAcceptance, rows)
