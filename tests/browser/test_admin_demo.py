"""A portal admin signs in to the admin in a real browser and finds the demo data."""

import pytest
from django.contrib.auth import get_user_model

from scn_portal.demo import load_demo
from tests.auth import current_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_signs_in_and_sees_the_demo_cities_and_workshop(live_server, page, screenshot):
    load_demo()
    admin = get_user_model().objects.create_superuser("demo.admin", password="scn-demo-admin-2017")
    device = totp_device(admin)

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "demo.admin")
    page.fill("#id_password", "scn-demo-admin-2017")
    page.click("input[type=submit]")
    # The admin too asks for the second factor before anything else.
    page.wait_for_selector("text=Enter your code")
    page.fill("#id_token", current_code(device))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Records of the Strong Cities Network")

    page.goto(f"{live_server.url}/admin/cities/city/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    text = page.locator("#result_list").inner_text()
    for expected in ("Peshawar", "Nowshera", "Quetta", "پشاور", "Prospective member"):
        assert expected in text
    screenshot("admin-cities", page)

    page.goto(f"{live_server.url}/admin/workshops/workshop/")
    page.click("text=Capacity-building workshop for mayors and district officials")
    assert page.input_value("#id_start_date") == "2017-11-01"
    assert "Individualland" in page.locator(".field-organiser").inner_text()
    assert "US Embassy Islamabad" in page.locator("#supports-group").inner_text()
    screenshot("admin-workshop", page)
    # The admin's own scripts run under the same Content Security Policy.
    page.goto(f"{live_server.url}/admin/consultations/consultation/add/")
    page.click("text=Add another Key finding")
    assert page.locator(".dynamic-findings").count() == 1


def test_public_home_shows_the_network(live_server, page, screenshot):
    load_demo()

    page.goto(live_server.url)

    assert page.title() == "The network · Strong Cities Network"
    assert page.locator("h1").inner_text() == "Strong Cities Network"
    assert page.locator("svg .map-city").count() == 3
    assert "Quetta" in page.locator("svg").text_content()
    assert "Capacity-building workshop" in page.locator("main").inner_text()
    screenshot("public-home", page)


def test_the_policy_blocks_an_injected_inline_script_and_the_watch_sees_it(browser, live_server):
    """The control for every browser test's CSP watch: an inline script is refused."""
    from tests.browser.conftest import watch_csp

    violations: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    watch_csp(page, violations)
    page.goto(live_server.url)

    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )

    assert page.evaluate("() => window.injected === undefined")
    assert violations and "script-src" in violations[0]
    context.close()
