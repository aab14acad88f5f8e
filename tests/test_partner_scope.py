"""What a partner editor's pages never name: records their scope hides (an official who did
not consent to be named, an unpublished city or organisation), wherever the record shows up
beside one of theirs: their edit form, the workshop and city pages, lists, exports, the
dashboard and reports."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    MediaCoverageFactory,
    NextStepFactory,
    OfficialFactory,
    OrganisationFactory,
    ParticipationFactory,
    WorkshopFactory,
    WorkshopSupportFactory,
)
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_organisation():
    return OrganisationFactory(name="Individualland", is_published=True)


@pytest.fixture
def partner(client, own_organisation):
    user = make_user_with_role("Partner editor", username="partner.editor")
    own_organisation.members.add(user)
    sign_in(client, user)
    return user


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def a_workshop_with_a_hidden_participant(partner):
    """The partner's workshop, in an unpublished town, with an official who did not consent
    to be named; the town, and the official."""
    hidden_city = CityFactory(name="Unpublished town", is_published=False)
    quiet = OfficialFactory(name="Quiet official", city=hidden_city, consent_to_be_named=False)
    workshop = WorkshopFactory(organiser=partner.organisations.get(), cities=[hidden_city])
    ParticipationFactory(workshop=workshop, official=quiet, city=hidden_city)
    return workshop, hidden_city, quiet


def test_partner_edit_form_keeps_hidden_records_without_naming_them(client, partner):
    workshop, hidden_city, quiet = a_workshop_with_a_hidden_participant(partner)
    url = reverse("workshops:workshop_update", args=[workshop.slug])

    form = page(client, url)
    response = client.post(url, form_values(form, "record-form"))

    assert "Quiet official" not in form and "Unpublished town" not in form
    assert "(not shown)" in form
    assert response.status_code == 302  # saved unchanged: what it held, it still holds
    assert list(workshop.cities.all()) == [hidden_city]
    assert workshop.participations.get().official == quiet


def csv_text(client, url: str) -> str:
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def hidden():
    """Records a partner's scope hides, around a workshop the partner may see."""
    convenor = OrganisationFactory(name="Unlisted convenor", is_published=False)
    funder = OrganisationFactory(name="Unlisted funder", is_published=False)
    outlet = OrganisationFactory(name="Unlisted outlet", is_published=False, kind="media")
    city = CityFactory(name="Visible city")
    workshop = WorkshopFactory(
        title="Open workshop",
        organiser=convenor,
        cities=[city],
        start_date=datetime.date(2099, 1, 1),
        end_date=datetime.date(2099, 1, 2),
    )
    WorkshopSupportFactory(workshop=workshop, organisation=funder, role="funder")
    WorkshopSupportFactory(
        workshop=workshop,
        organisation=OrganisationFactory(name="Listed supporter", is_published=True),
    )
    MediaCoverageFactory(workshop=workshop, outlet=outlet, headline="Coverage", is_published=True)
    return workshop


HIDDEN_NAMES = ("Unlisted convenor", "Unlisted funder", "Unlisted outlet")


def test_partner_pages_and_exports_never_name_unpublished_organisations(client, partner, hidden):
    city = hidden.cities.get()
    texts = {
        "workshop page": page(client, hidden.get_absolute_url()),
        "workshop list": page(client, reverse("workshops:workshop_list")),
        "workshop export": csv_text(client, reverse("workshops:workshop_list")),
        "media list": page(client, reverse("workshops:mediacoverage_list")),
        "media export": csv_text(client, reverse("workshops:mediacoverage_list")),
        "city page": page(client, city.get_absolute_url()),
        "dashboard": page(client, reverse("dashboard")),
    }

    for where, text in texts.items():
        assert "Open workshop" in text or "Coverage" in text, where  # the rows are there
        for name in HIDDEN_NAMES:
            assert name not in text, (where, name)
    assert "Listed supporter" in texts["workshop page"]


def test_staff_still_read_every_organisations_name(staff_client, hidden):
    texts = [
        page(staff_client, hidden.get_absolute_url()),
        page(staff_client, reverse("workshops:workshop_list")),
        csv_text(staff_client, reverse("workshops:workshop_list")),
        page(staff_client, reverse("workshops:mediacoverage_list")),
        csv_text(staff_client, reverse("workshops:mediacoverage_list")),
    ]

    assert all("Unlisted convenor" in text for text in texts[:3])
    assert "Unlisted funder" in texts[0]
    assert all("Unlisted outlet" in text for text in (texts[0], *texts[3:]))


