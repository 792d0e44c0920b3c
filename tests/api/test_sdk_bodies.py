"""What Microsoft's .NET SDK sends, accepted as is (AP-1; issue 13, "Done when").

The bodies are built from the SDK's model sources, microsoft/partner-center-sdk-for-dotNET at
005c111 (Source/PartnerSdk.Models/...), serialised as the SDK's PartnerServiceProxy does it:
JSON.NET with a DefaultContractResolver, so property names in PascalCase as declared, every
property written, null included, except those marked `NullValueHandling.Ignore`; enums through
the models' EnumJsonConverter (`Unknown` → "unknown", `MicrosoftSupport` →
"microsoft_support"); DateTime as ISO 8601 with the value's offset; `ResourceBase` adds
`Attributes {ObjectType: <class name>}` (Etag left out when null). Values are those of the SDK's
own feature samples (Source/PartnerSdk.FeatureSamples) where they set one.

The SDK has no transfer model; the transfer bodies follow the TransferEntity resources table
(https://learn.microsoft.com/en-us/partner-center/developer/transfer-entity-resources)
serialised the same way, as a client built on the SDK's conventions sends them.
"""

from datetime import timedelta

import pytest

from core import clock
from core.models import CustomerRelationship
from customers.models import McaAcceptance, NewCommerceMigration, Subscription
from tests import factories as f
from transfers.models import TransferRequest

from .test_documented_samples import ISO_DATE_TIME, LEGACY_O365

# --- the SDK's models, serialised ------------------------------------------------------------


def sdk_date_time(value) -> str:
    """JSON.NET's ISO format of a DateTime with an offset (7 fractional digits)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f0%z")[:-2] + ":" + value.strftime("%z")[-2:]


def address(**values) -> dict:
    """PartnerSdk.Models/Address.cs."""
    names = (
        "Country",
        "Region",
        "City",
        "State",
        "AddressLine1",
        "AddressLine2",
        "PostalCode",
        "FirstName",
        "MiddleName",
        "LastName",
        "PhoneNumber",
    )
    return {name: values.get(name) for name in names}


def customer_body(*, domain: str, associated_partner_id: str | None = None) -> dict:
    """PartnerSdk.Models/Customers/Customer.cs (with CustomerCompanyProfile.cs,
    CustomerBillingProfile.cs; ResourceBaseWithLinks: `Links` ignored when null), filled as the
    SDK's CreateCustomer feature sample and "Create a customer" fill it."""
    return {
        "Id": None,
        "CommerceId": None,
        "CompanyProfile": {
            "TenantId": None,
            "Domain": domain,
            "CompanyName": None,
            "OrganizationRegistrationNumber": None,
            "Links": {},
            "Attributes": {"ObjectType": "CustomerCompanyProfile"},
        },
        "BillingProfile": {
            "Id": None,
            "FirstName": None,
            "LastName": None,
            "Email": "gena@wingtiptoys.com",
            "Culture": "EN-US",
            "Language": "En",
            "CompanyName": "Wingtip Toys",
            "DefaultAddress": address(
                FirstName="Gena",
                LastName="Soto",
                AddressLine1="One Microsoft Way",
                City="Redmond",
                State="WA",
                Country="US",
                PostalCode="98052",
                PhoneNumber="4255550101",
            ),
            "Links": {},
            "Attributes": {"ObjectType": "CustomerBillingProfile"},
        },
        "RelationshipToPartner": "unknown",  # CustomerPartnerRelationship's default, Unknown
        "AllowDelegatedAccess": None,
        "UserCredentials": None,
        "CustomDomains": None,
        "AssociatedPartnerId": associated_partner_id,
        "Links": {},
        "Attributes": {"ObjectType": "Customer"},
    }


def agreement_body(*, date_agreed: str) -> dict:
    """PartnerSdk.Models/Agreements/Agreement.cs and Agreements/Contact.cs (not a ResourceBase:
    no Attributes), as FeatureSamples/Features/Agreements/CreateCustomerAgreement.cs fills it."""
    return {
        "UserId": "1ea4d470-3b6c-45ab-9f15-c9d1a5c8f7b6",
        "PrimaryContact": {
            "FirstName": "First",
            "LastName": "Last",
            "Email": "first.last@outlook.com",
            "PhoneNumber": "4123456789",
        },
        "TemplateId": "117a77b0-9360-443b-8795-c6dedc750cf9",
        "DateAgreed": date_agreed,
        "Type": "MicrosoftCustomerAgreement",
        "AgreementLink": None,
    }


