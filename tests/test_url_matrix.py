"""Every URL of the project, requested by every role, answers as this table says.

A URL pattern that is not in the table (or in the admin rule below) fails the test: no page
can be added without someone deciding who may open it.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from consultations.models import Consultation, NextStep
from scn_portal.demo import WORKSHOP_SLUG, load_demo
from scn_portal.models import ExportJob
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import FACTORY_FOR_MODEL, OrganisationFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "partner_a", "partner_b", "viewer", "staff", "admin")
EVERYONE, SIGNED_IN = (200,) * 6, (302, 200, 200, 200, 200, 200)
#                           anon partnerA partnerB viewer staff admin
STAFF_ONLY_FORM = (302, 404, 404, 404, 200, 200)
INTERNAL_READ = (302, 404, 404, 200, 200, 200)
# A restore is an admin's POST (scn_portal/history.py): a GET is refused as such, for everyone.
HISTORY_RESTORE = (302, 405, 405, 405, 405, 405)

EXPECTED = {
    "home": EVERYONE,
    "public:directory": EVERYONE,
    "public:city": EVERYONE,
    "public:workshop": EVERYONE,
    "public:story": EVERYONE,
    "public:calendar": EVERYONE,
    "sitemap": EVERYONE,
    "robots": EVERYONE,
    "favicon": (302,) * 6,  # to the icon under /static/
    "set_language": (302,) * 6,  # a GET only goes back; the switch itself is a POST
    "login": (200, 302, 302, 302, 302, 302),
    "logout": (302, 405, 405, 405, 405, 405),  # sign-out is a POST
    "password_reset": EVERYONE,
    "password_reset_done": EVERYONE,
    "password_reset_confirm": EVERYONE,
    "password_reset_complete": EVERYONE,
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "two_factor_verify": SIGNED_IN,
    "two_factor_setup": (302,) * 6,  # enrolled users go on to verify
    "dashboard": SIGNED_IN,
    "search": SIGNED_IN,
    "funders_summary": INTERNAL_READ,
    "export_job_list": SIGNED_IN,
    # A background export (the world's belongs to "staff") is its requester's only.
    "export_job": (302, 404, 404, 404, 200, 404),
    "export_job_status": (302, 404, 404, 404, 200, 404),
    "export_job_download": (302,) + (404,) * 5,  # still queued: no file yet
    "export_job_cancel": (302,) + (405,) * 5,  # a POST only
    "user_autocomplete": SIGNED_IN,
    "cities:city_list": SIGNED_IN,
    "cities:city_detail": SIGNED_IN,
    "cities:city_create": STAFF_ONLY_FORM,
    "cities:city_update": STAFF_ONLY_FORM,
    "cities:city_archive": STAFF_ONLY_FORM,  # GET: "Archive this city?"
    "cities:city_autocomplete": SIGNED_IN,
    "cities:country_autocomplete": SIGNED_IN,
    "cities:city_report": SIGNED_IN,  # a partner's report leaves out what they may not see
    "cities:official_list": INTERNAL_READ,
    "cities:official_detail": INTERNAL_READ,
    "cities:official_create": STAFF_ONLY_FORM,
    "cities:official_update": STAFF_ONLY_FORM,
    "cities:official_archive": STAFF_ONLY_FORM,
    "cities:official_autocomplete": SIGNED_IN,
    "cities:organisation_list": SIGNED_IN,
    "cities:organisation_detail": SIGNED_IN,
    "cities:organisation_create": STAFF_ONLY_FORM,
    "cities:organisation_update": STAFF_ONLY_FORM,
    "cities:organisation_archive": STAFF_ONLY_FORM,
    "cities:organisation_autocomplete": SIGNED_IN,
    "workshops:workshop_list": SIGNED_IN,
    "workshops:workshop_detail": SIGNED_IN,
    "workshops:workshop_create": STAFF_ONLY_FORM,
    "workshops:workshop_update": (302, 200, 404, 404, 200, 200),  # the organiser's partner
    "workshops:workshop_archive": (302, 200, 404, 404, 200, 200),  # as its edit page
    "workshops:workshop_autocomplete": SIGNED_IN,
    "workshops:workshop_report": SIGNED_IN,  # as its page: partners see the published one
    "consultations:consultation_list": INTERNAL_READ,
    "consultations:consultation_detail": INTERNAL_READ,
    "consultations:consultation_create": STAFF_ONLY_FORM,
    "consultations:consultation_update": STAFF_ONLY_FORM,
    "consultations:consultation_archive": STAFF_ONLY_FORM,
    "consultations:finding_list": INTERNAL_READ,
    "workshops:participation_list": SIGNED_IN,
    "workshops:mediacoverage_list": SIGNED_IN,
    "consultations:next_step_list": INTERNAL_READ,
    "consultations:next_step_detail": INTERNAL_READ,
    "consultations:next_step_create": STAFF_ONLY_FORM,
    "consultations:next_step_update": STAFF_ONLY_FORM,
    "consultations:next_step_status": STAFF_ONLY_FORM,
    # History: staff and viewers of what they may open; a partner, their own workshops' only.
    "cities:city_history": INTERNAL_READ,
    "cities:city_history_restore": HISTORY_RESTORE,
    "cities:official_history": INTERNAL_READ,
    "cities:official_history_restore": HISTORY_RESTORE,
    "cities:organisation_history": INTERNAL_READ,
    "cities:organisation_history_restore": HISTORY_RESTORE,
    "workshops:workshop_history": (302, 200, 404, 200, 200, 200),
    "workshops:workshop_history_restore": HISTORY_RESTORE,
    "consultations:consultation_history": INTERNAL_READ,
    "consultations:consultation_history_restore": HISTORY_RESTORE,
    "consultations:next_step_history": INTERNAL_READ,
    "consultations:next_step_history_restore": HISTORY_RESTORE,
}

# The admin's own pages, for staff (ISD staff, portal admin); everyone else is sent to the
# admin's sign-in page, and a signed-in non-staff user sees it refuse them.
ADMIN_SITE = {
    "admin:index": 200,
    "admin:login": 302,
    "admin:logout": 405,
    "admin:password_change": 200,
    "admin:password_change_done": 200,
    "admin:jsi18n": 200,
    "admin:autocomplete": 403,  # without its parameters
    "admin:app_list": 200,
    "admin:view_on_site": 404,  # a content type that does not exist
}
ADMIN_MODEL_VIEW = re.compile(
    r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<view>changelist|add|change|delete|history|"
    r"simple_history|password_change|import|process_import|archive|restore|delete_permanently)$"
)


def walk(patterns, namespace="", prefix=""):
    """(namespaced name, full route) of every URL pattern of the project."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner, route)
        else:
            yield f"{namespace}{pattern.name or ''}", route


