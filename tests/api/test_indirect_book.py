"""The provider's view of its resellers' book through the API (issue 12, part 8), and what the
API says about a customer that became indirect (IR-1, IR-2, TR-1).

The world: provider Fabrikam serves two resellers, Contoso (a transitioning direct-bill partner
whose customer Alpha moved to Fabrikam by a real transfer, so Alpha is now Contoso's indirect
customer) and Northwind. Contoso also resells through a second provider, Litware.
"""

import json
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from core.models import CustomerRelationship, RelationshipKind, RelationshipOrigin, Role
from customers.models import McaMethod, ProductType, Subscription, SubscriptionStatus
from tests import factories as f
from transfers import services as transfer_services

from .test_contract import assert_collection, assert_error

PROVIDER_SIDE = "IsIndirectCloudSolutionProviderOf"
RESELLER_SIDE = "IsIndirectResellerOf"


@dataclass
class Book:
    fabrikam: object
    litware: object
    contoso: object
    northwind: object
    alpha: object  # Contoso's, moved to Fabrikam by a transfer (IR-1: indirect)
    bravo: object  # Contoso's, served by Fabrikam, still direct-bill
    delta: object  # Northwind's, served by Fabrikam
    echo: object  # Contoso's, served by Litware
    alpha_moved: object  # the subscription Fabrikam bills for Alpha after the transfer
    alpha_old: object  # the one Contoso billed before


def serve(customer, provider, reseller):
    """The provider's relationship with a customer it serves for `reseller` (CU-1)."""
    return f.RelationshipFactory(
        customer=customer,
        partner=provider,
        kind=RelationshipKind.INDIRECT_PROVIDER,
        origin=RelationshipOrigin.EXTENSION,
        reseller=reseller,
        has_admin_privileges=False,
    )


def reseller_customer(reseller, provider, name, *, kind=RelationshipKind.DIRECT):
    customer = f.CustomerFactory(company_name=name)
    f.RelationshipFactory(customer=customer, partner=reseller, kind=kind)
    serve(customer, provider, reseller)
    f.McaAcceptanceFactory(customer=customer, method=McaMethod.ADMIN_CENTER)
    return customer


def transfer_all(customer, source, target):
    """Move the customer's subscriptions from source to target with the real services."""
    target_agent = f.UserFactory(partner=target, roles=[Role.ADMIN_AGENT])
    source_agent = f.UserFactory(partner=source, roles=[Role.ADMIN_AGENT])
    transfer = transfer_services.transfer_create(
        actor=target_agent,
        customer=customer,
        source_partner_id=source.partner_id,
        customer_email=customer.email,
    )
    ids = [
        str(s.pk) for s in Subscription.objects.filter(customer=customer, billing_partner=source)
    ]
    return transfer_services.transfer_submit(
        actor=source_agent, transfer=transfer, subscription_ids=ids
    )


@pytest.fixture
def book(db):
    fabrikam = f.ProviderFactory(legal_name="Fabrikam Distribution")
    litware = f.ProviderFactory(legal_name="Litware Supply")
    contoso = f.PartnerFactory(legal_name="Contoso Cloud")
    f.DirectBillEnrollmentFactory(partner=contoso)  # transitioning: API access (TX-2)
    f.IndirectEnrollmentFactory(partner=contoso)
    northwind = f.PartnerFactory(legal_name="Northwind Partners")
    f.DirectBillEnrollmentFactory(partner=northwind)
    f.IndirectEnrollmentFactory(partner=northwind)
    f.PartnershipFactory(provider=fabrikam, reseller=contoso)
    f.PartnershipFactory(provider=fabrikam, reseller=northwind)
    f.PartnershipFactory(provider=litware, reseller=contoso)
    f.PartnershipFactory(provider=litware)  # Litware's other reseller

    alpha = reseller_customer(contoso, fabrikam, "Alpha Inc")
    alpha_old = f.SubscriptionFactory(customer=alpha, billing_partner=contoso)
    transfer_all(alpha, contoso, fabrikam)
    bravo = reseller_customer(contoso, fabrikam, "Bravo Inc")
    f.SubscriptionFactory(customer=bravo, billing_partner=contoso)
    delta = reseller_customer(
        northwind, fabrikam, "Delta Inc", kind=RelationshipKind.INDIRECT_RESELLER
    )
    f.SubscriptionFactory(customer=delta, billing_partner=fabrikam, partner_of_record=northwind)
    echo = reseller_customer(contoso, litware, "Echo Inc", kind=RelationshipKind.INDIRECT_RESELLER)
    return Book(
        fabrikam=fabrikam,
        litware=litware,
        contoso=contoso,
        northwind=northwind,
        alpha=alpha,
        bravo=bravo,
        delta=delta,
        echo=echo,
        alpha_moved=Subscription.objects.get(customer=alpha, billing_partner=fabrikam),
        alpha_old=alpha_old,
    )