def test_a_partners_next_steps_never_name_an_unpublished_city_or_organisation(client, partner):
    """A partner meets next steps on their dashboard, and on their workshops' pages and
    reports (the next steps' own list and pages are not theirs)."""
    own = partner.organisations.get()
    workshop = WorkshopFactory(organiser=own)
    NextStepFactory(
        title="Overdue follow-up",
        workshop=workshop,
        city=CityFactory(name="Unpublished town", is_published=False),
        responsible_organisation=own,
        owner=partner,
        due_date=datetime.date(2000, 1, 1),
    )
    NextStepFactory(
        title="Shared follow-up",
        workshop=workshop,
        city=None,
        responsible_organisation=OrganisationFactory(name="Unlisted body", is_published=False),
    )

    texts = {
        "dashboard": page(client, reverse("dashboard")),
        "workshop page": page(client, workshop.get_absolute_url()),
        "report": page(client, reverse("workshops:workshop_report", args=[workshop.slug])),
    }

    assert "Overdue follow-up" in texts["dashboard"]
    assert "Shared follow-up" in texts["report"]
    for where, text in texts.items():
        assert "Unpublished town" not in text and "Unlisted body" not in text, where
    assert client.get(reverse("consultations:next_step_list")).status_code == 404


def test_a_next_steps_description_stays_with_staff_and_viewers(client, partner):
    own = partner.organisations.get()
    workshop = WorkshopFactory(organiser=own)
    step = NextStepFactory(
        workshop=workshop,
        title="Follow-up",
        responsible_organisation=own,
        description="Internal note about the mayor",
    )
    report = reverse("workshops:workshop_report", args=[workshop.slug])

    partner_report = page(client, report)
    sign_in(client, make_user_with_role("Viewer", username="viewer"))
    viewer_texts = [page(client, report), page(client, step.get_absolute_url())]

    assert "Follow-up" in partner_report
    assert "Internal note about the mayor" not in partner_report
    assert all("Internal note about the mayor" in text for text in viewer_texts)


def test_a_partner_cannot_choose_a_workshops_address(client, partner):
    """A slug is unique: a refused one would tell a partner that another organisation's
    unpublished workshop holds it. The address is ISD staff's to set."""
    WorkshopFactory(slug="closed-summit", is_published=False)
    own = WorkshopFactory(organiser=partner.organisations.get(), slug="our-workshop")
    url = reverse("workshops:workshop_update", args=[own.slug])
    values = form_values(page(client, url), "record-form")

    response = client.post(url, {**values, "slug": "closed-summit", "title": "Renamed"})

    assert "slug" not in values
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.slug, own.title) == ("our-workshop", "Renamed")


def test_a_partners_search_and_sort_never_go_by_a_hidden_name(client, partner, hidden):
    own = partner.organisations.get()
    WorkshopFactory(title="Our workshop", organiser=own)
    for name in ("Aardvark Trust", "Zebra Trust"):
        WorkshopFactory(title=f"Convened by {name[:5]}", organiser=OrganisationFactory(name=name))
    workshops = reverse("workshops:workshop_list")
    media = reverse("workshops:mediacoverage_list")

    assert "Open workshop" not in page(client, f"{workshops}?q=Unlisted+convenor")
    assert "Coverage" not in page(client, f"{media}?q=Unlisted+outlet")
    assert "Our workshop" in page(client, f"{workshops}?q=Individualland")  # its own: found
    sorted_titles = re.findall(
        r'href="/workshops/[^"]+/">([^<]+)<', page(client, f"{workshops}?o=organiser")
    )
    # Hidden organisers sort as no name, before every named one, not by their names.
    assert sorted_titles.index("Convened by Aardv") < sorted_titles.index("Our workshop")
    assert sorted_titles.index("Convened by Zebra") < sorted_titles.index("Our workshop")