@pytest.fixture
def world():
    load_demo()
    from cities.models import Official, Organisation

    users = {
        "partner_a": make_user_with_role("Partner editor", username="partner_a"),
        "partner_b": make_user_with_role("Partner editor", username="partner_b"),
        "viewer": make_user_with_role("Viewer", username="viewer"),
        "staff": make_user_with_role("ISD staff", username="staff", is_staff=True),
        "admin": make_user_with_role(
            "Portal admin", username="admin", is_staff=True, is_superuser=True
        ),
    }
    Organisation.objects.get(slug="individualland").members.add(users["partner_a"])
    OrganisationFactory(name="Other NGO").members.add(users["partner_b"])
    records = {model: FACTORY_FOR_MODEL[model]() for model in admin.site._registry}
    job = ExportJob.objects.create(
        user=users["staff"],
        view="v",
        path="/consultations/",
        export="consultations",
        file_format="csv",
        language="en",
    )
    return {
        "users": users,
        "records": records,
        "kwargs": {
            "city": {"slug": "quetta"},
            "official": {"pk": Official.objects.filter(city__slug="quetta").first().pk},
            "organisation": {"slug": "individualland"},
            "workshop": {"slug": WORKSHOP_SLUG},
            "consultation": {"pk": Consultation.objects.get(city__slug="quetta").pk},
            "next_step": {"pk": NextStep.objects.first().pk},
            "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
            "export_job": {"pk": job.pk},
        },
    }


PUBLIC_KWARGS = {
    "public:city": {"slug": "quetta"},
    "public:workshop": {"slug": WORKSHOP_SLUG},
    "public:story": {"slug": WORKSHOP_SLUG},
}


def portal_url(name: str, world) -> str:
    if name.startswith("export_job") and name != "export_job_list":
        return reverse(name, kwargs=world["kwargs"]["export_job"])
    if name == "password_reset_confirm":
        return reverse(name, kwargs=world["kwargs"][name])
    if name in PUBLIC_KWARGS:
        return reverse(name, kwargs=PUBLIC_KWARGS[name])
    restore = re.match(r"^\w+:(\w+?)_history_restore$", name)
    if restore:  # a GET is refused before any lookup: the first version will do
        return reverse(name, kwargs={**world["kwargs"][restore.group(1)], "history_id": 1})
    match = re.match(r"^\w+:(\w+?)_(detail|update|status|report|archive|history)$", name)
    return reverse(name, kwargs=world["kwargs"][match.group(1)] if match else {})