@pytest.fixture
def as_partner(api, make_token):
    def make(partner, roles=(Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)):
        return api(make_token(f.UserFactory(partner=partner, roles=list(roles))))

    return make


def customers_filter(field, value, operator="starts_with"):
    """`?filter=` as the SDKs send it: the JSON SimpleFieldFilter, URL-encoded."""
    raw = json.dumps({"Field": field, "Value": value, "Operator": operator})
    return f"filter={quote(raw, safe='')}"


def names(response):
    return [i["companyProfile"]["companyName"] for i in assert_collection(response.json())]


# --- the provider's resellers --------------------------------------------------------------


@pytest.mark.rule("PV-2")
@pytest.mark.rule("AP-1")
def test_provider_lists_its_resellers_PV2_AP1(book, as_partner):
    """Retrieve a list of indirect resellers: a provider asks with
    IsIndirectCloudSolutionProviderOf and gets PartnerRelationship items for its accepted
    resellers only (not Litware's)."""
    r = as_partner(book.fabrikam).get(f"/v1/relationships?relationship_type={PROVIDER_SIDE}")
    items = assert_collection(r.json())
    assert [(i["name"], i["mpnId"], i["id"]) for i in items] == [
        (p.legal_name, p.partner_id, str(p.tenant_id)) for p in (book.contoso, book.northwind)
    ]
    assert items[0] == {
        "id": str(book.contoso.tenant_id),
        "name": "Contoso Cloud",
        "relationshipType": "is_indirect_cloud_solution_provider_of",
        "state": "Active",
        "mpnId": book.contoso.partner_id,
        "location": "US",
        "attributes": items[0]["attributes"],
    }
    assert items[0]["attributes"]["objectType"] == "PartnerRelationship"


@pytest.mark.rule("PV-2")
@pytest.mark.parametrize(
    "spelling",
    [PROVIDER_SIDE, "is_indirect_cloud_solution_provider_of", "isIndirectCloudSolutionProviderOf"],
)
def test_relationship_type_as_each_sdk_spells_it_PV2(book, as_partner, spelling):
    """The .NET SDK sends PascalCase, the Java SDK snake case: both are the same type."""
    r = as_partner(book.fabrikam).get(f"/v1/relationships?relationship_type={spelling}")
    assert [i["name"] for i in assert_collection(r.json())] == [
        "Contoso Cloud",
        "Northwind Partners",
    ]
    assert (
        r.json()["links"]["self"]["uri"]
        == f"/relationships?size=100&relationship_type={PROVIDER_SIDE}"
    )


@pytest.mark.rule("PV-2")
def test_reseller_lists_its_providers_PV2(book, as_partner):
    r = as_partner(book.contoso).get(f"/v1/relationships?relationship_type={RESELLER_SIDE}")
    items = assert_collection(r.json())
    assert [(i["name"], i["relationshipType"]) for i in items] == [
        ("Fabrikam Distribution", "is_indirect_reseller_of"),
        ("Litware Supply", "is_indirect_reseller_of"),
    ]


