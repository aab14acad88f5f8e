"""Every model registered in the admin: its pages render, and lists make no query per row."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from tests.factories import FACTORY_FOR_MODEL
from tests.queries import assert_queries_do_not_grow, count_queries

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
# Sign-in logs (django-axes), the export log, the background worker's queue and authenticator
# devices are made by the system or their owner, never added in the admin.
ADDABLE = [
    model
    for model in REGISTERED
    if model._meta.app_label not in {"axes", "otp_totp", "django_tasks_database"}
    and model._meta.model_name != "exportlog"
]
WITH_HISTORY = [model for model in REGISTERED if hasattr(model, "history")]
DOMAIN_APPS = {"cities", "workshops", "consultations"}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_domain_model_is_registered_with_history():
    from django.apps import apps

    domain_models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in DOMAIN_APPS and not model.__name__.startswith("Historical")
    ]
    missing = [model.__name__ for model in domain_models if model not in admin.site._registry]
    assert not missing, f"models without an admin page: {missing}"
    assert all(hasattr(model, "history") for model in domain_models)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_lists_the_record(admin_client, model):
    record = FACTORY_FOR_MODEL[model]()

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert admin_url(model, "change", record.pk) in response.content.decode()


@pytest.mark.parametrize("model", ADDABLE, ids=lambda model: model._meta.label)
def test_add_page_shows_a_form(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 200
    content = response.content.decode()
    assert f"Add {model._meta.verbose_name}" in content
    assert 'method="post"' in content


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_change_page_shows_the_record(admin_client, model):
    record = FACTORY_FOR_MODEL[model]()

    response = admin_client.get(admin_url(model, "change", record.pk))

    assert response.status_code == 200
    assert escape(str(record)) in response.content.decode()


@pytest.mark.parametrize("model", WITH_HISTORY, ids=lambda model: model._meta.label)
def test_history_page_lists_the_records_changes(admin_client, model):
    record = FACTORY_FOR_MODEL[model]()

    response = admin_client.get(admin_url(model, "history", record.pk))

    assert response.status_code == 200
    assert "Created" in response.content.decode()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    factory = FACTORY_FOR_MODEL[model]
    url = admin_url(model, "changelist")
    factory.create_batch(2)
    admin_client.get(url)  # warm caches (content types, sessions) outside the counts
    few = count_queries(lambda: admin_client.get(url))

    factory.create_batch(28)
    many = count_queries(lambda: admin_client.get(url))

    assert_queries_do_not_grow(few, many)
