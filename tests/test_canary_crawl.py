"""The canary crawl: every confidential field carries a marker; an anonymous visitor and a
partner editor follow every link they can reach, and no marker may appear anywhere."""

import io
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from cities.models import City, Official, Organisation
from cities.services import official_save
from consultations.models import Consultation, Finding, NextStep
from scn_portal.demo import WORKSHOP_SLUG, load_demo
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    FindingFactory,
    NextStepFactory,
    OfficialFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    WorkshopFactory,
)
from tests.html_forms import links
from workshops.models import Workshop
from workshops.services import workshop_update

pytestmark = pytest.mark.django_db
MARKER = "CANARY"
# Searches use the other words of the planted texts, so that a hit cannot be the query's echo.
WORDS = ["notes", "confidential", "unpublished", "finding", "unnamed", "draft", "progress"]
START = [
    "/",
    "/dashboard/",
    *[f"/search/?q={word}" for word in WORDS],
    *[
        f"/{kind}/autocomplete/?q={word}"
        for kind in ("cities", "officials", "organisations", "workshops")
        for word in ["", *WORDS]
    ],
    "/accounts/users/autocomplete/?q=",
]
NEVER_FOLLOW = ("/accounts/logout/", "/admin/logout/", "/static/")


def plant_canaries() -> None:
    """A marker in every field the public and partners must never see."""
    load_demo()
    quetta = City.objects.get(slug="quetta")
    # Internal notes of a published consultation, and a wholly confidential one.
    Consultation.objects.filter(city=quetta).update(summary=f"{MARKER} internal summary")
    secret = ConsultationFactory(
        city=quetta,
        title=f"{MARKER} confidential consultation",
        summary=f"{MARKER} notes",
        confidentiality=Consultation.Confidentiality.CONFIDENTIAL,
    )
    FindingFactory(consultation=secret, text=f"{MARKER} finding")
    Finding.objects.filter(consultation__city=quetta).update(
        text=f"{MARKER} unpublished finding", is_published=False
    )
    step = NextStepFactory(consultation=secret, city=quetta, title=f"{MARKER} next step")
    ProgressUpdateFactory(next_step=step, note=f"{MARKER} progress")
    NextStep.objects.filter(is_published=False).update(description=f"{MARKER} step notes")
    # Officials' private contact details and notes; an official without consent. An earlier
    # phone number stays in the official's history.
    official_save(
        actor=None, official=Official.objects.first(), data={"phone": f"{MARKER}-OLD-PHONE"}
    )
    Official.objects.update(
        email="canary@example.org", phone=f"{MARKER}-PHONE", notes=f"{MARKER} official notes"
    )
    OfficialFactory(city=quetta, name=f"{MARKER} unnamed official", consent_to_be_named=False)
    # Workshops' internal notes (the partner's own included) and another partner's draft.
    # Notes changed since stay in the workshop's history, which its partner editors may read.
    workshop = Workshop.objects.get(slug=WORKSHOP_SLUG)
    workshop_update(actor=None, workshop=workshop, internal_notes=f"{MARKER} old workshop notes")
    workshop_update(actor=None, workshop=workshop, internal_notes=f"{MARKER} workshop notes")
    WorkshopFactory(
        title=f"{MARKER} other organisation's draft",
        organiser=OrganisationFactory(name="Other NGO", is_published=True),
        is_published=False,
    )
    # Unpublished cities and organisations.
    CityFactory(name=f"{MARKER} unpublished city", is_published=False)
    OrganisationFactory(name=f"{MARKER} unpublished organisation", is_published=False)


def readable(response) -> str:
    """A response as text: pages and CSV as they are, Excel files cell by cell."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(raw)).active
        return "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)
    return raw.decode(errors="replace")


def history_pages() -> list[str]:
    """Every record's history page: asked for whether or not a link leads there."""
    from scn_portal.history import HISTORY_VIEWS, history_url_of

    return [history_url_of(record) for model in HISTORY_VIEWS for record in model.objects.all()]


def crawl(client: Client, limit: int = 400) -> dict[str, str]:
    """Every same-site page reachable by following links from START and the history pages,
    with its text."""
    seen: dict[str, str] = {}
    queue = deque([*START, *history_pages()])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or url.startswith(NEVER_FOLLOW):
            continue
        response = client.get(url, follow=True)
        body = readable(response)
        seen[url] = body
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in links(body):
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def leaks(pages: dict[str, str]) -> list[str]:
    found = []
    for url, body in pages.items():
        for marker in (MARKER, MARKER.lower()):
            index = body.find(marker)
            if index != -1:
                found.append(f"{url}: …{body[max(0, index - 80) : index + 40]}…")
    return found


def test_an_anonymous_visitor_reaches_no_confidential_field(client):
    plant_canaries()

    pages = crawl(client)

    assert len(pages) >= 3
    assert not leaks(pages), "\n".join(leaks(pages))


def test_a_partner_editor_reaches_no_confidential_field(client):
    plant_canaries()
    partner = make_user_with_role("Partner editor", username="il.editor")
    Organisation.objects.get(slug="individualland").members.add(partner)
    sign_in(client, partner)

    pages = crawl(client)

    assert any("/edit/" in url for url in pages), "the crawl should reach the partner's form"
    assert any("export=xlsx" in url for url in pages), "the crawl should download exports"
    own_history = pages[f"/workshops/{WORKSHOP_SLUG}/history/"]
    assert "History of" in own_history, "the crawl should read the partner's workshop history"
    assert len(pages) >= 60
    assert not leaks(pages), "\n".join(leaks(pages))


def test_the_same_crawl_finds_the_canaries_for_isd_staff(client):
    """The control: the markers are planted where pages show them to those allowed."""
    plant_canaries()
    sign_in(client, make_user_with_role("ISD staff", username="sana"))

    found = "\n".join(leaks(crawl(client)))

    for planted in (
        "internal summary",
        "confidential consultation",
        "unnamed official",
        "workshop notes",
        "old workshop notes",  # on the workshop's history page only
        "OLD-PHONE",  # on the official's history page only
        "other organisation's draft",
        "unpublished city",
        "PHONE",
    ):
        assert planted in found, planted