def migration_body(*, current_subscription_id: str) -> dict:
    """PartnerSdk.Models/NewCommerceMigrations/NewCommerceMigration.cs with only
    CurrentSubscriptionId set: the value types keep their defaults (`Quantity` 0,
    `PurchaseFullTerm` false) and AddOnMigrations, null, is left out."""
    return {
        "Id": None,
        "StartedTime": None,
        "CompletedTime": None,
        "CurrentSubscriptionId": current_subscription_id,
        "Status": None,
        "CustomerTenantId": None,
        "CatalogItemId": None,
        "NewCommerceSubscriptionId": None,
        "NewCommerceOrderId": None,
        "SubscriptionEndDate": None,
        "CustomTermEndDate": None,
        "Quantity": 0,
        "TermDuration": None,
        "BillingCycle": None,
        "PurchaseFullTerm": False,
        "ExternalReferenceId": None,
        "Attributes": {"ObjectType": "NewCommerceMigration"},
    }


def _link(data: dict | None) -> dict | None:
    """PartnerSdk.Models/Link.cs: Uri, Method, Headers (KeyValuePairs: Key, Value)."""
    if data is None:
        return None
    headers = [{"Key": h["key"], "Value": h["value"]} for h in data["headers"]]
    return {"Uri": data["uri"], "Method": data["method"], "Headers": headers}


def subscription_body(resource: dict, **changes) -> dict:
    """PartnerSdk.Models/Subscriptions/Subscription.cs (Contract: OrderId, ContractType;
    SubscriptionLinks: links ignored when null; ItemType: Id, DisplayName, SubType) of a
    subscription the SDK read from the portal (`resource`, our GET), with `changes` applied:
    what `Subscriptions.ById(id).Patch(subscription)` sends."""
    r = dict(resource, **changes)
    links = {"Self": _link(r["links"].get("self"))}
    if "parentSubscription" in r["links"]:
        links["ParentSubscription"] = _link(r["links"]["parentSubscription"])
    return {
        "Id": r["id"],
        "EntitlementId": r["entitlementId"],
        "OfferId": r["offerId"],
        "OfferName": r["offerName"],
        "FriendlyName": r["friendlyName"],
        "ProductType": {
            "Id": r["productType"]["id"],
            "DisplayName": r["productType"]["displayName"],
            "SubType": None,
        },
        "Quantity": r["quantity"],
        "UnitType": r["unitType"],
        "ParentSubscriptionId": r["parentSubscriptionId"],
        "ConsumptionType": None,
        "CreationDate": r["creationDate"],
        "EffectiveStartDate": r["effectiveStartDate"],
        "CommitmentEndDate": r["commitmentEndDate"],
        "CommitmentEndDateTime": None,
        "CancellationAllowedUntilDate": r["cancellationAllowedUntilDate"],
        "BillingCycleEndDate": None,
        "BillingCycleEndDateTime": None,
        "Status": r["status"],
        "AutoRenewEnabled": r["autoRenewEnabled"],
        "BillingType": r["billingType"],
        "BillingCycle": r["billingCycle"],
        "HasPurchasableAddons": r["hasPurchasableAddons"],
        "IsTrial": r["isTrial"],
        "Actions": None,
        "TermDuration": r["termDuration"],
        "RenewalTermDuration": r["renewalTermDuration"],
        "RefundOptions": [
            {"Type": o["type"], "ExpiresAt": o["expiresAt"]} for o in r["refundOptions"]
        ],
        "IsMicrosoftProduct": r["isMicrosoftProduct"],
        "PartnerId": r["partnerId"],
        "SuspensionReasons": None,
        "ContractType": "subscription",
        "Links": links,
        "PublisherName": r["publisherName"],
        "MigratedFromSubscriptionId": None,
        "RefundableQuantity": None,
        "ScheduledNextTermInstructions": None,
        "NextChargeInstructions": None,
        "OrderId": r["orderId"],
        "Attributes": {"Etag": r["attributes"]["etag"], "ObjectType": "Subscription"},
    }


def transfer_body(*, source_tenant_id: str, customer_email: str) -> dict:
    """TransferEntity ("TransferEntity resources" and "Create a transfer for new commerce":
    sourcePartnerTenantId, sourcePartnerName, customerEmailId, customerName,
    targetPartnerTenantId, targetPartnerEmailId, targetProductTypes, partnerOnRecord,
    transferType — 3 is new commerce) with every property written, PascalCase, nulls kept."""
    return {
        "Id": None,
        "Status": None,
        "TransferType": 3,
        "CustomerEmailId": customer_email,
        "CreatedTime": None,
        "LastModifiedTime": None,
        "CompletedTime": None,
        "ExpirationTime": None,
        "CustomerName": None,
        "CustomerTenantId": None,
        "PartnerTenantId": None,
        "SourcePartnerName": "Source",
        "SourcePartnerTenantId": source_tenant_id,
        "TargetPartnerName": None,
        "TargetPartnerTenantId": None,
        "TargetPartnerEmailId": None,
        "TargetProductTypes": ["OnlineServicesNCE"],
        "PartnerOnRecord": None,
        "LineItems": None,
        "Attributes": {"ObjectType": "TransferEntity"},
    }