@pytest.mark.rule("AP-1")
def test_wrong_side_of_the_relationship_is_a_clear_400_AP1(book, as_partner):
    """A provider asking for IsIndirectResellerOf (it is nobody's reseller) is told which type
    lists its resellers, and a reseller the other way round; an unknown type names the two."""
    body = assert_error(
        as_partner(book.fabrikam).get(f"/v1/relationships?relationship_type={RESELLER_SIDE}"),
        400,
        "invalid_input",
    )
    assert body["data"][0]["field"] == "relationship_type"
    assert f"relationship_type={PROVIDER_SIDE}" in body["description"]
    body = assert_error(
        as_partner(book.contoso).get(f"/v1/relationships?relationship_type={PROVIDER_SIDE}"),
        400,
        "invalid_input",
    )
    assert "not an indirect provider" in body["description"]
    assert f"relationship_type={RESELLER_SIDE}" in body["description"]
    body = assert_error(
        as_partner(book.fabrikam).get("/v1/relationships?relationship_type=IsPartnerOf"),
        400,
        "invalid_input",
    )
    assert PROVIDER_SIDE in body["description"] and RESELLER_SIDE in body["description"]


@pytest.mark.rule("AP-1")
def test_resellers_filtered_by_name_AP1(book, as_partner):
    """IRelationshipCollection.Query: Field Name, Operator substring."""
    query = customers_filter("Name", "WIND", "substring")
    r = as_partner(book.fabrikam).get(
        f"/v1/relationships?relationship_type={PROVIDER_SIDE}&{query}"
    )
    assert [i["name"] for i in assert_collection(r.json())] == ["Northwind Partners"]
    assert r.json()["links"]["self"]["uri"].endswith(f"&{query}")
    body = assert_error(
        as_partner(book.fabrikam).get(
            f"/v1/relationships?relationship_type={PROVIDER_SIDE}&"
            + customers_filter("MpnId", "3", "substring")
        ),
        400,
        "invalid_input",
    )
    assert "'MpnId' is not supported" in body["description"]


# --- the customers of one reseller ---------------------------------------------------------


@pytest.mark.rule("IR-1")
@pytest.mark.rule("AP-1")
def test_customers_of_an_indirect_reseller_IR1_AP1(book, as_partner):
    """Get customers of an indirect reseller, sent exactly as documented (size=0, the encoded
    JSON filter with the reseller's tenant ID): the provider's customers of that reseller, and
    only those — Northwind's are not in Contoso's list, nor Litware's customers of Contoso."""
    fabrikam = as_partner(book.fabrikam)
    r = fabrikam.get(
        "/v1/customers?size=0&" + customers_filter("IndirectReseller", str(book.contoso.tenant_id))
    )
    assert names(r) == ["Alpha Inc", "Bravo Inc"]
    alpha = r.json()["items"][0]
    assert alpha["relationshipToPartner"] == "reseller"
    assert alpha["relationshipKind"] == "indirect_provider"
    assert alpha["associatedPartnerId"] == str(book.contoso.tenant_id)
    r = fabrikam.get(
        "/v1/customers?" + customers_filter("IndirectReseller", str(book.northwind.tenant_id))
    )
    assert names(r) == ["Delta Inc"]
    # Without the filter: every customer of the provider.
    assert names(fabrikam.get("/v1/customers")) == ["Alpha Inc", "Bravo Inc", "Delta Inc"]
    # Litware serves Echo for Contoso: the same filter from Litware's token names only Echo.
    r = as_partner(book.litware).get(
        "/v1/customers?" + customers_filter("IndirectReseller", str(book.contoso.tenant_id))
    )
    assert names(r) == ["Echo Inc"]


@pytest.mark.rule("AP-1")
def test_indirect_reseller_filter_is_a_case_blind_prefix_and_pages_AP1(book, as_partner):
    """starts_with on the tenant ID, case ignored; the continuation link keeps the filter."""
    fabrikam = as_partner(book.fabrikam)
    prefix = str(book.contoso.tenant_id)[:13].upper()
    query = customers_filter("IndirectReseller", prefix)
    first = fabrikam.get(f"/v1/customers?size=1&{query}").json()
    assert [i["companyProfile"]["companyName"] for i in first["items"]] == ["Alpha Inc"]
    nxt = first["links"]["next"]
    assert nxt["uri"] == f"/customers?size=1&{query}&seekOperation=Next"
    token = nxt["headers"][0]["value"]
    second = fabrikam.get("/v1" + nxt["uri"], headers={"MS-ContinuationToken": token})
    assert names(second) == ["Bravo Inc"] and "next" not in second.json()["links"]


