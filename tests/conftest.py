import importlib

import pytest

from tests.auth import sign_in
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Production's manifest storage needs `collectstatic`; tests serve the source files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _private_import_uploads(settings, tmp_path):
    """Uploads waiting for an import's confirmation go to a temporary folder of the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "import_export": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "file_permissions_mode": 0o600},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests, and
    cached public data from another test would otherwise outlive it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Urdu leaves its language active
    in the thread (LocaleMiddleware does not set it back), and a later test's messages built
    outside a request would come out in Urdu."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    sign_in(client, superuser)
    return client


def make_user_with_role(role: str, **fields):
    from django.contrib.auth.models import Group

    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def roles_restored(transactional_db):
    """A test in real transactions may run after another has emptied every table, the roles
    that a migration created included: put them back the way the migration does."""
    from django.apps import apps

    importlib.import_module("consultations.migrations.0002_roles").create_roles(apps, None)


@pytest.fixture
def staff_user(db):
    return make_user_with_role("ISD staff", username="sana", first_name="Sana", last_name="Staff")


@pytest.fixture
def staff_client(client, staff_user):
    sign_in(client, staff_user)
    return client
