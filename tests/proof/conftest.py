import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The proof tests build many users; PBKDF2 would dominate their run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