@pytest.mark.rule("AC-2")
@pytest.mark.rule("IR-4")
def test_reseller_token_cannot_list_another_resellers_customers_AC2(book, as_partner):
    """The filter only narrows the caller's own relationships: Contoso asking for Northwind's
    customers gets none (Delta is not its customer), and a reseller's own relationships name no
    reseller."""
    contoso = as_partner(book.contoso)
    for reseller in (book.northwind, book.contoso):
        r = contoso.get(
            "/v1/customers?" + customers_filter("IndirectReseller", str(reseller.tenant_id))
        )
        assert assert_collection(r.json()) == []
    assert "Delta Inc" not in names(contoso.get("/v1/customers"))
    assert_error(contoso.get(f"/v1/customers/{book.delta.tenant_id}"), 404, "not_found")


@pytest.mark.rule("IR-4")
def test_reseller_customers_by_provider_IR4(book, as_partner):
    """Field IndirectCloudSolutionProvider: a reseller's customers served by one provider."""
    contoso = as_partner(book.contoso)
    by_fabrikam = customers_filter("IndirectCloudSolutionProvider", str(book.fabrikam.tenant_id))
    assert names(contoso.get(f"/v1/customers?{by_fabrikam}")) == ["Alpha Inc", "Bravo Inc"]
    by_litware = customers_filter("IndirectCloudSolutionProvider", str(book.litware.tenant_id))
    assert names(contoso.get(f"/v1/customers?{by_litware}")) == ["Echo Inc"]


@pytest.mark.rule("AP-1")
def test_company_name_and_domain_filters_AP1(book, as_partner):
    fabrikam = as_partner(book.fabrikam)
    assert names(fabrikam.get("/v1/customers?" + customers_filter("CompanyName", "br"))) == [
        "Bravo Inc"
    ]
    domain = book.delta.tenant.domain[:6].upper()
    assert names(fabrikam.get("/v1/customers?" + customers_filter("Domain", domain))) == [
        "Delta Inc"
    ]


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize(
    ("raw", "field", "says"),
    [
        ("IndirectReseller", "filter", "URL-encoded JSON object"),
        ('["IndirectReseller"]', "filter", "URL-encoded JSON object"),
        ('{"Field": "IndirectReseller", "Value": "ab"}', "filter", "string Operator"),
        ('{"Field": "IndirectReseller", "Value": 7, "Operator": "starts_with"}', "filter", "Value"),
        (
            '{"Field": "Email", "Value": "a", "Operator": "starts_with"}',
            "filter.Field",
            "'Email' is not supported here; use one of: CompanyName, Domain, IndirectReseller",
        ),
        (
            '{"Field": "CompanyName", "Value": "a", "Operator": "equals"}',
            "filter.Operator",
            "use one of: starts_with",
        ),
        ('{"Field": "CompanyName", "Value": " ", "Operator": "starts_with"}', "filter.Value", ""),
    ],
)
def test_malformed_or_unsupported_filter_is_400_AP1(book, as_partner, raw, field, says):
    """Never silently ignored: the 400 says what is wrong and what to send."""
    r = as_partner(book.fabrikam).get(f"/v1/customers?filter={quote(raw, safe='')}")
    body = assert_error(r, 400, "invalid_input")
    assert body["data"][0]["field"] == field
    assert says in body["description"]


@pytest.mark.rule("AP-1")
def test_filter_property_names_match_without_case_AP1(book, as_partner):
    raw = json.dumps(
        {
            "field": "indirectReseller",
            "value": str(book.northwind.tenant_id),
            "operator": "StartsWith",
        }
    )
    r = as_partner(book.fabrikam).get(f"/v1/customers?filter={quote(raw, safe='')}")
    assert names(r) == ["Delta Inc"]


# --- the end state of a customer and its subscriptions -------------------------------------


