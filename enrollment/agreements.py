"""The agreements a partner or customer accepts, as versioned texts of this simulator.

The texts are the portal's own SIMULATED summaries, written for rehearsals and labelled so on
every page and download: they are not Microsoft's legal text (the real Microsoft Partner
Agreement and Microsoft Customer Agreement are published by Microsoft, e.g.
https://learn.microsoft.com/partner-center/enroll/agreements). Each text has a version; an
acceptance records the version it accepted (`agreement_version`), so a later version never
rewrites what someone accepted.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AgreementText:
    key: str
    title: str
    version: str
    effective: date
    template: str  # the body, rendered inside the page and inside the download
    accepted_by: str  # who accepts it, in words

    @property
    def filename(self) -> str:
        return f"{self.key}-{self.version}-simulated.html"


PARTNER_AGREEMENT = "partner-agreement"
CUSTOMER_AGREEMENT = "customer-agreement"

# Every version ever published, oldest first; the last one is in force. Add a version by
# appending (with its own template): acceptances keep naming the version they accepted.
VERSIONS: dict[str, list[AgreementText]] = {
    PARTNER_AGREEMENT: [
        AgreementText(
            key=PARTNER_AGREEMENT,
            title="Microsoft Partner Agreement (simulated)",
            version="2026.1",
            effective=date(2026, 1, 1),
            template="enrollment/agreement_texts/partner_agreement_2026_1.html",
            accepted_by="a Global admin of the partner, once per program",
        ),
    ],
    CUSTOMER_AGREEMENT: [
        AgreementText(
            key=CUSTOMER_AGREEMENT,
            title="Microsoft Customer Agreement (simulated)",
            version="2026.1",
            effective=date(2026, 1, 1),
            template="enrollment/agreement_texts/customer_agreement_2026_1.html",
            accepted_by="the customer in the admin center, or a partner's attestation",
        ),
    ],
}
FIRST_VERSION = "2026.1"  # the version rows accepted before versions were recorded


def current(key: str) -> AgreementText:
    """The version of agreement `key` in force now."""
    return VERSIONS[key][-1]


def accepted(key: str, version: str) -> AgreementText:
    """The text of agreement `key` that an acceptance of `version` accepted (empty: a record
    older than versions, which accepted the first one)."""
    wanted = version or FIRST_VERSION
    return next((text for text in VERSIONS[key] if text.version == wanted), current(key))
