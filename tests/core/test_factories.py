"""Every model has a factory that builds a valid row (constraints and triggers included)."""

import pytest
from django.apps import apps
from factory.django import DjangoModelFactory

from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db

APPS = ("partnerportal", "enrollment", "customers", "relationships", "transfers", "api", "webhooks")


def all_factories():
    found = {}
    for module in (f, rf):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DjangoModelFactory):
                found.setdefault(value._meta.get_model_class(), value)
    return found


def test_every_model_has_a_factory_that_saves():
    factories = all_factories()
    models = [m for app in APPS for m in apps.get_app_config(app).get_models()]
    missing = [m.__name__ for m in models if m not in factories]
    assert missing == []
    for model in models:
        row = factories[model]()
        assert model.objects.filter(pk=row.pk).exists(), model.__name__