def test_naming_a_kept_hidden_record_costs_a_partners_edit_form_no_query_more(client, partner):
    """Whether a kept value is in the partner's scope is read with the value itself: the
    partner's form grows with its rows as staff's does (not at all: the rows' chosen records
    are read in one query a field, `tests/test_edit_form_queries.py`)."""
    from django.test import Client

    from tests.queries import count_queries

    own = partner.organisations.get()
    hidden_city = CityFactory(is_published=False)
    few, many = WorkshopFactory(organiser=own), WorkshopFactory(organiser=own)
    for workshop, rows in ((few, 2), (many, 12)):
        for _ in range(rows):
            quiet = OfficialFactory(city=hidden_city, consent_to_be_named=False)
            ParticipationFactory(workshop=workshop, official=quiet, city=hidden_city)
    staff = Client()
    sign_in(staff, make_user_with_role("ISD staff", username="isd.staff"))

    def growth(viewer) -> int:
        def edit(workshop):
            url = reverse("workshops:workshop_update", args=[workshop.slug])
            return lambda: page(viewer, url)

        return count_queries(edit(many))[0] - count_queries(edit(few))[0]

    assert growth(client) == growth(staff)
    assert "(not shown)" in page(client, reverse("workshops:workshop_update", args=[many.slug]))


def test_staff_edit_forms_name_an_archived_record_they_keep(staff_client):
    from django.utils import timezone

    archived = CityFactory(name="Archived town", archived_at=timezone.now())
    workshop = WorkshopFactory(cities=[archived])

    form = page(staff_client, reverse("workshops:workshop_update", args=[workshop.slug]))

    assert "Archived town" in form and "(not shown)" not in form


def test_a_hidden_record_one_row_keeps_is_refused_in_another_row(client, partner):
    """Every row's chosen records are read together, but each row still accepts only what
    its own field accepts: the partner's scope, and what that row already holds. A city kept
    by one participant cannot be given to a new one."""
    workshop, hidden_city, _quiet = a_workshop_with_a_hidden_participant(partner)
    url = reverse("workshops:workshop_update", args=[workshop.slug])
    values = form_values(page(client, url), "record-form")
    values |= {
        "participations-TOTAL_FORMS": ["2"],
        "participations-1-name": ["A new guest"],
        "participations-1-city": [str(hidden_city.pk)],
        "participations-1-attendance": ["attended"],
    }

    response = client.post(url, values)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert 'value="A new guest"' in response.content.decode()  # what was typed is kept
    assert workshop.participations.count() == 1
    assert "Unpublished town" not in response.content.decode()


def test_a_form_narrowing_a_rows_choices_keeps_each_rows_own_choices(partner):
    """The rows' chosen records are read together only where every row's choices are known
    (the user's scope, the row's kept values). A form that narrows a field itself keeps each
    row's own: a new row is not given another row's kept, hidden organisation (a helper's
    review found the shared read would have)."""
    from django import forms

    from scn_portal.forms import ScopedInlineFormSet
    from workshops.forms import ParticipationForm
    from workshops.models import Participation, Workshop

    class NarrowedForm(ParticipationForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            organisation = self.fields["organisation"]
            organisation.queryset = organisation.queryset.exclude(kind="media")

    formset_class = forms.inlineformset_factory(
        Workshop, Participation, form=NarrowedForm, formset=ScopedInlineFormSet, extra=0
    )
    secret = OrganisationFactory(name="Secret org", is_published=False)
    workshop = WorkshopFactory(organiser=partner.organisations.get())
    kept = ParticipationFactory(
        workshop=workshop, organisation=secret, official=None, city=None, name="A"
    )
    data = {
        "p-TOTAL_FORMS": "2",
        "p-INITIAL_FORMS": "1",
        "p-0-id": str(kept.pk),
        "p-0-name": "A",
        "p-0-organisation": str(secret.pk),
        "p-0-attendance": kept.attendance,
        "p-1-name": "New guest",
        "p-1-organisation": str(secret.pk),
        "p-1-attendance": "attended",
    }

    formset = formset_class(data=data, instance=workshop, prefix="p", form_kwargs={"user": partner})

    assert not formset.is_valid()
    assert "organisation" in formset.forms[1].errors
    assert "Secret org" not in str(formset.forms[1]["organisation"])
    assert formset.forms[0].is_valid()  # the row that holds it keeps it
