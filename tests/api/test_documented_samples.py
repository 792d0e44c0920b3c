"""Microsoft's documented samples, replayed (AP-1; issue 13, "Done when").

Each file in tests/api/data/samples/ is one sample of a Partner Center REST reference page: its
`_source` (the page) and `_read_from` (the page's markdown we read it from), the request as the
page prints it (the body verbatim: PascalCase, trailing commas, comments, U+202F spaces and
all) and the documented response. The test sends the request to the portal, with the sample's
own ids swapped for objects of a test world (`ids`, `{name}` in the path), and compares our
response with the documented one recursively:

- every property of the sample is present (names compared without case, as JSON.NET reads
  them), unless `differences` names it with the reason it is deliberately absent or different;
- same JSON type: object, array, string, integer, boolean; a date-time string stays an ISO
  8601 date-time with a time and a zone; an id that is a GUID in the sample is a GUID; a value
  is never null where the sample has one (a null in the sample constrains nothing);
- arrays: each of our items against the documented items (their properties merged).

Our additions (properties the sample lacks) are allowed: API.md says add, never rename.
docs/api.md lists the deliberate differences per endpoint.
"""

import json
import re
from pathlib import Path

import pytest

from api.numeric_codes import NUMERIC_CODES
from tests import factories as f

SAMPLES = Path(__file__).parent / "data" / "samples"
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")
ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
LEGACY_O365 = "796B6B5F-613C-4E24-A17C-EBA730D49C02"


def sample_files():
    return sorted(SAMPLES.glob("*.json"))


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def merged(items: list) -> dict | None:
    """The documented items of an array as one: every property any of them has, with the
    first non-null value seen."""
    objects = [i for i in items if isinstance(i, dict)]
    if not objects:
        return None
    out: dict = {}
    for item in objects:
        for key, value in item.items():
            if out.get(key) is None:
                out[key] = value
    return out


def is_id(path: str) -> bool:
    """An id property (`id`, `...Id`), whose GUID-ness the SDKs rely on; an offer id is a GUID
    only for legacy offers, so it is not one of them."""
    name = path.rsplit(".", 1)[-1].removesuffix("[]")
    return (name == "id" or name.endswith("Id")) and name != "offerId"


def differences_from(sample, ours, path: str, allowed: dict) -> list[str]:
    """How `ours` differs from the documented `sample` in names, types and nesting, except at
    the paths `allowed` names (see the module docstring)."""
    if path in allowed or sample is None:
        return []
    kind, our_kind = json_type(sample), json_type(ours)
    if kind == "number" and our_kind == "integer":
        our_kind = "number"
    if kind != our_kind:
        return [f"{path or '(body)'}: {our_kind} where the sample has {kind} ({sample!r:.60})"]
    problems: list[str] = []
    if kind == "object":
        ours_by_key = {k.lower(): k for k in ours}
        for key, value in sample.items():
            sub = f"{path}.{key}" if path else key
            if sub in allowed:
                continue
            if key.lower() not in ours_by_key:
                problems.append(f"{sub}: missing")
                continue
            problems += differences_from(value, ours[ours_by_key[key.lower()]], sub, allowed)
    elif kind == "array":
        documented = merged(sample) if sample and isinstance(sample[0], dict) else None
        if sample and not ours and f"{path}[]" not in allowed:
            problems.append(f"{path}: empty where the sample has items")
        for item in ours:
            expected = documented if documented is not None else (sample[0] if sample else None)
            problems += differences_from(expected, item, f"{path}[]", allowed)
    elif kind == "string":
        if DATE_TIME.match(sample) and not ISO_DATE_TIME.match(ours):
            problems.append(f"{path}: {ours!r} is not an ISO date-time with a zone")
        if is_id(path) and GUID.match(sample) and not GUID.match(ours):
            problems.append(f"{path}: {ours!r} is not a GUID as in the sample")
    return problems


# --- the world the samples run in -------------------------------------------------------------


