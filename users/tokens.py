"""The one-time link of an invited user's first sign-in (AC-7).

Django's password-reset token machinery (`PasswordResetTokenGenerator`): the token hashes the
user's password field and last sign-in, so it stops working once the password is set (used) or
the invitation is sent again (a new unusable password); its own salt keeps it apart from
password-reset tokens. Its age is measured on the simulation clock (AC-3), so a clock jump
past `USER_INVITATION_DAYS` expires it like real time would.
"""

from datetime import UTC
from typing import cast

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from core import clock
from core.models import User
from core.notifications import absolute_url

from .exceptions import InvitationLinkExpired, InvitationLinkProblem

VALID, EXPIRED, INVALID = "valid", "expired", "invalid"


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "users.tokens.InvitationTokenGenerator"

    def _now(self):
        return clock.now().astimezone(UTC).replace(tzinfo=None)

    def verdict(self, user: User, token: str) -> str:
        """VALID, EXPIRED (older than USER_INVITATION_DAYS by the clock) or INVALID (changed,
        used, replaced, or another user's)."""
        try:
            ts_b36, _hash = str(token).split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return INVALID
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, s), token)
            for s in secrets
        ):
            return INVALID
        if self._num_seconds(self._now()) - ts > invitation_days() * 86400:
            return EXPIRED
        return VALID

    def check_token(self, user, token):
        return bool(user and token) and self.verdict(user, token) == VALID


invitation_tokens = InvitationTokenGenerator()


def invitation_days() -> int:
    return cast(int, settings.PROGRAM_RULES["USER_INVITATION_DAYS"])


def uid_of(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_uid(uidb64: str) -> User | None:
    """The partner user named by a link's `uidb64`, or None."""
    try:
        pk = int(force_str(urlsafe_base64_decode(str(uidb64))))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:
        return None
    return User.objects.filter(pk=pk, partner__isnull=False).first()


def check(user: User | None, token: str) -> User:
    """Raise the link's problem, if any: INVALID or EXPIRED; else the link's user."""
    verdict = invitation_tokens.verdict(user, token) if user is not None else INVALID
    if verdict == EXPIRED:
        raise InvitationLinkExpired()
    if verdict != VALID or user is None:
        raise InvitationLinkProblem()
    return user


def path_for(user: User) -> str:
    token = invitation_tokens.make_token(user)
    return reverse("user_welcome", kwargs={"uidb64": uid_of(user), "token": token})


def url_for(user: User) -> str:
    return absolute_url(path_for(user))
