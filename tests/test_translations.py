"""The portal speaks Urdu: on the main pages, every visible string is translated.

A visible text (or label-like attribute) that still has Latin letters and no Urdu letters in
the Urdu rendering fails the test, unless it is the records' own data (city names, titles)
or one of the few names that stay as they are.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models

from scn_portal.demo import WORKSHOP_SLUG, load_demo
from tests.auth import sign_in
from tests.conftest import make_user_with_role

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/network/",
    "/network/quetta/",
    f"/events/{WORKSHOP_SLUG}/",
    f"/events/{WORKSHOP_SLUG}/story/",
    "/accounts/login/",
]
STAFF_PAGES = [
    "/dashboard/",
    "/cities/",
    "/cities/quetta/",
    "/consultations/",
    "/consultations/new/",
    "/next-steps/",
    "/workshops/",
    f"/workshops/{WORKSHOP_SLUG}/",
    f"/workshops/{WORKSHOP_SLUG}/edit/",
    "/officials/",
    "/organisations/",
    "/search/?q=quetta",
]
# Names that are the same in every language: the language's own name in the switcher, the
# network's acronyms, and the authors of the map data.
KEPT = {"English", "SCN", "ISD", "Natural Earth", "iCalendar", "TOTP"}
URDU = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile(r"[A-Za-z]{2,}")
ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template", "title"}:
            self.hidden_depth += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template", "title"}:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            self.texts.append(" ".join(data.split()))


def record_data() -> str:
    """Every text the records hold: what users typed is shown as typed."""
    values = []
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.URLField)
        ]
        for row in model.objects.values_list(*fields):
            values.extend(str(value) for value in row if value)
    return "\n".join(values)


def untranslated(html: str, data: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        if URDU.search(text) or not LATIN.search(text):
            continue
        if (
            text in KEPT
            or text in data
            or all(
                word in data or word in KEPT
                for word in re.split(r"[ ,·()–:\u2068\u2069]+", text)  # isolates: invisible
                if LATIN.search(word)
            )
        ):
            continue
        found.append(text)
    return found


def test_every_visible_string_of_the_main_pages_is_in_urdu(client):
    load_demo()
    user = make_user_with_role("ISD staff", username="sana", first_name="Sana", last_name="Staff")
    data = record_data()
    client.cookies["django_language"] = "ur"
    missing = {}

    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert 'lang="ur" dir="rtl"' in response.content.decode()
        missing[path] = untranslated(response.content.decode(), data)
    sign_in(client, user)
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        missing[path] = untranslated(response.content.decode(), data)

    missing = {path: texts for path, texts in missing.items() if texts}
    assert not missing, "\n".join(f"{path}: {texts}" for path, texts in missing.items())


def test_the_navigation_and_headings_switch_to_urdu(client):
    load_demo()
    sign_in(client, make_user_with_role("ISD staff"))
    client.cookies["django_language"] = "ur"

    content = client.get("/dashboard/").content.decode()

    assert 'dir="rtl"' in content and "bootstrap.rtl.min.css" in content
    assert ">Dashboard<" not in content and ">Cities<" not in content
    assert ">ڈیش بورڈ<" in content or "ڈیش بورڈ" in content


def test_the_check_sees_english_when_the_page_is_in_english(client):
    """The control: the same check on the English pages finds their English strings."""
    load_demo()
    data = record_data()
    client.cookies["django_language"] = "en"

    found = untranslated(client.get("/network/").content.decode(), data)

    assert "Cities of the network" in found
    assert "Filter" in found
