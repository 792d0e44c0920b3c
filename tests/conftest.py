import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests import factories as f  # noqa: E402


@pytest.fixture(autouse=True)
def _portal_settings(settings, tmp_path):
    """Tests deliver email in memory and run tasks inline (a real worker has its own tests)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Hashing factory users' passwords with PBKDF2 dominated the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from partnerportal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def partner(db):
    return f.PartnerFactory()


@pytest.fixture
def make_user(db):
    """A partner user with the given roles (default: Global admin) of `partner`."""

    def make(partner=None, *roles, **kwargs):
        return f.UserFactory(
            partner=partner or f.PartnerFactory(), roles=list(roles) or ["global_admin"], **kwargs
        )

    return make


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def staff(db):
    return f.StaffFactory()


@pytest.fixture
def demo_stage(db):
    """Build the demo world up to a stage of the journey through the services (`demo.stages`):
    `demo_stage("extended")` returns its cast (partners, acting users, `customers`)."""
    from demo import stages

    def build(name, **size):
        return stages.advance_to(name, **size)

    return build