def admin_url(name: str, route: str, world) -> tuple[str, dict[str, int]]:
    """The URL of an admin pattern and what staff and the portal admin should get."""
    if name == "admin:":  # the admin's catch-all: an unknown admin address
        return "/admin/no-such-page/", {"staff": 404, "admin": 404}
    if name in ADMIN_SITE:
        kwargs = {"app_label": "cities"} if name == "admin:app_list" else {}
        if name == "admin:view_on_site":
            kwargs = {"content_type_id": 999999, "object_id": 1}
        status = ADMIN_SITE[name]
        return reverse(name, kwargs=kwargs), {"staff": status, "admin": status}
    match = ADMIN_MODEL_VIEW.match(name)
    model = next(m for m in admin.site._registry if route.startswith(f"admin/{_admin_prefix(m)}"))
    record = world["records"][model]
    model_admin = admin.site._registry[model]
    view = match.group("view") if match else "redirect"
    if view == "simple_history":
        url = reverse(name, args=[record.pk, record.history.first().pk])
    elif view in {"restore", "delete_permanently"}:  # of an archived record
        url = reverse(name, args=[archived_record(model, world).pk])
    elif view in {"changelist", "add", "import", "process_import", "archive"}:
        url = reverse(name)
    elif view == "redirect":
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        url = f"{url}{record.pk}/"
    else:
        url = reverse(name, args=[record.pk])
    expected = {}
    for role in ("staff", "admin"):
        request = type("Request", (), {"user": world["users"][role]})()
        allowed = {
            "changelist": model_admin.has_view_or_change_permission(request),
            "add": model_admin.has_add_permission(request),
            "change": model_admin.has_view_or_change_permission(request, record),
            "history": model_admin.has_view_or_change_permission(request, record),
            "simple_history": model_admin.has_view_or_change_permission(request, record),
            "delete": model_admin.has_delete_permission(request, record),
            "password_change": model_admin.has_change_permission(request, record),
            "import": view == "import" and model_admin.has_import_permission(request),
            "archive": view == "archive" and model_admin.has_change_permission(request),
            "restore": view == "restore" and model_admin.has_change_permission(request),
            "delete_permanently": view == "delete_permanently"
            and model_admin.may_delete_permanently(request),
            "process_import": True,
            "redirect": True,
        }[view]
        expected[role] = (302 if view == "redirect" else 200) if allowed else 403
        if view in {"process_import", "restore"}:  # a POST only (an import's confirm step)
            expected[role] = 405
    return url, expected


def archived_record(model, world):
    """One archived record of each archivable model, made on first need."""
    archived = world.setdefault("archived", {})
    if model not in archived:
        archived[model] = FACTORY_FOR_MODEL[model]()
        model.objects.filter(pk=archived[model].pk).update(archived_at=timezone.now())
    return archived[model]


def _admin_prefix(model) -> str:
    return f"{model._meta.app_label}/{model._meta.model_name}/"


def test_every_url_answers_each_role_as_the_table_says(world):
    clients = {"anonymous": Client()}
    for role, user in world["users"].items():
        clients[role] = Client()
        sign_in(clients[role], user)
    unknown, wrong = [], []
    seen_portal = set()
    for name, route in walk(get_resolver().url_patterns):
        if name.startswith("admin:") and (
            name in ADMIN_SITE or name == "admin:" or route.count("/") > 2
        ):
            url, staff_expected = admin_url(name, route, world)
            expected = {
                "anonymous": 200 if name == "admin:login" else 302,
                "partner_a": 200 if name == "admin:login" else 302,
                "partner_b": 200 if name == "admin:login" else 302,
                "viewer": 200 if name == "admin:login" else 302,
                **staff_expected,
            }
        elif name in EXPECTED:
            if name in seen_portal:
                continue  # the same name twice (our sign-in page and Django's): the first wins
            seen_portal.add(name)
            url = portal_url(name, world)
            expected = dict(zip(ROLES, EXPECTED[name], strict=True))
        else:
            unknown.append(f"{name or '(unnamed)'}: {route}")
            continue
        for role, client in clients.items():
            status = client.get(url).status_code
            if status != expected[role]:
                wrong.append(f"{url} as {role}: {status}, expected {expected[role]}")
    assert not unknown, "URLs missing from the access table:\n" + "\n".join(unknown)
    assert not wrong, "\n".join(wrong)
    assert seen_portal == set(EXPECTED), set(EXPECTED) - seen_portal
