"""The public site in both languages, and an accessibility audit (axe-core) of every public
page and the main staff pages, in English and in Urdu."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from scn_portal.demo import WORKSHOP_SLUG, load_demo
from tests.auth import current_code, totp_device
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js").read_text()
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
    "/consultations/new/",
    "/next-steps/",
    "/workshops/",
    f"/workshops/{WORKSHOP_SLUG}/",
    "/search/?q=quetta",
]
LANGUAGES = ["en", "ur"]


def serious_violations(page) -> list[str]:
    """axe-core, injected into the page: its serious and critical violations."""
    page.add_script_tag(content=AXE)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): `
                + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""
    )
    return [f"{page.url}: {violation}" for violation in violations]


def audited_context(browser, live_server, language: str):
    # axe is injected as an inline script, which the portal's policy rightly refuses: this
    # context alone bypasses CSP (every other browser test enforces and watches it).
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_render_in_both_languages_without_errors(
    new_page, live_server, language, screenshot
):
    load_demo()
    page = new_page()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )

    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ur" else "ltr")
        assert page.locator("h1").count() == 1
    page.goto(f"{live_server.url}/events/{WORKSHOP_SLUG}/story/")
    screenshot(f"public-story-{language}", page)
    page.goto(live_server.url)
    screenshot(f"public-home-{language}", page)

    assert errors == []


def test_the_language_switcher_turns_the_page_into_urdu_and_back(page, live_server):
    load_demo()
    page.goto(f"{live_server.url}/network/")

    page.click("button[lang=ur]")
    page.wait_for_selector("html[lang=ur]")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.url.endswith("/network/")
    page.click("button[lang=en]")
    page.wait_for_selector("html[lang=en]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_serious_accessibility_violation_on_public_and_staff_pages(
    browser, live_server, language
):
    load_demo()
    user = UserFactory(username="sana", first_name="Sana", last_name="Staff")
    user.groups.add(Group.objects.get(name="ISD staff"))
    device = totp_device(user)
    context = audited_context(browser, live_server, language)
    page = context.new_page()
    violations = []

    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{path}")
        violations += serious_violations(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sana")
    page.fill("#id_password", "a-long-test-password")
    page.click("main button[type=submit]")
    page.fill("#id_token", current_code(device))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    for path in STAFF_PAGES:
        page.goto(f"{live_server.url}{path}")
        violations += serious_violations(page)
    context.close()

    assert not violations, "\n".join(violations)