def transfer_submit_body(transfer: dict, lines: list[dict]) -> dict:
    """The TransferEntity the source read back, with the TransferLineItems it selected
    (Id, SubscriptionId, Quantity, BillingCycle, FriendlyName, PartnerIdOnRecord, OfferId,
    AddonItems, TransferError, Status), PascalCase as above."""
    return {
        "Id": transfer["id"],
        "Status": transfer["status"],
        "TransferType": transfer["transferType"],
        "CustomerEmailId": transfer["customerEmailId"],
        "CreatedTime": transfer["createdTime"],
        "SourcePartnerTenantId": transfer["sourcePartnerTenantId"],
        "TargetPartnerTenantId": transfer["targetPartnerTenantId"],
        "LineItems": [
            {
                "Id": 0,
                "SubscriptionId": line["id"],
                "Quantity": line["quantity"],
                "BillingCycle": line["billingCycle"],
                "FriendlyName": line["friendlyName"],
                "PartnerIdOnRecord": None,
                "OfferId": line["offerId"],
                "AddonItems": None,
                "TransferError": None,
                "Status": None,
            }
            for line in lines
        ],
        "Attributes": {"ObjectType": "TransferEntity"},
    }


# --- the world ------------------------------------------------------------------------------


@pytest.fixture
def world(api, make_token):
    direct = f.DirectBillEnrollmentFactory().partner
    source = f.DirectBillEnrollmentFactory().partner
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=direct)
    f.RelationshipFactory(customer=customer, partner=source)
    f.McaAcceptanceFactory(customer=customer)
    return {
        "direct": direct,
        "source": source,
        "customer": customer,
        "base": f"/v1/customers/{customer.tenant_id}",
        "api": api(make_token(f.UserFactory(partner=direct, roles=["admin_agent"]))),
        "source_api": api(make_token(f.UserFactory(partner=source, roles=["admin_agent"]))),
    }


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.rule("AP-1")
@pytest.mark.rule("DB-2")
def test_sdk_create_customer_AP1(world):
    """AP-1: Customers.Create(customer) as the SDK serialises it creates the customer
    (DB-2: an Active direct-bill partner may)."""
    r = world["api"].post("/v1/customers", customer_body(domain="wingtiptoys-sdk.onmicrosoft.com"))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["companyProfile"]["domain"] == "wingtiptoys-sdk.onmicrosoft.com"
    assert body["billingProfile"]["defaultAddress"]["firstName"] == "Gena"
    assert (
        CustomerRelationship.objects.active()
        .filter(partner=world["direct"], customer__tenant_id=body["id"])
        .exists()
    )


@pytest.mark.rule("CU-3")
def test_sdk_create_customer_for_indirect_reseller_CU3(api, make_token):
    """CU-3: a provider's Customers.Create with AssociatedPartnerId (the SDK's "Create a
    customer for an indirect reseller") creates it for that reseller; naming a partner that is
    not its active indirect reseller is refused and creates nothing."""
    partnership = f.PartnershipFactory()
    f.IndirectEnrollmentFactory(partner=partnership.reseller)
    provider_api = api(make_token(f.UserFactory(partner=partnership.provider)))
    reseller_id = str(partnership.reseller.tenant_id)
    body = customer_body(domain="fabrikam-sdk.onmicrosoft.com", associated_partner_id=reseller_id)
    r = provider_api.post("/v1/customers", body)
    assert r.status_code == 201, r.content
    assert r.json()["associatedPartnerId"] == reseller_id
    stranger = str(f.PartnerFactory().tenant_id)
    before = CustomerRelationship.objects.count()
    body = customer_body(domain="nope-sdk.onmicrosoft.com", associated_partner_id=stranger)
    r = provider_api.post("/v1/customers", body)
    assert r.status_code == 409, r.content
    assert r.json()["data"][-1]["rule"] == "CU-3"
    assert CustomerRelationship.objects.count() == before


@pytest.mark.rule("MCA-2")
@pytest.mark.parametrize("offset", [timedelta(0), timedelta(hours=2), timedelta(hours=-5)])
def test_sdk_mca_attestation_with_offset_date_time_MCA2(world, offset):
    """MCA-2: Agreements.Create(agreement) with DateAgreed as JSON.NET writes a DateTime (UTC
    from the feature sample's DateTime.UtcNow, or a local time with its offset) attests; the
    date agreed is the day of that date-time, never a future one. An identical repeat is
    answered with the same acceptance, not a second one."""
    from datetime import timezone as tz

    moment = (clock.now() - timedelta(days=1)).astimezone(tz(offset))
    body = agreement_body(date_agreed=sdk_date_time(moment))
    r = world["api"].post(f"{world['base']}/agreements", body)
    assert r.status_code == 201, r.content
    answered = r.json()
    assert ISO_DATE_TIME.match(answered["dateAgreed"])
    acceptance = McaAcceptance.objects.filter(partner=world["direct"]).get()
    assert acceptance.accepted_on == moment.date()
    again = world["api"].post(f"{world['base']}/agreements", body)
    assert again.status_code == 201, again.content  # the acceptance on record
    assert McaAcceptance.objects.filter(partner=world["direct"]).count() == 1


