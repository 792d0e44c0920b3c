import pytest
from django.core.cache import caches

from api import services
from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    settings.API_THROTTLE_RATE = "10000/min"
    caches[settings.API_THROTTLE_CACHE].clear()


@pytest.fixture
def direct_partner(db):
    """A partner with an Active direct-bill enrollment (TX-2 allows API access)."""
    enrollment = f.DirectBillEnrollmentFactory()
    return enrollment.partner


@pytest.fixture
def make_token(db):
    def make(user, name="test"):
        _token, raw = services.api_token_create(actor=user, name=name)
        return raw

    return make


@pytest.fixture
def api(client):
    """`api(token).get(path)`: a client that sends the bearer token."""

    class Api:
        def __init__(self, token=None, **headers):
            self.headers = dict(headers)
            if token:
                self.headers["Authorization"] = f"Bearer {token}"

        def get(self, path, **kwargs):
            return client.get(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

        def post(self, path, data=None, raw=None, **kwargs):
            import json

            body = raw if raw is not None else json.dumps(data or {})
            return client.post(
                path,
                body,
                content_type=kwargs.pop("content_type", "application/json"),
                headers={**self.headers, **kwargs.pop("headers", {})},
                **kwargs,
            )

        def patch(self, path, data=None, raw=None, **kwargs):
            import json

            body = raw if raw is not None else json.dumps(data or {})
            return client.patch(
                path,
                body,
                content_type="application/json",
                headers={**self.headers, **kwargs.pop("headers", {})},
                **kwargs,
            )

    return Api


@pytest.fixture
def direct_user(direct_partner):
    return f.UserFactory(partner=direct_partner, roles=["global_admin"])


@pytest.fixture
def direct_api(api, direct_user, make_token):
    return api(make_token(direct_user))
