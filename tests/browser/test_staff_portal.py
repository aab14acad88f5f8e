"""An ISD staff member does the whole job in a real browser, on a laptop and on a phone."""

import io
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group

from consultations.models import Consultation, NextStep
from scn_portal.demo import load_demo
from tests.auth import current_code, totp_device
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def staff_member():
    load_demo()
    user = UserFactory(username="sana", first_name="Sana", last_name="Staff")
    user.groups.add(Group.objects.get(name="ISD staff"))
    return user


def sign_in(page, live_server, language: str = "") -> None:
    """Password, then the authenticator code (a fresh device each time: codes are single-use);
    then, given a `language`, the pages in it (the language switcher's cookie)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="sana")
    user.totpdevice_set.all().delete()
    device = totp_device(user)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sana")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/?next=%2Fdashboard%2F")
    page.fill("#id_token", current_code(device))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    if language:
        cookie = {"name": "django_language", "value": language, "url": live_server.url}
        page.context.add_cookies([cookie])


def pick(page, field_id: str, text: str, option: str) -> None:
    """Type into a type-ahead and choose the suggestion that reads `option`.

    Each step waits for the server's answer it causes, so that no answer is still on its way
    when the test moves on: the first suggestions load when the field takes the focus, and a
    load started before they arrive would replace the one for what is typed. Headless
    Chromium's document never has focus, so Tom Select ignores the blur when the test moves
    to the next field; a late answer would reopen its dropdown, take the focus back and
    receive the text meant for the next field.
    """
    wrapper = f"#{field_id} + .ts-wrapper"
    with page.expect_response(lambda response: response.url.endswith("?q=")):
        page.click(f"{wrapper} .ts-control")
    with page.expect_response(lambda response: response.url.endswith(f"?q={quote(text)}")):
        page.keyboard.type(text)
    page.wait_for_selector(f"{wrapper}:not(.loading)", state="attached")
    page.locator(f"#{field_id}-ts-dropdown .option", has_text=option).first.click()
    page.keyboard.press("Escape")


def fill_consultation(page, live_server) -> None:
    page.goto(f"{live_server.url}/consultations/new/")
    pick(page, "id_city", "Quet", "Quetta")
    page.fill("#id_date", "2018-02-14")
    page.fill("#id_title", "Follow-up call with the mayor of Quetta")
    pick(page, "id_officials", "Mayor", "Mayor of Quetta")
    page.fill("#id_summary", "Quetta's membership application was discussed.")
    page.select_option("#id_findings-0-theme", "needs")
    page.fill("#id_findings-0-text", "The city wants training for its committees.")
    page.click("text=+ Add key finding")
    page.select_option("#id_findings-1-theme", "security")
    page.fill("#id_findings-1-text", "Security remains the first worry.")
    page.fill("#id_next_steps-0-title", "Send the membership pack to Quetta")
    page.select_option("#id_next_steps-0-kind", "membership_onboarding")
    page.fill("#id_next_steps-0-due_date", "2018-03-01")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_staff_logs_a_consultation_sees_it_on_the_timeline_and_closes_the_step(
    new_page, live_server, staff_member, viewport, screenshot
):
    page = new_page(viewport)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server)
    name = "phone" if viewport is PHONE else "laptop"

    fill_consultation(page, live_server)
    screenshot(f"consultation-form-{name}", page)
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Consultation “Follow-up call with the mayor of Quetta” saved.")

    consultation = Consultation.objects.get(title="Follow-up call with the mayor of Quetta")
    assert consultation.city.name == "Quetta"
    assert [o.name for o in consultation.officials.all()] == ["Mayor of Quetta (name not recorded)"]
    assert consultation.findings.count() == 2
    step = consultation.next_steps.get()

    page.goto(f"{live_server.url}/cities/quetta/")
    timeline = page.locator("ol.timeline").inner_text()
    assert "Follow-up call with the mayor of Quetta" in timeline
    assert "Security remains the first worry." in timeline
    assert "Send the membership pack to Quetta" in page.locator("#next-heading + *").inner_text()
    screenshot(f"city-timeline-{name}", page)

    page.goto(f"{live_server.url}/next-steps/{step.pk}/")
    page.select_option(f"#status-{step.pk}", "done")
    page.fill(f"#note-{step.pk}", "Pack sent by e-mail.")
    page.click("form.status-form button[type=submit]")
    page.wait_for_selector("text=is now done")
    step.refresh_from_db()
    assert step.status == NextStep.Status.DONE
    assert "Pack sent by e-mail." in page.locator("main").inner_text()
    assert errors == []


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_form_error_keeps_every_typed_value(new_page, live_server, staff_member, viewport):
    page = new_page(viewport)
    sign_in(page, live_server)

    fill_consultation(page, live_server)
    page.fill("#id_findings-1-text", "")  # one bad inline row
    page.click("button:has-text('Save')")

    page.wait_for_selector("text=Nothing was saved")
    assert page.input_value("#id_title") == "Follow-up call with the mayor of Quetta"
    assert page.input_value("#id_date") == "2018-02-14"
    assert page.input_value("#id_summary") == "Quetta's membership application was discussed."
    assert page.input_value("#id_findings-0-text") == "The city wants training for its committees."
    assert page.input_value("#id_findings-1-theme") == "security"
    assert page.input_value("#id_next_steps-0-title") == "Send the membership pack to Quetta"
    assert "Mayor of Quetta" in page.locator("#div_id_officials").inner_text()
    assert "Quetta" in page.locator("#div_id_city").inner_text()
    assert "This field is required." in page.locator("#findings-rows").inner_text()
    assert not Consultation.objects.filter(title__startswith="Follow-up").exists()


def test_main_pages_render_for_staff_with_screenshots(page, live_server, staff_member, screenshot):
    sign_in(page, live_server)
    for name, path, heading in (
        ("dashboard", "/dashboard/", "Dashboard"),
        ("cities", "/cities/", "Cities"),
        ("officials", "/officials/", "Officials"),
        ("organisations", "/organisations/", "Organisations"),
        ("workshops", "/workshops/", "Workshops and events"),
        ("consultations", "/consultations/", "Consultations"),
        ("next-steps", "/next-steps/", "Next steps"),
        ("workshop", "/workshops/pakistan-local-government-capacity-building-2017/",
         "Capacity-building workshop for mayors and district officials"),
    ):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").first.inner_text() == heading
        assert page.title().endswith("· Strong Cities Network")
        screenshot(f"staff-{name}", page)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_a_click_right_after_choosing_a_long_name_is_not_lost(
    new_page, live_server, staff_member, viewport
):
    """A chosen name too long for one line wrapped the type-ahead's search box below it while
    it had the focus; pressing the mouse on "+ Add" took the focus away, the box shrank, the
    button moved up, and the click never reached it (a helper's browser walk-through)."""
    from scn_portal.demo import WORKSHOP_SLUG

    page = new_page(viewport)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/workshops/{WORKSHOP_SLUG}/edit/")
    rows = int(page.input_value("#id_participations-TOTAL_FORMS"))
    page.click("text=+ Add participation")
    field = f"id_participations-{rows}-organisation"
    pick(page, field, "Institute", "Institute for Strategic Dialogue")

    page.click("text=+ Add participation")

    assert page.input_value("#id_participations-TOTAL_FORMS") == str(rows + 2)


ROOM_FOR_THE_ARROW = """(id) => {
  const control = document.querySelector("#" + id + " + .ts-wrapper .ts-control");
  const items = [...control.querySelectorAll(".item")], item = items[0];
  const style = getComputedStyle(control), box = control.getBoundingClientRect();
  const rtl = style.direction === "rtl";
  const arrowSide = rtl ? parseFloat(style.paddingLeft) : parseFloat(style.paddingRight);
  const clear = items.every((each) => {
    const name = each.getBoundingClientRect();
    return rtl ? name.left >= box.left + arrowSide - 1 : name.right <= box.right - arrowSide + 1;
  });
  const cut = item.scrollWidth > item.clientWidth;
  const button = control.querySelector(".clear-button"), name = item.getBoundingClientRect();
  const x = button && button.getBoundingClientRect();
  const underX = Boolean(x) && x.left < name.right - 1 && name.left < x.right - 1;
  return {clear, arrowSide, cut, underX, ellipsis: getComputedStyle(item).textOverflow};
}"""


@pytest.mark.parametrize("language", ["en", "ur"])
def test_a_long_chosen_name_is_cut_clear_of_the_arrow_in_either_direction(
    new_page, live_server, staff_member, language
):
    """Kept on one line, a long name is cut with "…", and on an Urdu page (right to left) no
    chosen name, of one choice or several, runs under the arrow drawn on the left (two
    helpers' review and walk-through of the one-line type-ahead), or under the "x" button."""
    from scn_portal.demo import WORKSHOP_SLUG
    from tests.factories import OrganisationFactory

    OrganisationFactory(
        name="The Extraordinarily Long Named Institute for Dialogue and Cooperation",
        is_published=True,
    )
    page = new_page(PHONE)
    sign_in(page, live_server, language)
    page.goto(f"{live_server.url}/workshops/{WORKSHOP_SLUG}/edit/")
    rows = int(page.input_value("#id_participations-TOTAL_FORMS"))
    page.click("[data-formset-add='participations']")
    field = f"id_participations-{rows}-organisation"
    pick(page, field, "Extraordinarily", "Extraordinarily")

    measured = page.evaluate(ROOM_FOR_THE_ARROW, field)

    assert measured["clear"] and measured["arrowSide"] >= 30, measured
    assert not measured["underX"], measured  # nor under the "x" button that empties the choice
    assert measured["cut"] and measured["ellipsis"] == "ellipsis", measured
    cities = page.evaluate(ROOM_FOR_THE_ARROW, "id_cities")  # a choice of several
    assert cities["clear"] and cities["arrowSide"] >= 30, cities
    stored = page.evaluate(ROOM_FOR_THE_ARROW, "id_participations-0-official")  # as it opens
    assert stored["clear"] and not stored["underX"], stored


# The first participant row with an organisation chosen (the demo workshop's).
CHOSEN_ORGANISATION = """() => [...document.querySelectorAll("select[id$='-organisation']")]
  .find((select) => select.value && select.id.startsWith("id_participations-")).id"""


def test_a_type_ahead_suggests_records_only_and_its_x_clears_the_choice(
    new_page, live_server, staff_member
):
    """The suggestions listed the empty choice ("- Select an option -") as if it were an
    organisation (seen in the tenth session). It is now the field's placeholder, and a
    choice that may be left empty is emptied by the "x" button beside it, then saved as empty."""
    from scn_portal.demo import WORKSHOP_SLUG
    from workshops.models import Participation

    page = new_page(LAPTOP)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/workshops/{WORKSHOP_SLUG}/edit/")
    row = page.evaluate(CHOSEN_ORGANISATION)
    stored = Participation.objects.get(pk=page.input_value("#" + row.replace("organisation", "id")))
    assert stored.organisation is not None
    rows = int(page.input_value("#id_participations-TOTAL_FORMS"))
    page.click("[data-formset-add='participations']")
    field = f"id_participations-{rows}-organisation"
    with page.expect_response(lambda response: response.url.endswith("?q=")):
        page.click(f"#{field} + .ts-wrapper .ts-control")
    page.wait_for_selector(f"#{field}-ts-dropdown .option")

    suggestions = page.locator(f"#{field}-ts-dropdown .option").all_inner_texts()
    placeholder = page.get_attribute(f"#{field}-ts-control", "placeholder")

    assert suggestions and not [text for text in suggestions if "Select an option" in text]
    assert placeholder == "- Select an option -"
    page.keyboard.press("Escape")
    page.click(f"#{row} + .ts-wrapper .clear-button")
    assert page.input_value(f"#{row}") == ""
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=saved")
    stored.refresh_from_db()
    assert stored.organisation is None


def test_the_x_is_there_only_where_a_choice_may_be_left_empty_and_keeps_the_focus(
    new_page, live_server, staff_member
):
    """A required choice (the organiser) had an "x" button that only led to "This field is
    required"; on a phone the button, transparent until hovered, still took taps; emptied from
    the keyboard, the focus fell to the page (a helper's browser walk-through)."""
    from scn_portal.demo import WORKSHOP_SLUG

    page = new_page(PHONE)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/workshops/{WORKSHOP_SLUG}/edit/")
    row = page.evaluate(CHOSEN_ORGANISATION)
    optional = f"#{row} + .ts-wrapper .clear-button"

    required_has_x = page.locator("#id_organiser + .ts-wrapper .clear-button").count()
    shown = page.eval_on_selector(optional, "(x) => getComputedStyle(x).opacity")
    page.focus(optional)
    page.keyboard.press("Enter")

    assert required_has_x == 0 and shown == "1"
    assert page.input_value(f"#{row}") == ""
    assert page.evaluate("document.activeElement.id") == f"{row}-ts-control"


LINES_OF_TEXT = """(elements) => elements.map((element) => {
  const style = getComputedStyle(element);
  const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
  return Math.round((element.clientHeight - padding) / parseFloat(style.lineHeight));
})"""


@pytest.mark.parametrize("language", ["en", "ur"])
def test_the_navigation_search_box_has_room_to_type_in_on_a_laptop(
    new_page, live_server, staff_member, language
):
    """At 1280 pixels the links, each on two lines, left the search box 17 pixels wide (a
    helper's browser walk-through)."""
    page = new_page(LAPTOP)
    sign_in(page, live_server, language)
    page.goto(f"{live_server.url}/dashboard/")

    width = page.eval_on_selector("#nav-search", "(box) => box.getBoundingClientRect().width")
    lines = page.eval_on_selector_all("#nav-main .nav-link", LINES_OF_TEXT)

    assert width >= 150, width
    assert set(lines) == {1}, lines  # every link on one line


# A copy of a control's text, drawn free of any control in the control's own font.
DRAWN_FREE = """(control) => {
  const copy = document.createElement("div"), style = getComputedStyle(control);
  copy.textContent = control.tagName === "SELECT" ? control.selectedOptions[0].text
    : control.value || control.placeholder;
  copy.id = "drawn-free";
  Object.assign(copy.style, {
    position: "fixed", top: "0", left: "0", zIndex: "9999", padding: "2rem", lineHeight: "4",
    whiteSpace: "nowrap", background: "#fff", color: "#000",
    fontFamily: style.fontFamily, fontSize: style.fontSize, fontWeight: style.fontWeight,
  });
  document.body.append(copy);
}"""


def ink_height(png: bytes, *, right_half: bool) -> int:
    """The rows of dark pixels (the letters' ink) in a screenshot, borders left out; on a
    control, its right half only (Urdu text is set on the right, the select's arrow on the
    left)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    columns = range(width // 2 if right_half else 4, width - 4)
    rows = [y for y in range(2, height - 2) if any(pixels[x, y] < 140 for x in columns)]
    return rows[-1] - rows[0] + 1


@pytest.mark.parametrize("language", ["ur", "en"])
def test_urdu_in_form_controls_shows_its_letters_whole(
    new_page, live_server, staff_member, language
):
    """The top of ک was cut in a native select and a text box ("کوئی بھی", the Urdu filters'
    "Any", read as "لوئی بھی"; seen by a helper's walk-through), on an English page too (a
    local name typed in Urdu, seen by a helper's review), and type-aheads needed a line twice
    the letters' size. Each control now shows as much of its letters' height as the same text
    drawn free."""
    page = new_page(LAPTOP)
    sign_in(page, live_server, language)
    page.goto(f"{live_server.url}/cities/")
    page.evaluate("document.querySelector('details').open = true")
    page.fill("#id_q", "کوئی بھی")
    page.evaluate("document.activeElement.blur()")
    page.evaluate("document.fonts.ready")
    # On the Urdu page the filters' own choices are Urdu, set on the right (the arrow left).
    controls = ["#id_q"]
    if language == "ur":
        controls += ["#id_membership_status", "#id_country-ts-control"]
        assert page.input_value("#id_membership_status") == ""  # "کوئی بھی", the empty choice
        assert page.get_attribute("#id_country-ts-control", "placeholder") == "کوئی بھی"

    heights = {}
    for control in controls:
        png = page.locator(control).screenshot()
        shown = ink_height(png, right_half=language == "ur" and control != "#id_q")
        page.eval_on_selector(control, DRAWN_FREE)
        free = ink_height(page.locator("#drawn-free").screenshot(), right_half=False)
        page.evaluate("document.getElementById('drawn-free').remove()")
        heights[control] = (shown, free)

    assert all(shown >= free - 1 for shown, free in heights.values()), heights


def test_a_type_ahead_finds_a_city_by_its_urdu_name(new_page, live_server, staff_member):
    """The server found Quetta for "کوئ" (its local name, کوئٹہ), and the type-ahead then
    dropped it, filtering the answer again by the label's letters (a helper's walk-through)."""
    page = new_page(LAPTOP)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/officials/")
    page.evaluate("document.querySelector('details').open = true")
    with page.expect_response(lambda response: "q=%DA%A9%D9%88%D8%A6" in response.url):
        page.click("#id_city + .ts-wrapper .ts-control")
        page.keyboard.type("کوئ")
    page.wait_for_selector("#id_city-ts-dropdown .option")

    suggestions = page.locator("#id_city-ts-dropdown .option").all_inner_texts()

    assert suggestions == ["Quetta"], suggestions


# Where the chosen items of a choice of several are, against their box.
CHOSEN_IN_SIGHT = """(id) => {
  const control = document.querySelector("#" + id + " + .ts-wrapper .ts-control");
  const box = control.getBoundingClientRect();
  return {
    scrolled: control.scrollLeft,
    inSight: [...control.querySelectorAll(".item")].map((item) => {
      const place = item.getBoundingClientRect();
      return place.right > box.left && place.left < box.right;
    }),
  };
}"""


@pytest.mark.parametrize("language", ["ur", "en"])
def test_tapping_a_chosen_item_keeps_the_choices_in_sight(
    new_page, live_server, staff_member, language
):
    """On an Urdu page, tapping a chosen city ("Cities involved") scrolled the box 10,000
    pixels: every chosen item, and what was typed next, out of sight (a helper's walk-through)."""
    from scn_portal.demo import WORKSHOP_SLUG

    page = new_page(PHONE)
    sign_in(page, live_server, language)
    page.goto(f"{live_server.url}/workshops/{WORKSHOP_SLUG}/edit/")

    page.click("#id_cities + .ts-wrapper .ts-control .item")
    measured = page.evaluate(CHOSEN_IN_SIGHT, "id_cities")

    assert page.locator("#id_cities + .ts-wrapper .item.active").count() == 1
    assert measured["scrolled"] == 0 and measured["inSight"] and all(measured["inSight"]), measured


def test_a_type_ahead_whose_lookup_fails_still_matches_what_it_has(
    new_page, live_server, staff_member
):
    """With suggestions taken from the server's answer only, a failed lookup (a lost
    session, the network) showed "No results found" for everything, and the query was never
    asked again (a helper's walk-through). The choices already loaded are matched by their
    labels, and the query is asked again."""
    page = new_page(LAPTOP)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/officials/")
    page.evaluate("document.querySelector('details').open = true")
    failed = []

    def fail(route):
        failed.append(route.request.url)
        route.abort()

    page.route(lambda url: url.endswith("?q=Pes"), fail)
    with page.expect_response(lambda response: response.url.endswith("?q=")):
        page.click("#id_city + .ts-wrapper .ts-control")

    def asked(times: int) -> None:
        for _ in range(100):
            if len(failed) >= times:
                break
            page.wait_for_timeout(50)
        page.wait_for_selector("#id_city + .ts-wrapper:not(.loading)", state="attached")

    page.keyboard.type("Pes")
    asked(1)
    suggestions = page.locator("#id_city-ts-dropdown .option").all_inner_texts()
    page.keyboard.press("Backspace")
    page.keyboard.type("s")
    asked(2)

    assert suggestions == ["Peshawar"], suggestions
    assert len(failed) == 2, failed  # asked again


def test_backspace_does_not_empty_a_required_choice(new_page, live_server, staff_member):
    """A workshop's organiser is required: Backspace emptied it, only for the save to say
    "This field is required" (a helper's walk-through). Another may still be chosen."""
    from scn_portal.demo import WORKSHOP_SLUG

    page = new_page(LAPTOP)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/workshops/{WORKSHOP_SLUG}/edit/")
    organiser = page.input_value("#id_organiser")
    with page.expect_response(lambda response: response.url.endswith("?q=")):
        page.click("#id_organiser + .ts-wrapper .ts-control")
    page.keyboard.press("Backspace")
    kept = page.input_value("#id_organiser")
    with page.expect_response(lambda response: response.url.endswith("?q=Strategic")):
        page.keyboard.type("Strategic")
    page.wait_for_selector("#id_organiser + .ts-wrapper:not(.loading)", state="attached")
    page.locator("#id_organiser-ts-dropdown .option", has_text="Strategic Dialogue").click()

    assert organiser and kept == organiser
    assert page.input_value("#id_organiser") not in ("", organiser)