@pytest.mark.rule("MCA-2")
def test_sdk_mca_attestation_future_date_refused_MCA2(world):
    """MCA-2: the same body dated tomorrow is refused and records nothing."""
    body = agreement_body(date_agreed=sdk_date_time(clock.now() + timedelta(days=2)))
    r = world["api"].post(f"{world['base']}/agreements", body)
    assert r.status_code == 400, r.content
    assert not McaAcceptance.objects.filter(partner=world["direct"]).exists()


@pytest.mark.rule("TR-5")
def test_sdk_create_migration_defaults_keep_the_legacy_values_TR5(
    world, django_capture_on_commit_callbacks
):
    """TR-5: NewCommerceMigrations.Create with only CurrentSubscriptionId set sends Quantity 0
    and PurchaseFullTerm false (the models' value-type defaults): accepted, and the migration
    keeps the legacy seats and term end rather than refusing 0 seats."""
    legacy = f.SubscriptionFactory(
        customer=world["customer"],
        billing_partner=world["direct"],
        product_type="legacy_license",
        offer_id=LEGACY_O365,
        offer_name="Office 365 E3 (legacy)",
        quantity=6,
    )
    body = migration_body(current_subscription_id=str(legacy.pk))
    with django_capture_on_commit_callbacks(execute=True):
        r = world["api"].post(f"{world['base']}/migrations/newcommerce", body)
    assert r.status_code == 201, r.content
    assert r.json()["quantity"] == 6 and r.json()["purchaseFullTerm"] is False
    migration = NewCommerceMigration.objects.get(pk=r.json()["id"])
    assert migration.status == "completed", migration.error_description
    new = Subscription.objects.get(migrated_from=legacy)
    assert new.quantity == 6
    assert new.commitment_end_date == legacy.commitment_end_date


@pytest.mark.rule("NC-2")
@pytest.mark.rule("NC-4")
def test_sdk_subscription_patch_round_trip_NC2_NC4(world):
    """NC-4: Subscriptions.ById(id).Patch(subscription), the whole resource the SDK read
    back with Quantity changed, changes the seats; NC-2: the same round trip after the 7-day
    window, lowering the seats, is refused and changes nothing."""
    sub = f.SubscriptionFactory(
        customer=world["customer"], billing_partner=world["direct"], quantity=10
    )
    path = f"{world['base']}/subscriptions/{sub.pk}"
    resource = world["api"].get(path).json()
    r = world["api"].patch(path, subscription_body(resource, quantity=12))
    assert r.status_code == 200, r.content
    sub.refresh_from_db()
    assert sub.quantity == 12
    old = f.SubscriptionFactory(
        customer=world["customer"],
        billing_partner=world["direct"],
        quantity=10,
        created_at=clock.now() - timedelta(days=30),
    )
    path = f"{world['base']}/subscriptions/{old.pk}"
    resource = world["api"].get(path).json()
    r = world["api"].patch(path, subscription_body(resource, quantity=4))
    assert r.status_code == 409, r.content
    old.refresh_from_db()
    assert old.quantity == 10


@pytest.mark.rule("TR-4")
def test_sdk_create_and_submit_transfer_TR4(world):
    """TR-4: the TransferEntity written with every property (PascalCase, nulls, TransferType
    3) creates the transfer; the source's TransferEntity with its selected TransferLineItems
    submits it and the subscription moves."""
    moving = f.SubscriptionFactory(customer=world["customer"], billing_partner=world["source"])
    body = transfer_body(
        source_tenant_id=str(world["source"].tenant_id), customer_email=world["customer"].email
    )
    r = world["api"].post(f"{world['base']}/transfers", body)
    assert r.status_code == 201, r.content
    transfer = r.json()
    assert transfer["status"] == "Active"
    resource = world["source_api"].get(f"{world['base']}/subscriptions/{moving.pk}").json()
    r = world["source_api"].patch(
        f"{world['base']}/transfers/{transfer['id']}", transfer_submit_body(transfer, [resource])
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "Complete"
    assert TransferRequest.objects.get(pk=transfer["id"]).lines.count() == 1
    moving.refresh_from_db()
    assert moving.status != "active"
