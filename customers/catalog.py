"""The small offer catalogue the simulator sells from (new commerce offers, USD list prices per
seat per month; Azure plan is usage-based). Offer IDs follow Partner Center's
`<product>:<sku>` form."""

from dataclasses import dataclass
from decimal import Decimal

from .models import BillingCycle, ProductType


@dataclass(frozen=True)
class Offer:
    offer_id: str
    name: str
    product_type: str
    term_duration: str
    billing_cycle: str
    monthly_price_usd: Decimal
    add_on_for: tuple = ()

    @property
    def is_add_on(self):
        return bool(self.add_on_for)


M365_BP = "CFQ7TTC0LCHC:0002"
M365_BASIC = "CFQ7TTC0LH18:0001"
M365_E3 = "CFQ7TTC0LFLX:0001"
O365_E3 = "CFQ7TTC0LF8Q:0001"
TEAMS_PHONE = "CFQ7TTC0LH3N:0001"
AZURE_PLAN = "DZH318Z0BPS6:0001"

OFFERS = {
    o.offer_id: o
    for o in [
        Offer(
            M365_BP,
            "Microsoft 365 Business Premium",
            ProductType.LICENSE,
            "P1Y",
            BillingCycle.ANNUAL,
            Decimal("22.00"),
        ),
        Offer(
            M365_BASIC,
            "Microsoft 365 Business Basic",
            ProductType.LICENSE,
            "P1M",
            BillingCycle.MONTHLY,
            Decimal("7.20"),
        ),
        Offer(
            M365_E3,
            "Microsoft 365 E3",
            ProductType.LICENSE,
            "P1Y",
            BillingCycle.MONTHLY,
            Decimal("36.00"),
        ),
        Offer(
            O365_E3,
            "Office 365 E3",
            ProductType.LICENSE,
            "P1Y",
            BillingCycle.MONTHLY,
            Decimal("23.00"),
        ),
        Offer(
            TEAMS_PHONE,
            "Microsoft Teams Phone Standard (add-on)",
            ProductType.LICENSE,
            "P1Y",
            BillingCycle.MONTHLY,
            Decimal("10.00"),
            add_on_for=(M365_BP, M365_BASIC, M365_E3, O365_E3),
        ),
        Offer(
            AZURE_PLAN,
            "Azure plan",
            ProductType.AZURE_PLAN,
            "",
            BillingCycle.NONE,
            Decimal("250.00"),
        ),
    ]
}

# TR-5: the new commerce equivalent of each legacy offer the demo world holds.
LEGACY_EQUIVALENTS = {
    "796B6B5F-613C-4E24-A17C-EBA730D49C02": O365_E3,
    "MS-AZR-0145P": AZURE_PLAN,
}
NEW_COMMERCE_TYPE: dict[str, str] = {
    ProductType.LEGACY_LICENSE: ProductType.LICENSE,
    ProductType.LEGACY_AZURE: ProductType.AZURE_PLAN,
}


def price_of(offer_id: str) -> Decimal:
    offer = OFFERS.get(offer_id)
    return offer.monthly_price_usd if offer else Decimal("15.00")


def offer_choices(*, add_ons: bool | None = None):
    return [
        (o.offer_id, o.name) for o in OFFERS.values() if add_ons is None or o.is_add_on == add_ons
    ]


# The Microsoft Customer Agreement's metadata as Partner Center publishes it (AgreementMetaData,
# step 1 of "Confirm customer acceptance of the Microsoft Customer Agreement"):
# https://learn.microsoft.com/en-us/partner-center/developer/confirm-customer-consent-customer-agreement
MCA_TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"
MCA_LINK = "https://aka.ms/customeragreement"
MCA_VERSION_RANK = 0
