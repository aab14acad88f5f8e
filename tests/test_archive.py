"""Archive instead of delete: archived records leave every list, page, export, search and the
public site, come back on restore, and are deleted for good only by an admin, with history."""

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cities.models import City, Official, Organisation
from consultations.models import Consultation, Finding, NextStep
from scn_portal.services import record_archive, record_delete_permanently, record_unarchive
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    FindingFactory,
    NextStepFactory,
    OfficialFactory,
    OrganisationFactory,
    WorkshopFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

NAME = "Archivia"
SOON = timezone.localdate() + datetime.timedelta(days=10)


@dataclass(frozen=True)
class Kind:
    """One archivable model: how to make a record named NAME, and its portal addresses."""

    model: type
    app: str
    make: Any
    key: str  # the URL argument: "slug" or "pk"
    on_dashboard: bool

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    def url(self, view: str, record=None) -> str:
        name = f"{self.app}:{self.name}_{view}"
        return reverse(name, args=[getattr(record, self.key)] if record is not None else [])


KINDS = {
    "city": Kind(City, "cities", lambda: CityFactory(name=NAME, slug="archivia"), "slug", True),
    "organisation": Kind(
        Organisation,
        "cities",
        lambda: OrganisationFactory(name=f"{NAME} Trust", slug="archivia-trust"),
        "slug",
        False,
    ),
    "official": Kind(
        Official, "cities", lambda: OfficialFactory(name=f"{NAME} Nazim"), "pk", False
    ),
    "workshop": Kind(
        Workshop,
        "workshops",
        lambda: WorkshopFactory(
            title=f"{NAME} workshop", slug="archivia-workshop", start_date=SOON, end_date=SOON
        ),
        "slug",
        True,
    ),
    "consultation": Kind(
        Consultation,
        "consultations",
        lambda: ConsultationFactory(title=f"{NAME} talk", date=timezone.localdate()),
        "pk",
        True,
    ),
}


def csv_text(response) -> str:
    body = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return "\n".join(",".join(row) for row in csv.reader(io.StringIO(body)))


def seen_by_staff(client, kind: Kind, record) -> dict[str, bool]:
    """Where the record shows, for a staff member: each place that lists or opens it."""
    places = {
        "list": NAME in client.get(kind.url("list")).content.decode(),
        "detail": client.get(kind.url("detail", record)).status_code == 200,
        "export": NAME in csv_text(client.get(kind.url("list"), {"export": "csv"})),
        "search": record.get_absolute_url()
        in client.get(reverse("search"), {"q": NAME}).content.decode(),
    }
    if kind.on_dashboard:
        places["dashboard"] = NAME in client.get(reverse("dashboard")).content.decode()
    return places


def shows_archivia(client, url: str) -> bool:
    """Whether a public page names or links to a record called Archivia (slug "archivia")."""
    return "archivia" in client.get(url).content.decode().lower()


@pytest.fixture
def admin_user(superuser):
    return superuser


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_archived_record_leaves_lists_pages_exports_search_and_dashboard_until_restored(
    staff_client, staff_user, kind, django_capture_on_commit_callbacks
):
    record = kind.make()
    everywhere = seen_by_staff(staff_client, kind, record)
    assert all(everywhere.values()), everywhere

    confirm = staff_client.get(kind.url("archive", record))
    # Committed, as in real use: the dashboard's cached figures move on at commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(kind.url("archive", record), follow=True)

    assert confirm.status_code == 200
    assert 'method="post"' in confirm.content.decode()
    assert response.redirect_chain == [(kind.url("list"), 302)]
    assert "is archived" in response.content.decode()  # the message, read once
    assert not any(seen_by_staff(staff_client, kind, record).values())

    with django_capture_on_commit_callbacks(execute=True):
        record_unarchive(instance=record, actor=staff_user)

    assert seen_by_staff(staff_client, kind, record) == everywhere


def test_archive_page_only_confirms_nothing_is_archived_by_a_get(staff_client):
    city = CityFactory()

    staff_client.get(KINDS["city"].url("archive", city))

    city.refresh_from_db()
    assert city.archived_at is None