@pytest.mark.rule("IR-1")
def test_customer_moved_to_provider_reads_indirect_for_the_reseller_IR1(book, as_partner):
    """After the transfer left Contoso no direct-bill subscription of Alpha, the API says what
    the pages say: Alpha is Contoso's indirect customer, Bravo (still billed by Contoso) stays
    direct-bill. Both are, in Partner Center's words, a reseller relationship."""
    contoso = as_partner(book.contoso)
    alpha = contoso.get(f"/v1/customers/{book.alpha.tenant_id}").json()
    assert (alpha["relationshipKind"], alpha["relationshipToPartner"]) == (
        "indirect_reseller",
        "reseller",
    )
    bravo = contoso.get(f"/v1/customers/{book.bravo.tenant_id}").json()
    assert (bravo["relationshipKind"], bravo["relationshipToPartner"]) == ("direct", "reseller")
    listed = {
        i["companyProfile"]["companyName"]: i["relationshipKind"]
        for i in contoso.get("/v1/customers").json()["items"]
    }
    assert listed == {
        "Alpha Inc": "indirect_reseller",
        "Bravo Inc": "direct",
        "Echo Inc": "indirect_reseller",
    }
    rel = CustomerRelationship.objects.get(partner=book.contoso, customer=book.alpha)
    assert rel.became_indirect_at is not None


@pytest.mark.rule("TR-1")
@pytest.mark.rule("IR-2")
def test_subscriptions_name_the_reseller_as_partner_of_record_TR1_IR2(book, as_partner):
    """The provider bills Alpha's moved subscription and reads Contoso's PartnerID as partnerId;
    Contoso reads the same subscription with itself as partnerId, beside its own transferred
    one (partnerId null: it billed it directly)."""
    path = f"/v1/customers/{book.alpha.tenant_id}/subscriptions"
    items = assert_collection(as_partner(book.fabrikam).get(path).json())
    assert [(i["id"], i["partnerId"]) for i in items] == [
        (str(book.alpha_moved.pk), book.contoso.partner_id)
    ]
    items = assert_collection(as_partner(book.contoso).get(path).json())
    by_id = {i["id"]: i for i in items}
    assert by_id[str(book.alpha_moved.pk)]["partnerId"] == book.contoso.partner_id
    assert by_id[str(book.alpha_moved.pk)]["status"] == "active"
    assert by_id[str(book.alpha_old.pk)]["partnerId"] is None
    detail = as_partner(book.contoso).get(f"{path}/{book.alpha_moved.pk}").json()
    assert detail["partnerId"] == book.contoso.partner_id
    # Northwind's subscription at the same provider is not Contoso's to see.
    delta_sub = Subscription.objects.get(customer=book.delta)
    r = as_partner(book.fabrikam).get(f"/v1/customers/{book.delta.tenant_id}/subscriptions")
    assert [i["partnerId"] for i in r.json()["items"]] == [book.northwind.partner_id]
    assert delta_sub.partner_of_record == book.northwind


@pytest.mark.rule("IR-2")
@pytest.mark.rule("AP-3")
def test_reseller_cannot_change_a_provider_billed_subscription_IR2_AP3(book, as_partner):
    """Read-only for the reseller: migrating a legacy subscription its provider bills is refused
    with the service's refusal and nothing changes, while the same call on a legacy subscription
    it bills itself (Bravo, still direct-bill) goes through."""

    def legacy(customer, billing_partner, partner_of_record=None):
        return f.SubscriptionFactory(
            customer=customer,
            billing_partner=billing_partner,
            partner_of_record=partner_of_record,
            offer_name="Office 365 E3 (legacy)",
            product_type=ProductType.LEGACY_LICENSE,
        )

    contoso = as_partner(book.contoso)
    provider_billed = legacy(book.alpha, book.fabrikam, book.contoso)
    path = f"/v1/customers/{book.alpha.tenant_id}/migrations/newcommerce"
    before = Subscription.objects.filter(customer=book.alpha).count()
    r = contoso.post(path, {"currentSubscriptionId": str(provider_billed.pk)})
    refusal = assert_error(r, 409, "not_direct_bill_customer")
    assert "Only the partner that bills this subscription can manage it" in refusal["description"]
    provider_billed.refresh_from_db()
    assert provider_billed.status == SubscriptionStatus.ACTIVE
    assert Subscription.objects.filter(customer=book.alpha).count() == before

    own = legacy(book.bravo, book.contoso)
    r = contoso.post(
        f"/v1/customers/{book.bravo.tenant_id}/migrations/newcommerce",
        {"currentSubscriptionId": str(own.pk)},
    )
    assert r.status_code == 201, r.content
