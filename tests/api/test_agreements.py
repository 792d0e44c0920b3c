"""MCA attestation as Microsoft's sample does it (MCA-2), "Confirm customer acceptance of the
Microsoft Customer Agreement":
https://learn.microsoft.com/en-us/partner-center/developer/confirm-customer-consent-customer-agreement
Step 1 GET /v1/agreements?agreementType=MicrosoftCustomerAgreement (AgreementMetaData), step 2
POST /v1/customers/{id}/agreements with the sample body (a DateTime `dateAgreed`, the
`templateId` of step 1); an identical repeat returns the acceptance on record."""

import pytest
from django.utils import timezone

from core.models import AuditEvent
from customers.models import McaAcceptance
from tests import factories as f

TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"


@pytest.fixture
def customer(direct_partner):
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=direct_partner)
    return customer


def sample_body(date_agreed: str) -> dict:
    """The request body as the docs print it (agreementLink included, phone number set)."""
    return {
        "primaryContact": {
            "firstName": "Tania",
            "lastName": "Carr",
            "email": "SomeEmail@Outlook.com",
            "phoneNumber": "1234567890",
        },
        "templateId": TEMPLATE_ID,
        "dateAgreed": date_agreed,
        "type": "MicrosoftCustomerAgreement",
        "agreementLink": "https://aka.ms/customeragreement",
    }


def _today_midnight() -> str:
    return f"{timezone.now().date().isoformat()}T00:00:00"


@pytest.mark.rule("MCA-2")
def test_agreement_metadata_step_1_MCA2(direct_api):
    """The documented response: AgreementMetaData with templateId, agreementType,
    agreementLink, versionRank (an integer)."""
    for query in (
        "?agreementType=MicrosoftCustomerAgreement",
        "?agreementType=microsoftcustomeragreement",
        "",
    ):
        r = direct_api.get(f"/v1/agreements{query}")
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["totalCount"] == 1
        assert body["attributes"]["objectType"] == "Collection"
        item = body["items"][0]
        assert item["templateId"] == TEMPLATE_ID
        assert item["agreementType"] == "MicrosoftCustomerAgreement"
        assert item["agreementLink"] == "https://aka.ms/customeragreement"
        assert item["versionRank"] == 0 and isinstance(item["versionRank"], int)
        assert item["attributes"]["objectType"] == "AgreementMetaData"


@pytest.mark.rule("MCA-2")
def test_agreement_metadata_other_type_is_a_400_MCA2(direct_api):
    r = direct_api.get("/v1/agreements?agreementType=MicrosoftCloudAgreement")
    assert r.status_code == 400
    assert "agreementType" in str(r.json())


@pytest.mark.rule("MCA-2")
def test_sample_body_with_datetime_attests_and_repeat_returns_it_MCA2(direct_api, customer):
    """MCA-2: the docs' body (dateAgreed `…T00:00:00`, templateId from step 1) attests; the
    identical request again stores nothing new and answers with the same acceptance."""
    path = f"/v1/customers/{customer.tenant_id}/agreements"
    body = sample_body(_today_midnight())
    r = direct_api.post(path, body)
    assert r.status_code == 201, r.content
    first = r.json()
    assert first["templateId"] == TEMPLATE_ID
    assert first["type"] == "MicrosoftCustomerAgreement"
    assert first["primaryContact"]["email"] == "SomeEmail@Outlook.com"
    assert first["dateAgreed"].startswith(timezone.now().date().isoformat())
    events = AuditEvent.objects.filter(operation="mca.attest").count()
    again = direct_api.post(path, body, headers={"MS-RequestId": "another-request"})
    assert again.status_code == 201, again.content  # the acceptance on record, as created
    assert McaAcceptance.objects.filter(customer=customer).count() == 1
    assert AuditEvent.objects.filter(operation="mca.attest").count() == events
    assert again.json()["primaryContact"] == first["primaryContact"]
    # another signatory is another attestation
    other = sample_body(_today_midnight())
    other["primaryContact"]["email"] = "cfo@outlook.com"
    assert direct_api.post(path, other).status_code == 201
    assert McaAcceptance.objects.filter(customer=customer).count() == 2


@pytest.mark.rule("MCA-2")
def test_pascal_case_body_as_the_dotnet_sdk_sends_it_MCA2(direct_api, customer):
    """The .NET SDK's Agreement model serialised with PascalCase names, nested ones too."""
    body = {
        "PrimaryContact": {
            "FirstName": "Tania",
            "LastName": "Carr",
            "Email": "tania@outlook.com",
            "PhoneNumber": None,
        },
        "TemplateId": TEMPLATE_ID.upper(),
        "DateAgreed": f"{_today_midnight()}Z",
        "Type": "microsoftcustomeragreement",
    }
    r = direct_api.post(f"/v1/customers/{customer.tenant_id}/agreements", body)
    assert r.status_code == 201, r.content
    acceptance = McaAcceptance.objects.get(customer=customer)
    assert acceptance.signatory_name == "Tania Carr"
    assert acceptance.accepted_on == timezone.now().date()


@pytest.mark.rule("MCA-2")
@pytest.mark.parametrize(
    "change",
    [
        {"templateId": "998b88de-aa99-4388-a42c-1b3517d49490"},  # the MCA's? no: Cloud Agreement
        {"type": "MicrosoftCloudAgreement"},
        {"dateAgreed": "26/08/2019 00:00"},
    ],
)
def test_other_agreement_or_bad_date_refused_MCA2(direct_api, customer, change):
    """MCA-2: another agreement's template or type, or an unreadable date, is a 400 and
    stores nothing."""
    body = {**sample_body(_today_midnight()), **change}
    r = direct_api.post(f"/v1/customers/{customer.tenant_id}/agreements", body)
    assert r.status_code == 400
    assert next(iter(change)) in str(r.json())
    assert not McaAcceptance.objects.exists()