@pytest.fixture
def world(api, make_token, django_capture_on_commit_callbacks):
    """A direct-bill partner (the caller of most samples) serving a customer with a new
    commerce subscription and its add-on, a legacy subscription and a completed migration, a
    completed transfer (with an add-on) from another direct-bill partner, and an audit trail;
    plus a provider with an indirect reseller and their indirect customer."""
    direct = f.DirectBillEnrollmentFactory().partner
    source = f.DirectBillEnrollmentFactory().partner
    customer = f.CustomerFactory(company_name="Relecloud", contact_name="Ann Smith")
    f.RelationshipFactory(customer=customer, partner=direct)
    f.RelationshipFactory(customer=customer, partner=source)
    subscription = f.SubscriptionFactory(customer=customer, billing_partner=direct, quantity=10)
    addon = f.SubscriptionFactory(
        customer=customer, billing_partner=direct, parent=subscription, quantity=2
    )
    legacy = f.SubscriptionFactory(
        customer=customer,
        billing_partner=direct,
        product_type="legacy_license",
        offer_id=LEGACY_O365,
        offer_name="Office 365 E3 (legacy)",
        quantity=3,
    )
    migrated = f.SubscriptionFactory(
        customer=customer,
        billing_partner=direct,
        product_type="legacy_license",
        offer_id=LEGACY_O365,
        offer_name="Office 365 E3 (legacy)",
        quantity=4,
    )
    source_subscription = f.SubscriptionFactory(customer=customer, billing_partner=source)
    source_addon = f.SubscriptionFactory(
        customer=customer, billing_partner=source, parent=source_subscription
    )
    f.McaAcceptanceFactory(customer=customer)
    user = f.UserFactory(partner=direct, roles=["global_admin", "admin_agent"])
    direct_api = api(make_token(user))
    source_api = api(make_token(f.UserFactory(partner=source, roles=["admin_agent"])))
    base = f"/v1/customers/{customer.tenant_id}"
    r = direct_api.post(
        f"{base}/transfers",
        {"customerEmailId": customer.email, "sourcePartnerTenantId": str(source.tenant_id)},
    )
    assert r.status_code == 201, r.content
    transfer_id = r.json()["id"]
    r = source_api.patch(
        f"{base}/transfers/{transfer_id}",
        {"lineItems": [{"subscriptionId": str(source_subscription.pk)}]},
    )
    assert r.status_code == 200, r.content
    with django_capture_on_commit_callbacks(execute=True):
        r = direct_api.post(
            f"{base}/migrations/newcommerce", {"currentSubscriptionId": str(migrated.pk)}
        )
    assert r.status_code == 201, r.content
    migration_id = r.json()["id"]

    provider = f.ProviderFactory()
    partnership = f.PartnershipFactory(provider=provider)
    reseller = partnership.reseller
    indirect_customer = f.CustomerFactory()
    f.RelationshipFactory(customer=indirect_customer, partner=reseller, kind="indirect_reseller")
    f.RelationshipFactory(
        customer=indirect_customer, partner=provider, kind="indirect_provider", reseller=reseller
    )
    provider_api = api(
        make_token(f.UserFactory(partner=provider, roles=["global_admin", "admin_agent"]))
    )
    return {
        "callers": {"direct": direct_api, "provider": provider_api},
        "ids": {
            "customer": str(customer.tenant_id),
            "subscription": str(subscription.pk),
            "addon": str(addon.pk),
            "legacy": str(legacy.pk),
            "migration": migration_id,
            "transfer": transfer_id,
            "source": str(source.tenant_id),
            "direct_tenant": str(direct.tenant_id),
            "source_subscription": str(source_subscription.pk),
            "source_addon": str(source_addon.pk),
            "reseller": str(reseller.tenant_id),
            "indirect_customer": str(indirect_customer.tenant_id),
        },
    }


def send(world, sample: dict):
    ids = world["ids"]
    path = sample["path"].format(**ids)
    body = sample.get("body")
    for documented, name in sample["ids"].items():
        path = path.replace(documented, ids[name])
        if body is not None:
            body = body.replace(documented, ids[name])
    caller = world["callers"][sample["caller"]]
    method = sample["method"].lower()
    if method == "get":
        return caller.get(path)
    return getattr(caller, method)(path, raw=body if body is not None else "")


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize("sample_file", sample_files(), ids=lambda p: p.stem)
def test_documented_sample_AP1(world, sample_file):
    """AP-1: Microsoft's sample request, as printed, gets the documented status and a response
    with the documented property names, types and nesting (differences only where the sample
    file says why)."""
    sample = json.loads(sample_file.read_text())
    assert sample["_source"].startswith("https://learn.microsoft.com/")
    r = send(world, sample)
    assert r.status_code == sample["status"], r.content
    body = r.json()
    expect = sample.get("expect") or {}
    if "error" in expect:
        assert body["code"] == NUMERIC_CODES[expect["error"]], body
        assert expect.get("field", "") in json.dumps(body), body
    if "status" in expect:
        assert body["status"] == expect["status"], body
    if "response" not in sample:
        return
    ours = body
    if sample.get("compare") == "items":
        # The page prints a bare array; ours is the collection envelope (docs/api.md).
        assert body["attributes"]["objectType"] == "Collection"
        ours = body["items"]
        assert ours, "the world has no items to compare"
    problems = differences_from(sample["response"], ours, "", sample["differences"])
    problems = list(dict.fromkeys(problems))  # an array's items repeat their differences
    assert not problems, f"{sample['_source']}:\n" + "\n".join(problems)
