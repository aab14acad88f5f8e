"""The staff dashboard: overdue next steps first, then the user's work and the network's pulse."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from consultations.models import NextStep
from consultations.services import next_step_set_status
from scn_portal import roles
from scn_portal.dashboard import CONSULTATIONS, WORKSHOPS, quarter_chart
from scn_portal.selectors import NO_CONTACT_DAYS, engagement_per_quarter, quarter_start
from tests.auth import sign_in
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    NextStepFactory,
    OrganisationFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def make_user(role: str = roles.ISD_STAFF, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def staff(client):
    user = make_user(username="amina", first_name="Amina", last_name="Khan")
    sign_in(client, user)
    return user


def section(content: str, heading_id: str) -> str:
    """The HTML of the dashboard section labelled by the heading `heading_id`."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', content, re.DOTALL
    )
    assert match, f"no section {heading_id!r} on the page"
    return match.group(0)


def get_dashboard(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_dashboard_url_is_named_dashboard():
    assert reverse("dashboard") == URL


def test_anonymous_user_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/dashboard/"


def test_overdue_next_step_is_shown_until_it_is_done(
    client, staff, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    step = NextStepFactory(
        title="Send the detailed report",
        city=CityFactory(name="Peshawar"),
        owner=UserFactory(username="bilal", first_name="Bilal", last_name="Ahmed"),
        due_date=today - datetime.timedelta(days=12),
    )
    NextStepFactory(title="Not due yet", due_date=today + datetime.timedelta(days=3))

    content = get_dashboard(client)
    overdue = section(content, "overdue-heading")

    assert content.index('id="overdue-heading"') < content.index('id="my-steps-heading"')
    assert "overdue border-danger" in overdue
    assert "1 overdue" in overdue
    assert "Send the detailed report" in overdue
    assert step.get_absolute_url() in overdue
    assert "Peshawar" in overdue
    assert "Bilal Ahmed" in overdue
    assert f'datetime="{step.due_date:%Y-%m-%d}"' in overdue
    assert "12 days overdue" in overdue
    assert "Not due yet" not in overdue

    with django_capture_on_commit_callbacks(execute=True):  # the committed change is seen
        next_step_set_status(
            actor=staff, next_step=step, status=NextStep.Status.DONE, note="Report sent."
        )

    overdue = section(get_dashboard(client), "overdue-heading")
    assert "Send the detailed report" not in overdue
    assert "badge-overdue" not in overdue
    assert "No next step is overdue." in overdue


def test_overdue_next_step_without_owner_says_nobody(client, staff):
    NextStepFactory(
        title="Unowned step", owner=None, due_date=timezone.localdate() - datetime.timedelta(1)
    )

    overdue = section(get_dashboard(client), "overdue-heading")

    assert "Unowned step" in overdue
    assert "owner: nobody" in overdue
    assert "1 day overdue" in overdue


def test_my_open_next_steps_lists_mine_only_with_overdue_flagged(client, staff):
    today = timezone.localdate()
    NextStepFactory(title="My late step", owner=staff, due_date=today - datetime.timedelta(1))
    NextStepFactory(title="My next step", owner=staff, due_date=today + datetime.timedelta(9))
    NextStepFactory(
        title="My finished step", owner=staff, status=NextStep.Status.DONE, completed_on=today
    )
    NextStepFactory(title="Someone else's step", due_date=today + datetime.timedelta(2))

    mine = section(get_dashboard(client), "my-steps-heading")

    assert "My late step" in mine
    assert "My next step" in mine
    assert mine.index("My late step") < mine.index("My next step")
    assert "Someone else&#x27;s step" not in mine
    assert "Someone else" not in mine
    assert "My finished step" not in mine
    assert mine.count("badge-overdue") == 1


def test_my_open_next_steps_empty_state(client, staff):
    assert "You own no open next step." in section(get_dashboard(client), "my-steps-heading")


def test_upcoming_workshops_shows_future_not_past(client, staff):
    today = timezone.localdate()
    quetta = CityFactory(name="Quetta")
    nowshera = CityFactory(name="Nowshera")
    WorkshopFactory(
        title="Next national workshop",
        start_date=today + datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=21),
        organiser=OrganisationFactory(name="Individualland"),
        cities=[quetta, nowshera],
    )
    WorkshopFactory(
        title="Last year's workshop",
        start_date=today - datetime.timedelta(days=300),
        end_date=today - datetime.timedelta(days=299),
    )

    upcoming = section(get_dashboard(client), "upcoming-heading")

    assert "Next national workshop" in upcoming
    assert "Individualland" in upcoming
    assert "Nowshera, Quetta" in upcoming
    assert "Last year" not in upcoming


def test_recent_consultations_latest_first(client, staff):
    today = timezone.localdate()
    ConsultationFactory(title="Meeting the mayor", city=CityFactory(name="Peshawar"), date=today)
    ConsultationFactory(title="Older meeting", date=today - datetime.timedelta(days=40))

    recent = section(get_dashboard(client), "consultations-heading")

    assert "Meeting the mayor" in recent
    assert "Peshawar" in recent
    assert recent.index("Meeting the mayor") < recent.index("Older meeting")


def test_city_never_contacted_is_listed_and_recently_consulted_is_not(client, staff):
    today = timezone.localdate()
    CityFactory(name="Never Visited")
    consulted = CityFactory(name="Recently Consulted")
    ConsultationFactory(city=consulted, date=today - datetime.timedelta(days=10))
    forgotten = CityFactory(name="Long Forgotten")
    ConsultationFactory(city=forgotten, date=today - datetime.timedelta(days=NO_CONTACT_DAYS + 30))

    quiet = section(get_dashboard(client), "quiet-heading")

    assert "Never Visited" in quiet
    assert "never contacted" in quiet
    assert "Long Forgotten" in quiet
    assert quiet.index("Never Visited") < quiet.index("Long Forgotten")
    assert "Recently Consulted" not in quiet


def test_chart_table_counts_consultations_and_workshops_per_quarter(client, staff):
    today = timezone.localdate()
    ConsultationFactory(date=today)
    ConsultationFactory(date=quarter_start(today))
    WorkshopFactory(start_date=quarter_start(today), end_date=quarter_start(today))
    label = f"Q{(today.month - 1) // 3 + 1} {today.year}"

    chart = section(get_dashboard(client), "chart-heading")

    assert "<svg" in chart
    assert 'role="img"' in chart
    assert "<title" in chart
    assert "style=" not in chart
    assert "<script" not in chart
    hidden_table = re.search(r'<div class="visually-hidden">\s*<table.*?</table>', chart, re.DOTALL)
    table = hidden_table.group(0)
    assert '<th scope="col">Consultations</th><th scope="col">Workshops</th>' in table
    assert re.search(rf'<th scope="row">{label}</th><td>2</td><td>1</td>', table)
    assert len(re.findall(r'<th scope="row">', table)) == 8


def test_chart_empty_state(client, staff):
    chart = section(get_dashboard(client), "chart-heading")

    assert "<svg" not in chart
    assert "No consultation or workshop is recorded yet." in chart


def test_engagement_per_quarter_falls_back_to_the_latest_activity(staff):
    ConsultationFactory(date=datetime.date(2017, 11, 2))
    ConsultationFactory(date=datetime.date(2017, 12, 20))
    WorkshopFactory(start_date=datetime.date(2017, 11, 1), end_date=datetime.date(2017, 11, 4))
    WorkshopFactory(start_date=datetime.date(2016, 3, 1), end_date=datetime.date(2016, 3, 1))

    quarters = engagement_per_quarter(user=staff, today=datetime.date(2026, 5, 1))

    assert [q.label for q in quarters] == [
        "Q1 2016", "Q2 2016", "Q3 2016", "Q4 2016", "Q1 2017", "Q2 2017", "Q3 2017", "Q4 2017",
    ]  # fmt: skip
    assert (quarters[-1].consultations, quarters[-1].workshops) == (2, 1)
    assert (quarters[0].consultations, quarters[0].workshops) == (0, 1)


def test_engagement_per_quarter_ends_with_the_current_quarter(staff):
    ConsultationFactory(date=datetime.date(2025, 8, 15))

    quarters = engagement_per_quarter(user=staff, today=datetime.date(2026, 1, 10))

    assert quarters[0].label == "Q2 2024"
    assert quarters[-1].label == "Q1 2026"
    assert [q.consultations for q in quarters] == [0, 0, 0, 0, 0, 1, 0, 0]


def test_engagement_per_quarter_makes_two_queries(staff):
    for day in (datetime.date(2017, 11, 2), datetime.date(2018, 2, 1), datetime.date(2018, 5, 1)):
        ConsultationFactory(date=day)
        WorkshopFactory(start_date=day, end_date=day)
    # the first call reads the user's roles (once per user object); count the second
    engagement_per_quarter(user=staff, today=datetime.date(2018, 6, 1))

    count, _ = count_queries(
        lambda: engagement_per_quarter(user=staff, today=datetime.date(2018, 6, 1))
    )

    assert count == 2


def test_quarter_chart_scales_bars_to_the_largest_value():
    from scn_portal.selectors import QuarterCount

    quarters = [
        QuarterCount(start=datetime.date(2017, 7, 1), consultations=0, workshops=1),
        QuarterCount(start=datetime.date(2017, 10, 1), consultations=3, workshops=1),
    ]

    chart = quarter_chart(quarters, [CONSULTATIONS, WORKSHOPS])

    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.value == 3
    assert tallest.y == chart.top
    assert [tick.value for tick in chart.ticks] == [0, 1, 2, 3]
    assert all(bar.y + bar.height == pytest.approx(chart.bottom) for bar in chart.bars)


def test_partner_editor_gets_a_dashboard_without_consultations(client):
    organisation = OrganisationFactory(name="Individualland")
    partner = make_user(roles.PARTNER_EDITOR)
    organisation.members.add(partner)
    today = timezone.localdate()
    ConsultationFactory(title="Confidential consultation", date=today)
    NextStepFactory(
        title="Partner's late step",
        responsible_organisation=organisation,
        due_date=today - datetime.timedelta(days=2),
    )
    NextStepFactory(title="Another organisation's step", due_date=today - datetime.timedelta(5))
    WorkshopFactory(
        title="Our workshop",
        organiser=organisation,
        is_published=False,
        start_date=today + datetime.timedelta(days=5),
        end_date=today + datetime.timedelta(days=5),
    )
    sign_in(client, partner)

    content = get_dashboard(client)

    assert "Partner&#x27;s late step" in section(content, "overdue-heading")
    assert "Another organisation" not in content
    assert "Our workshop" in section(content, "upcoming-heading")
    assert "Confidential consultation" not in content
    assert 'id="consultations-heading"' not in content
    assert 'id="quiet-heading"' not in content
    assert '<th scope="col">Consultations</th>' not in section(content, "chart-heading")


@pytest.mark.parametrize("role", [roles.PORTAL_ADMIN, roles.ISD_STAFF, roles.VIEWER])
def test_every_staff_role_sees_every_section(client, role):
    sign_in(client, make_user(role))
    ConsultationFactory(date=timezone.localdate())

    content = get_dashboard(client)

    assert "<title>Dashboard · " in content
    for heading in ("overdue", "my-steps", "upcoming", "consultations", "quiet", "chart"):
        assert f'id="{heading}-heading"' in content


def test_dashboard_query_count_does_not_grow_with_rows(
    client, staff, django_capture_on_commit_callbacks
):
    today = timezone.localdate()

    def build(n: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):  # cached figures move on
            build_rows(n)

    def build_rows(n: int) -> None:
        for i in range(n):
            cities = [CityFactory(), CityFactory()]
            ConsultationFactory(city=cities[0], date=today - datetime.timedelta(days=i * 30))
            WorkshopFactory(
                cities=cities,
                start_date=today + datetime.timedelta(days=i),
                end_date=today + datetime.timedelta(days=i),
            )
            WorkshopFactory(cities=cities)
            NextStepFactory(city=cities[1], owner=staff, due_date=today - datetime.timedelta(1))
            NextStepFactory(city=cities[0], due_date=today + datetime.timedelta(days=i))

    build(2)
    few = count_queries(lambda: client.get(URL))

    build(20)
    many = count_queries(lambda: client.get(URL))

    assert_queries_do_not_grow(few, many)
    # session (read; saved again at most once a minute), user, second-factor device,
    # permissions (2), roles; overdue steps and their count; my steps; upcoming workshops and
    # their cities; consultations; quiet cities and their count; the chart (2)
    sql = [query for query in many[1] if "SAVEPOINT" not in query]
    assert len(sql) <= 17, "\n".join(sql)


def test_cached_figures_are_kept_apart_per_scope(client, staff):
    """ISD staff's cached count includes a confidential consultation's overdue step; a
    viewer, served after them from the same cache, must get their own figures."""
    from django.test import Client

    from consultations.models import Consultation
    from tests.conftest import make_user_with_role
    from tests.factories import ConsultationFactory

    today = timezone.localdate()
    confidential = ConsultationFactory(confidentiality=Consultation.Confidentiality.CONFIDENTIAL)
    NextStepFactory(
        consultation=confidential, city=confidential.city, due_date=today - datetime.timedelta(3)
    )
    viewer = Client()
    sign_in(viewer, make_user_with_role("Viewer"))

    staff_view = section(get_dashboard(client), "overdue-heading")
    viewer_view = section(get_dashboard(viewer), "overdue-heading")

    assert "1 overdue" in staff_view
    assert "1 overdue" not in viewer_view
    assert "No next step is overdue." in viewer_view
