import datetime

import pytest

from tests.conftest import make_user_with_role
from tests.factories import CityFactory, OrganisationFactory
from workshops.models import Workshop, WorkshopSupport
from workshops.services import workshop_create, workshop_update

pytestmark = pytest.mark.django_db


def test_creating_and_changing_a_workshop_leaves_history_with_the_actor():
    partner = make_user_with_role("ISD staff", username="author")
    staff = make_user_with_role("ISD staff", username="editor")
    peshawar, quetta = CityFactory(name="Peshawar"), CityFactory(name="Quetta")
    embassy = OrganisationFactory(name="US Embassy")

    workshop = workshop_create(
        actor=partner,
        title="Capacity-building workshop",
        slug="capacity-building",
        kind=Workshop.Kind.CAPACITY_BUILDING,
        start_date=datetime.date(2017, 11, 1),
        end_date=datetime.date(2017, 11, 4),
        organiser=OrganisationFactory(name="Individualland"),
        cities=[peshawar],
        supporters=[(embassy, WorkshopSupport.Role.SUPPORTER)],
    )
    workshop_update(actor=staff, workshop=workshop, venue="Islamabad", cities=[peshawar, quetta])

    rows = list(workshop.history.order_by("history_id"))
    assert rows[0].history_type == "+"
    assert rows[0].history_user == partner
    assert rows[-1].history_user == staff
    assert rows[-1].venue == "Islamabad"
    assert {row.city_id for row in rows[-1].cities.all()} == {peshawar.pk, quetta.pk}
    assert WorkshopSupport.history.get().history_user == partner