def test_archived_city_and_workshop_leave_the_public_site_and_come_back_on_restore(
    client, staff_user, django_capture_on_commit_callbacks
):
    city = CityFactory(name=NAME, slug="archivia")
    workshop = WorkshopFactory(
        title=f"{NAME} workshop", slug="archivia-workshop", start_date=SOON, end_date=SOON
    )
    pages = {
        "home": reverse("home"),
        "directory": reverse("public:directory"),
        "sitemap": reverse("sitemap"),
        "calendar": reverse("public:calendar"),
    }
    assert all(shows_archivia(client, url) for url in pages.values())
    assert client.get(reverse("public:city", args=[city.slug])).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # the public cache moves on
        record_archive(instance=city, actor=staff_user)
        record_archive(instance=workshop, actor=staff_user)

    assert not any(shows_archivia(client, url) for url in pages.values())
    assert client.get(reverse("public:city", args=[city.slug])).status_code == 404
    assert client.get(reverse("public:workshop", args=[workshop.slug])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        record_unarchive(instance=city, actor=staff_user)
        record_unarchive(instance=workshop, actor=staff_user)

    assert all(shows_archivia(client, url) for url in pages.values())
    assert client.get(reverse("public:workshop", args=[workshop.slug])).status_code == 200


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_archive_and_restore_each_leave_a_history_row_naming_who_did_it(staff_user, kind):
    record = kind.make()

    assert record_archive(instance=record, actor=staff_user) is True
    archived = record.history.first()
    assert record_archive(instance=record, actor=staff_user) is False  # already archived
    assert record_unarchive(instance=record, actor=staff_user) is True
    restored = record.history.first()

    assert (archived.history_user, archived.history_change_reason) == (staff_user, "Archived")
    assert archived.archived_at is not None
    assert (restored.history_user, restored.history_change_reason) == (staff_user, "Restored")
    assert restored.archived_at is None
    assert record.history.count() == 3  # created, archived, restored


def test_related_records_of_an_archived_one(staff_client, staff_user):
    """What was logged as part of a record leaves with it; what only refers to it stays."""
    city = CityFactory(name=NAME)
    consultation = ConsultationFactory(city=city, title="Kept consultation")
    archived_consultation = ConsultationFactory(title="Archived consultation")
    FindingFactory(consultation=archived_consultation, text="Finding of the archived one")
    NextStepFactory(consultation=archived_consultation, title="Step of the archived one")
    NextStepFactory(city=city, title="Step about the archived city")

    record_archive(instance=city, actor=staff_user)
    record_archive(instance=archived_consultation, actor=staff_user)

    page = staff_client.get(consultation.get_absolute_url()).content.decode()
    assert NAME in page  # the city's name stays, without a link to its (gone) page
    assert city.get_absolute_url() not in page
    findings = staff_client.get(reverse("consultations:finding_list")).content.decode()
    assert "Finding of the archived one" not in findings
    steps = staff_client.get(reverse("consultations:next_step_list")).content.decode()
    assert "Step of the archived one" not in steps
    assert "Step about the archived city" in steps


def test_partner_archives_their_own_workshop_but_not_another_organisations(client):
    partner = make_user_with_role("Partner editor")
    organisation = OrganisationFactory()
    organisation.members.add(partner)
    own = WorkshopFactory(organiser=organisation)
    other = WorkshopFactory(is_published=True)
    sign_in(client, partner)

    refused = client.post(KINDS["workshop"].url("archive", other))
    archived = client.post(KINDS["workshop"].url("archive", own))

    assert refused.status_code == 404
    assert archived.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.archived_at is not None
    assert other.archived_at is None
    assert own.history.first().history_user == partner


def test_viewer_cannot_archive(client):
    viewer = make_user_with_role("Viewer")
    city = CityFactory()
    sign_in(client, viewer)

    assert client.post(KINDS["city"].url("archive", city)).status_code == 404
    city.refresh_from_db()
    assert city.archived_at is None


# --- the admin -----------------------------------------------------------------------------


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_admin_archive_selected_leaves_a_history_row_per_record_naming_the_admin(
    admin_client, admin_user, kind
):
    first, second = kind.make(), _another(kind)

    changelist = admin_client.get(admin_url(kind.model, "changelist")).content.decode()
    response = admin_client.post(
        admin_url(kind.model, "changelist"),
        {"action": "archive_selected", "_selected_action": [first.pk, second.pk]},
    )

    assert 'value="archive_selected"' in changelist
    assert admin_url(kind.model, "archive") in changelist  # the link to the archive
    assert 'value="delete_selected"' not in changelist
    assert response.status_code == 302
    for record in (first, second):
        record.refresh_from_db()
        assert record.archived_at is not None
        row = record.history.first()
        assert (row.history_user, row.history_change_reason) == (admin_user, "Archived")
    after = admin_client.get(admin_url(kind.model, "changelist")).content.decode()
    assert admin_url(kind.model, "change", first.pk) not in after
    archive = admin_client.get(admin_url(kind.model, "archive")).content.decode()
    assert admin_url(kind.model, "restore", first.pk) in archive


def _another(kind: Kind):
    """A second record of the kind, with names of its own."""
    factory = {
        "city": CityFactory,
        "organisation": OrganisationFactory,
        "official": OfficialFactory,
        "workshop": WorkshopFactory,
        "consultation": ConsultationFactory,
    }[kind.name]
    return factory()


def test_admin_restores_an_archived_record(admin_client, admin_user):
    city = CityFactory(name=NAME)
    record_archive(instance=city, actor=admin_user)

    response = admin_client.post(admin_url(City, "restore", city.pk))

    assert response.status_code == 302
    city.refresh_from_db()
    assert city.archived_at is None
    assert city.history.first().history_user == admin_user
    assert (
        admin_url(City, "change", city.pk)
        in admin_client.get(admin_url(City, "changelist")).content.decode()
    )


def test_admin_delete_page_and_bulk_delete_are_gone(admin_client):
    city = CityFactory()

    assert admin_client.get(admin_url(City, "delete", city.pk)).status_code == 403
    assert admin_client.post(admin_url(City, "delete", city.pk), {"post": "yes"}).status_code == 403
    admin_client.post(
        admin_url(City, "changelist"), {"action": "delete_selected", "_selected_action": [city.pk]}
    )
    assert City.objects.filter(pk=city.pk).exists()


def test_delete_permanently_asks_first_then_deletes_with_a_history_row_naming_the_admin(
    admin_client, admin_user
):
    consultation = ConsultationFactory(title=NAME)
    finding = FindingFactory(consultation=consultation)
    step = NextStepFactory(consultation=consultation, title="Its next step")
    record_archive(instance=consultation, actor=admin_user)
    url = admin_url(Consultation, "delete_permanently", consultation.pk)

    confirm = admin_client.get(url)

    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    assert Consultation.objects.filter(pk=consultation.pk).exists()

    response = admin_client.post(url)

    assert response.status_code == 302
    assert not Consultation.objects.filter(pk=consultation.pk).exists()
    deleted = Consultation.history.filter(id=consultation.pk).first()
    assert (deleted.history_type, deleted.history_user) == ("-", admin_user)
    cascaded = Finding.history.filter(id=finding.pk).first()  # deleted with it
    assert (cascaded.history_type, cascaded.history_user) == ("-", admin_user)
    # Its next step (hidden with the archived consultation) goes with it, not in the way.
    assert "Its next step" in confirm.content.decode()
    gone = NextStep.history.filter(id=step.pk).first()
    assert (gone.history_type, gone.history_user) == ("-", admin_user)


def test_delete_permanently_is_refused_while_other_records_refer_to_it(admin_client, admin_user):
    city = CityFactory(name=NAME)
    OfficialFactory(city=city)
    record_archive(instance=city, actor=admin_user)
    url = admin_url(City, "delete_permanently", city.pk)

    confirm = admin_client.get(url).content.decode()
    response = admin_client.post(url, follow=True)

    assert "cannot be deleted" in confirm
    assert "Yes, delete permanently" not in confirm
    assert "other records refer to it" in response.content.decode()
    assert City.objects.filter(pk=city.pk).exists()
    with pytest.raises(ValidationError, match="1 official"):
        record_delete_permanently(instance=city, actor=admin_user)


def test_delete_permanently_is_refused_for_staff_and_for_records_not_archived(
    admin_client, admin_user
):
    client = Client()
    sign_in(client, make_user_with_role("ISD staff", is_staff=True))
    archived, active = CityFactory(), CityFactory()
    record_archive(instance=archived, actor=admin_user)

    by_staff = client.post(admin_url(City, "delete_permanently", archived.pk))
    not_archived = admin_client.post(admin_url(City, "delete_permanently", active.pk))

    assert by_staff.status_code == 403
    assert not_archived.status_code == 404
    assert City.objects.filter(pk__in=[archived.pk, active.pk]).count() == 2
    with pytest.raises(ValidationError, match="archive it first"):
        record_delete_permanently(instance=active, actor=admin_user)


def test_admin_archive_page_makes_no_query_per_record(admin_client, admin_user):
    url = admin_url(Consultation, "archive")
    for consultation in ConsultationFactory.create_batch(2):
        record_archive(instance=consultation, actor=admin_user)
    admin_client.get(url)
    few = count_queries(lambda: admin_client.get(url))

    for consultation in ConsultationFactory.create_batch(20):
        record_archive(instance=consultation, actor=admin_user)
    many = count_queries(lambda: admin_client.get(url))

    assert_queries_do_not_grow(few, many)
