"""PV-3: signed, single-use, expiring invitation links.

A link carries the invitation's id signed with the site secret (django.core.signing), one salt
per kind of invitation, so a changed character or a link of the other kind fails the signature.
Single use and expiry are decided by the invitation row (its status, and `expires_at` against
the simulation clock, AC-3), never by the signature's own real-time timestamp.
"""

from django.core import signing
from django.urls import reverse

from core.notifications import absolute_url

from .exceptions import LinkNotFound, LinkProblem

PARTNERSHIP = "partnership"
CUSTOMER = "customer"
_URL_NAMES = {PARTNERSHIP: "partnership_link", CUSTOMER: "customer_invitation_link"}


def _salt(kind: str) -> str:
    return f"relationships.{kind}-invitation-link"


def make_token(kind: str, pk: int) -> str:
    # A plain Signer (no timestamp): the same invitation always has the same link, so the
    # draft email can be checked for it (CU-2); expiry comes from the row, by the clock.
    return signing.Signer(salt=_salt(kind)).sign_object({"id": pk})


def read_token(kind: str, token: str) -> int:
    """The invitation id in `token`; LinkProblem (400) when it was tampered with."""
    try:
        data = signing.Signer(salt=_salt(kind)).unsign_object(str(token))
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkProblem() from None
    pk = data.get("id") if isinstance(data, dict) else None
    if not isinstance(pk, int) or pk <= 0:
        raise LinkNotFound()
    return pk


def path_for(kind: str, pk: int) -> str:
    return reverse(_URL_NAMES[kind], kwargs={"token": make_token(kind, pk)})


def url_for(kind: str, pk: int) -> str:
    return absolute_url(path_for(kind, pk))
