"""The Microsoft Customer Agreement: AgreementMetaData and Agreement (MCA)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.catalog import MCA_LINK, MCA_TEMPLATE_ID, MCA_VERSION_RANK

from .common import DateAsDateTimeField, ResourceSerializer, user_guid


class ContactSerializer(serializers.Serializer):
    email = serializers.CharField()
    firstName = serializers.CharField(allow_blank=True)
    lastName = serializers.CharField(allow_blank=True)
    phoneNumber = serializers.CharField(allow_null=True)


class AgreementMetaDataSerializer(ResourceSerializer):
    """AgreementMetaData, step 1 of "Confirm customer acceptance of the Microsoft Customer
    Agreement" (GET /v1/agreements?agreementType=MicrosoftCustomerAgreement):
    https://learn.microsoft.com/en-us/partner-center/developer/get-agreement-metadata-for-microsoft-customer-agreement
    The instance is the agreement type's name; the MCA is the only one offered."""

    object_type = "AgreementMetaData"
    with_links = False
    templateId = serializers.SerializerMethodField()
    agreementType = serializers.SerializerMethodField()
    agreementLink = serializers.SerializerMethodField()
    versionRank = serializers.SerializerMethodField()

    def get_templateId(self, kind) -> str:
        return MCA_TEMPLATE_ID

    def get_agreementType(self, kind) -> str:
        return kind

    def get_agreementLink(self, kind) -> str:
        return MCA_LINK

    def get_versionRank(self, kind) -> int:
        return MCA_VERSION_RANK


class AgreementSerializer(ResourceSerializer):
    """Agreement ("Confirm customer acceptance of the Microsoft Customer Agreement";
    "Get confirmation of customer acceptance of Microsoft Customer Agreement")."""

    object_type = "Agreement"
    with_links = False
    primaryContact = serializers.SerializerMethodField()
    templateId = serializers.SerializerMethodField()
    dateAgreed = DateAsDateTimeField(source="accepted_on")
    type = serializers.SerializerMethodField()
    agreementLink = serializers.SerializerMethodField()
    userId = serializers.SerializerMethodField()
    # Our addition (MCA-2/MCA-3): how it was accepted and, for an attestation, by which partner.
    acceptanceMethod = serializers.SerializerMethodField()
    attestedByPartnerId = serializers.SerializerMethodField()

    @extend_schema_field(ContactSerializer)
    def get_primaryContact(self, a):
        names = a.signatory_name.split(" ", 1)
        return {
            "email": a.signatory_email,
            "firstName": names[0],
            "lastName": names[1] if len(names) > 1 else "",
            "phoneNumber": None,
        }

    def get_templateId(self, a) -> str | None:
        return MCA_TEMPLATE_ID

    def get_type(self, a) -> str:
        return "MicrosoftCustomerAgreement"

    def get_agreementLink(self, a) -> str:
        return MCA_LINK

    def get_userId(self, a) -> str | None:
        """The partner user who attested, as a GUID like the docs' sample (the SDK's
        Agreement.UserId is a string)."""
        return user_guid(a.recorded_by_id)

    def get_acceptanceMethod(self, a) -> str:
        return "PartnerAttestation" if a.method == "attestation" else "CustomerAdminCenter"

    def get_attestedByPartnerId(self, a) -> str | None:
        return a.partner.partner_id if a.partner_id else None
