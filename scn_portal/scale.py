"""Generated data at scale: realistic, internally consistent records to measure the portal by.

`generate_scale_data(scale=1)` creates 2,000 cities in 80 countries and 6 hubs, 20,000
officials, 500 organisations, 5,000 workshops with 100,000 participations and 20,000 media
items, 100,000 consultations with 300,000 findings and 200,000 next steps with their progress
updates, spread over the ten years ending today. Every count is `scale` times that (at least
one of each). Every row is marked `is_sample` and named so that nobody takes it for real
("Scale city 0042", "[Scale] ..."); each has its history row ("+", by a system user, dated
when the record was made), written in bulk like the records themselves.

The generator refuses a database that holds real records (`has_real_records`); the command's
`--force` overrides. It adds to earlier generated data rather than replacing it: names and
slugs continue from the highest number already used.

Random choices come from one `random.Random(seed)`: the same seed on the same day gives the
same data. They are not security-sensitive (`S311`).
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from cities.models import City, Country, Official, Organisation, RegionalHub
from consultations.models import Consultation, Finding, NextStep, ProgressUpdate
from scn_portal import roles
from scn_portal.models import PortalModel
from workshops.models import MediaCoverage, Participation, Workshop, WorkshopSupport

YEARS = 10
BATCH_SIZE = 2000
# Rows built and written at a time: bounds the memory the generator holds.
CHUNK = 10_000
SYSTEM_USERNAME = "scale-data-generator"
STAFF_USERNAME = "scale.staff.{:02d}"
PREFIX = "[Scale]"


# Reference data stops growing with the scale: there are about 200 countries in the world.
WORLD_LIMITS = {"hubs": 12, "countries": 200}


@dataclass(frozen=True)
class ScaleCounts:
    """How many rows of each kind the generator makes (scale 1 as the defaults)."""

    hubs: int = 6
    countries: int = 80
    cities: int = 2_000
    staff_users: int = 20
    organisations: int = 500
    officials: int = 20_000
    workshops: int = 5_000
    workshop_supports: int = 5_000
    participations: int = 100_000
    media_items: int = 20_000
    consultations: int = 100_000
    findings: int = 300_000
    next_steps: int = 200_000
    progress_updates: int = 200_000

    @classmethod
    def at(cls, scale: float) -> ScaleCounts:
        """Every count times `scale`, rounded, and never below one; hubs and countries stop
        where the world does (WORLD_LIMITS): at scale 10 there are more cities per country,
        not 800 countries."""
        if scale <= 0:
            raise ValueError("The scale must be positive.")
        base = cls()
        counts = {
            field.name: max(1, round(getattr(base, field.name) * scale)) for field in fields(cls)
        }
        for name, limit in WORLD_LIMITS.items():
            counts[name] = min(counts[name], limit)
        return cls(**counts)

    def as_dict(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


# Which model each count is about (for reports and tests).
COUNTED_MODELS: dict[str, type[models.Model]] = {
    "hubs": RegionalHub,
    "countries": Country,
    "cities": City,
    "organisations": Organisation,
    "officials": Official,
    "workshops": Workshop,
    "workshop_supports": WorkshopSupport,
    "participations": Participation,
    "media_items": MediaCoverage,
    "consultations": Consultation,
    "findings": Finding,
    "next_steps": NextStep,
    "progress_updates": ProgressUpdate,
}

_WORDS = (
    "water sanitation youth outreach schools police liaison committee council budget "
    "district training social cohesion women religious leaders mediation community trust "
    "hate speech online radicalisation prevention referral mental health sports cricket "
    "market traders elections devolution municipal services complaints helpline teachers "
    "curriculum dialogue interfaith refugees returnees livelihoods skills employment "
    "coordination planning monitoring data survey media journalists festival culture"
)
_FIRST_NAMES = (
    "Amina Bilal Sana Imran Fatima Usman Ayesha Hamza Zainab Tariq Nadia Kamran Hina "
    "Faisal Maria Omar Layla Yusuf Leila Ahmed Noor Ali Samira Karim Ines Pierre Grace "
    "Daniel"
)
_LAST_NAMES = (
    "Khan Ahmed Malik Hussain Qureshi Shah Butt Chaudhry Siddiqui Raza Haddad Mansour "
    "Okafor Mensah Dubois Martin Silva Costa Novak Petrov Jensen Larsen"
)
WORDS = tuple(_WORDS.split())
FIRST_NAMES = tuple(_FIRST_NAMES.split())
LAST_NAMES = tuple(_LAST_NAMES.split())


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights)[0]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words)).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(6, 14)) for _ in range(sentences))


def _person(rng: random.Random, number: int) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (scale {number})"


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """A time in the working day of `day`, in UTC."""
    return datetime.datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=datetime.UTC
    )


def has_real_records() -> list[str]:
    """The portal models that hold a record not marked as sample data (users aside)."""
    return [
        model._meta.label
        for model in apps.get_models()
        if issubclass(model, PortalModel) and model.objects.filter(is_sample=False).exists()
    ]


@contextmanager
def _stored_timestamps() -> Iterator[None]:
    """Let `created_at` and `updated_at` keep the dates given (ten years of history), not
    the moment of the insert: their `auto_now(_add)` is switched off while this runs."""
    switched = []
    for model in apps.get_models():
        if issubclass(model, PortalModel):
            for name in ("created_at", "updated_at"):
                field = model._meta.get_field(name)
                switched.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in switched:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _stamp(rng: random.Random, obj: PortalModel, day: datetime.date) -> PortalModel:
    obj.created_at = obj.updated_at = obj._history_date = _moment(rng, day)
    obj.is_sample = True
    return obj


class _Writer:
    """Bulk inserts with their history rows ("+", by the system user, dated at creation)."""

    def __init__(self, history_user: Any) -> None:
        self.history_user = history_user

    def insert(self, model: type[models.Model], objs: list[Any]) -> list[Any]:
        """Insert `objs` and their history rows; return the history rows (with their ids)."""
        if not objs:
            return []
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return model.history.bulk_history_create(
            objs, batch_size=BATCH_SIZE, default_user=self.history_user
        )

    @staticmethod
    def insert_links(
        model: type[models.Model],
        field_name: str,
        links: list[tuple[int, int]],
        history_rows: dict[int, Any],
    ) -> None:
        """Bulk-insert a many-to-many through table and its history (the links as they were
        when the record's "+" history row was written)."""
        field = model._meta.get_field(field_name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        rows = [through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in links]
        through.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        history_model = getattr(model.history.model, field_name).model
        history_model.objects.bulk_create(
            [
                history_model(
                    history=history_rows[getattr(row, f"{source}_id")],
                    id=row.pk,
                    **{
                        f"{source}_id": getattr(row, f"{source}_id"),
                        f"{target}_id": getattr(row, f"{target}_id"),
                    },
                )
                for row in rows
            ],
            batch_size=BATCH_SIZE,
        )


def _chunks(total: int) -> Iterator[range]:
    for start in range(0, total, CHUNK):
        yield range(start, min(start + CHUNK, total))


def _next_number(model: type[models.Model], field: str, prefix: str) -> int:
    """One more than the highest generated number in use (generated data is added to)."""
    values = model.objects.filter(**{f"{field}__startswith": prefix}).values_list(field, flat=True)
    numbers = [int(value.removeprefix(prefix).split("-")[0]) for value in values]
    return max(numbers, default=0) + 1


def _free_country_codes(count: int) -> list[str]:
    """Two-letter codes no country uses, the user-assigned ones (X?, Q?, ZZ...) first."""
    used = set(Country.objects.values_list("code", flat=True))
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    preferred = [f"X{b}" for b in letters] + [f"Q{b}" for b in letters[12:]] + ["AA", "ZZ"]
    every = preferred + [a + b for a, b in itertools.product(letters, letters)]
    free = [code for code in dict.fromkeys(every) if code not in used]
    if len(free) < count:
        raise ValueError("Not enough unused two-letter country codes for the generated data.")
    return free[:count]


def generate_scale_data(
    *, scale: float, seed: int = 1, today: datetime.date | None = None
) -> ScaleCounts:
    """Generate `ScaleCounts.at(scale)` records in one transaction; return the counts.

    The caller checks `has_real_records()` first (the command refuses unless forced).
    """
    counts = ScaleCounts.at(scale)
    generator = _Generator(counts=counts, seed=seed, today=today or timezone.localdate())
    with transaction.atomic(), _stored_timestamps():
        generator.run()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh statistics: after a bulk load the planner would otherwise believe the tables
        # nearly empty and pick plans a thousand times slower (seen: a 32 s dashboard). And
        # the visibility map, so index-only scans need not visit the table (what autovacuum
        # would do in time; it is off on some servers, this machine's among them).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return counts


class _Generator:
    def __init__(self, *, counts: ScaleCounts, seed: int, today: datetime.date) -> None:
        self.counts = counts
        self.rng = random.Random(seed)  # noqa: S311 - sample data, not security
        self.today = today
        self.first_day = today - datetime.timedelta(days=round(365.25 * YEARS) - 1)
        self.span = (today - self.first_day).days

    def day(self, start: datetime.date | None = None, end: datetime.date | None = None):
        start = start or self.first_day
        end = end or self.today
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def run(self) -> None:
        user_model = get_user_model()
        system, _ = user_model.objects.get_or_create(
            username=SYSTEM_USERNAME,
            defaults={"is_active": False, "first_name": "Scale data", "last_name": "generator"},
        )
        self.writer = _Writer(system)
        self.make_staff(user_model)
        self.make_reference()
        self.make_cities()
        self.make_organisations()
        self.make_officials()
        self.make_workshops()
        self.make_participations()
        self.make_media()
        self.make_consultations()
        self.make_findings()
        self.make_next_steps()

    # People and places --------------------------------------------------------------------

    def make_staff(self, user_model: type[Any]) -> None:
        first = _next_number(user_model, "username", "scale.staff.")
        staff = []
        for n in range(first, first + self.counts.staff_users):
            user = user_model(
                username=STAFF_USERNAME.format(n),
                first_name=self.rng.choice(FIRST_NAMES),
                last_name=f"{self.rng.choice(LAST_NAMES)} (scale)",
                email=f"scale.staff.{n}@example.invalid",
            )
            user.set_unusable_password()
            staff.append(user)
        user_model.objects.bulk_create(staff)
        group = Group.objects.get(name=roles.ISD_STAFF)
        group.user_set.through.objects.bulk_create(
            [group.user_set.through(user_id=user.pk, group_id=group.pk) for user in staff]
        )
        self.staff_ids = [user.pk for user in staff]

    def make_reference(self) -> None:
        first_hub = _next_number(RegionalHub, "slug", "scale-hub-")
        hubs = [
            _stamp(
                self.rng,
                RegionalHub(name=f"Scale hub {n}", slug=f"scale-hub-{n}"),
                self.first_day,
            )
            for n in range(first_hub, first_hub + self.counts.hubs)
        ]
        self.writer.insert(RegionalHub, hubs)
        first_country = Country.objects.filter(name__startswith="Scale country ").count() + 1
        codes = _free_country_codes(self.counts.countries)
        countries = [
            _stamp(
                self.rng,
                Country(name=f"Scale country {first_country + i:03d}", code=code),
                self.first_day,
            )
            for i, code in enumerate(codes)
        ]
        self.writer.insert(Country, countries)
        self.country_ids = [country.pk for country in countries]
        # A country belongs to one hub.
        self.hub_of_country = {
            country.pk: hubs[i % len(hubs)].pk for i, country in enumerate(countries)
        }

    def make_cities(self) -> None:
        rng = self.rng
        first = _next_number(City, "slug", "scale-city-")
        cities = []
        for n in range(first, first + self.counts.cities):
            country = rng.choice(self.country_ids)
            membership = _weighted(
                rng,
                [
                    (City.Membership.MEMBER, 40),
                    (City.Membership.PROSPECTIVE, 20),
                    (City.Membership.FORMER, 10),
                    (City.Membership.NONE, 30),
                ],
            )
            published = rng.random() < (0.8 if membership == City.Membership.MEMBER else 0.2)
            cities.append(
                _stamp(
                    rng,
                    City(
                        name=f"Scale city {n:04d}",
                        slug=f"scale-city-{n:04d}",
                        country_id=country,
                        province=f"Scale province {rng.randint(1, 12)}",
                        hub_id=self.hub_of_country[country],
                        population=rng.randint(20_000, 12_000_000),
                        population_year=rng.randint(2012, self.today.year),
                        latitude=Decimal(rng.randint(-6000000, 6000000)) / 100_000,
                        longitude=Decimal(rng.randint(-17000000, 17000000)) / 100_000,
                        membership_status=membership,
                        membership_changed_on=self.day(),
                        local_government_profile=_paragraph(rng, 2),
                        public_summary=_paragraph(rng, 2) if published else "",
                        is_published=published,
                    ),
                    self.first_day,
                )
            )
        self.writer.insert(City, cities)
        self.city_ids = [city.pk for city in cities]
        self.city_names = {city.pk: city.name for city in cities}
        # Engagement is uneven: a city's weight falls with its rank (the first is busiest).
        weights = [1 / (rank + 1) ** 0.5 for rank in range(len(cities))]
        self.city_weights = list(itertools.accumulate(weights))

    def busy_cities(self, k: int) -> list[int]:
        return self.rng.choices(self.city_ids, cum_weights=self.city_weights, k=k)

    def make_organisations(self) -> None:
        rng = self.rng
        first = _next_number(Organisation, "slug", "scale-organisation-")
        organisations = []
        for n in range(first, first + self.counts.organisations):
            kind = _weighted(
                rng,
                [
                    (Organisation.Kind.GOVERNMENT, 35),
                    (Organisation.Kind.PARTNER, 25),
                    (Organisation.Kind.MEDIA, 20),
                    (Organisation.Kind.FUNDER, 10),
                    (Organisation.Kind.OTHER, 8),
                    (Organisation.Kind.ISD, 2),
                ],
            )
            organisations.append(
                _stamp(
                    rng,
                    Organisation(
                        name=f"Scale organisation {n:04d}",
                        short_name=f"SO{n}",
                        slug=f"scale-organisation-{n:04d}",
                        kind=kind,
                        country_id=rng.choice(self.country_ids) if rng.random() < 0.8 else None,
                        website=f"https://scale-organisation-{n}.example.invalid/",
                        description=_paragraph(rng, 1),
                        is_published=rng.random() < 0.4,
                    ),
                    self.day(end=self.first_day + datetime.timedelta(days=365)),
                )
            )
        self.writer.insert(Organisation, organisations)
        self.organisation_ids = [o.pk for o in organisations]
        by_kind = defaultdict(list)
        for organisation in organisations:
            by_kind[organisation.kind].append(organisation.pk)
        self.government_ids = by_kind[Organisation.Kind.GOVERNMENT]
        self.media_ids = by_kind[Organisation.Kind.MEDIA]
        self.organiser_ids = (
            by_kind[Organisation.Kind.PARTNER] + by_kind[Organisation.Kind.ISD]
        ) or self.organisation_ids

    def make_officials(self) -> None:
        rng = self.rng
        first = Official.objects.filter(name__contains="(scale ").count() + 1
        self.officials_of_city: dict[int, list[int]] = defaultdict(list)
        self.official_info: dict[int, tuple[int, int | None, bool]] = {}
        for chunk in _chunks(self.counts.officials):
            officials = []
            for city, _ in zip(self.busy_cities(len(chunk)), chunk, strict=True):
                role = _weighted(
                    rng,
                    [
                        (Official.RoleKind.COUNCILLOR, 40),
                        (Official.RoleKind.CIVIL_SERVANT, 20),
                        (Official.RoleKind.DISTRICT_OFFICIAL, 15),
                        (Official.RoleKind.POLICE, 10),
                        (Official.RoleKind.MAYOR, 5),
                        (Official.RoleKind.DEPUTY_MAYOR, 5),
                        (Official.RoleKind.OTHER, 5),
                    ],
                )
                term_start = self.day()
                term_end = (
                    term_start + datetime.timedelta(days=rng.randint(365, 5 * 365))
                    if rng.random() < 0.7
                    else None
                )
                consent = rng.random() < 0.3
                number = first + len(self.official_info) + len(officials)
                officials.append(
                    _stamp(
                        rng,
                        Official(
                            name=_person(rng, number),
                            city_id=city,
                            role_kind=role,
                            title=str(Official.RoleKind(role).label),
                            organisation_id=rng.choice(self.government_ids)
                            if self.government_ids and rng.random() < 0.5
                            else None,
                            gender=_weighted(
                                rng,
                                [
                                    (Official.Gender.MALE, 55),
                                    (Official.Gender.FEMALE, 35),
                                    (Official.Gender.OTHER, 2),
                                    (Official.Gender.UNKNOWN, 8),
                                ],
                            ),
                            term_start=term_start,
                            term_end=term_end,
                            email=f"official.{number}@example.invalid",
                            phone=f"+00 555 {number:07d}",
                            consent_to_be_named=consent,
                            consent_recorded_on=term_start if consent else None,
                            notes=_sentence(rng, 8),
                        ),
                        term_start,
                    )
                )
            self.writer.insert(Official, officials)
            for official in officials:
                self.officials_of_city[official.city_id].append(official.pk)
                self.official_info[official.pk] = (
                    official.city_id,
                    official.organisation_id,
                    official.role_kind == Official.RoleKind.MAYOR,
                )

    # Workshops ----------------------------------------------------------------------------

    def make_workshops(self) -> None:
        rng = self.rng
        first = _next_number(Workshop, "slug", "scale-workshop-")
        self.workshops: list[tuple[int, datetime.date, datetime.date, list[int]]] = []
        self.past_workshops_of_city: dict[int, list[int]] = defaultdict(list)
        for chunk in _chunks(self.counts.workshops):
            workshops, cities_of = [], []
            for n in chunk:
                kind = _weighted(
                    rng,
                    [
                        (Workshop.Kind.CAPACITY_BUILDING, 45),
                        (Workshop.Kind.NATIONAL_WORKSHOP, 20),
                        (Workshop.Kind.DOMESTIC_EXCHANGE, 15),
                        (Workshop.Kind.INTERNATIONAL_EXCHANGE, 10),
                        (Workshop.Kind.SUMMIT, 3),
                        (Workshop.Kind.OTHER, 7),
                    ],
                )
                # A few are still to come (the next three months).
                if rng.random() < 0.03:
                    start = self.day(self.today, self.today + datetime.timedelta(days=90))
                else:
                    start = self.day()
                end = start + datetime.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
                size = rng.choice((1, 1, 1, 2, 2, 3)) + (
                    1 if kind == Workshop.Kind.INTERNATIONAL_EXCHANGE else 0
                )
                cities = list(dict.fromkeys(self.busy_cities(size)))
                number = first + n
                published = start <= self.today and rng.random() < 0.6
                workshops.append(
                    _stamp(
                        rng,
                        Workshop(
                            title=f"{PREFIX} {Workshop.Kind(kind).label} {number:05d} in "
                            f"{self.city_names[cities[0]]}",
                            slug=f"scale-workshop-{number:05d}",
                            kind=kind,
                            start_date=start,
                            end_date=end,
                            venue=f"Scale venue, {self.city_names[cities[0]]}",
                            organiser_id=rng.choice(self.organiser_ids),
                            agenda=_paragraph(rng, 2),
                            outcomes=_paragraph(rng, 2) if end <= self.today else "",
                            public_summary=_paragraph(rng, 2) if published else "",
                            internal_notes=_sentence(rng, 10),
                            is_published=published,
                        ),
                        min(start - datetime.timedelta(days=rng.randint(10, 60)), self.today),
                    )
                )
                cities_of.append(cities)
            history = {row.id: row for row in self.writer.insert(Workshop, workshops)}
            links = []
            for workshop, cities in zip(workshops, cities_of, strict=True):
                links += [(workshop.pk, city) for city in cities]
                self.workshops.append((workshop.pk, workshop.start_date, workshop.end_date, cities))
                if workshop.start_date <= self.today:
                    for city in cities:
                        self.past_workshops_of_city[city].append(workshop.pk)
            self.writer.insert_links(Workshop, "cities", links, history)
            self.make_supports(workshops)

    def make_supports(self, workshops: list[Workshop]) -> None:
        """One supporter or funder per workshop (the counts keep one per workshop)."""
        rng = self.rng
        supports = []
        for workshop in workshops:
            organisation = rng.choice(self.organisation_ids)
            if organisation == workshop.organiser_id and len(self.organisation_ids) > 1:
                organisation = next(o for o in self.organisation_ids if o != organisation)
            supports.append(
                _stamp(
                    rng,
                    WorkshopSupport(
                        workshop_id=workshop.pk,
                        organisation_id=organisation,
                        role=_weighted(
                            rng,
                            [
                                (WorkshopSupport.Role.SUPPORTER, 50),
                                (WorkshopSupport.Role.FUNDER, 35),
                                (WorkshopSupport.Role.CO_ORGANISER, 15),
                            ],
                        ),
                    ),
                    workshop.created_at.date(),
                )
            )
        self.writer.insert(WorkshopSupport, supports)

    def _spread(self, total: int, parents: int) -> list[int]:
        """`total` children over `parents`, at random: how many each parent gets."""
        shares = [0] * parents
        for index in self.rng.choices(range(parents), k=total):
            shares[index] += 1
        return shares

    def make_participations(self) -> None:
        """Officials of the workshop's cities (one participation each per workshop), then
        named guests when the cities have too few officials."""
        rng = self.rng
        shares = self._spread(self.counts.participations, len(self.workshops))
        batch: list[Participation] = []
        for (workshop, start, _end, cities), share in zip(self.workshops, shares, strict=True):
            candidates = [o for city in cities for o in self.officials_of_city[city]]
            officials = rng.sample(candidates, min(len(candidates), round(share * 0.85)))
            upcoming = start > self.today
            for n in range(share):
                attendance = (
                    Participation.Attendance.INVITED
                    if upcoming
                    else _weighted(
                        rng,
                        [
                            (Participation.Attendance.ATTENDED, 75),
                            (Participation.Attendance.PARTLY, 10),
                            (Participation.Attendance.ABSENT, 10),
                            (Participation.Attendance.INVITED, 5),
                        ],
                    )
                )
                if n < len(officials):
                    city, organisation, is_mayor = self.official_info[officials[n]]
                    participation = Participation(
                        workshop_id=workshop,
                        official_id=officials[n],
                        city_id=city,
                        organisation_id=organisation,
                        role=_weighted(rng, [("Participant", 80), ("Speaker", 15), ("Chair", 5)]),
                        attendance=attendance,
                        is_high_level=is_mayor,
                    )
                else:
                    participation = Participation(
                        workshop_id=workshop,
                        name=f"Scale guest {n + 1} of workshop {workshop}",
                        role=_weighted(rng, [("Guest", 70), ("Minister", 10), ("Expert", 20)]),
                        organisation_id=rng.choice(self.organisation_ids),
                        city_id=rng.choice(cities),
                        attendance=attendance,
                        is_high_level=rng.random() < 0.1,
                    )
                created = min(start - datetime.timedelta(days=rng.randint(1, 20)), self.today)
                batch.append(_stamp(rng, participation, created))
            if len(batch) >= CHUNK:
                self.writer.insert(Participation, batch)
                batch = []
        self.writer.insert(Participation, batch)

    def make_media(self) -> None:
        rng = self.rng
        past = [w for w in self.workshops if w[1] <= self.today] or self.workshops
        for chunk in _chunks(self.counts.media_items):
            items = []
            for n in chunk:
                workshop, _start, end, _cities = rng.choice(past)
                published_on = min(end + datetime.timedelta(days=rng.randint(0, 14)), self.today)
                outlet = (
                    rng.choice(self.media_ids) if self.media_ids and rng.random() < 0.7 else None
                )
                items.append(
                    _stamp(
                        rng,
                        MediaCoverage(
                            workshop_id=workshop,
                            outlet_id=outlet,
                            outlet_name="" if outlet else f"Scale outlet {rng.randint(1, 300)}",
                            language=_weighted(
                                rng,
                                [
                                    (MediaCoverage.Language.ENGLISH, 45),
                                    (MediaCoverage.Language.URDU, 25),
                                    (MediaCoverage.Language.ARABIC, 10),
                                    (MediaCoverage.Language.FRENCH, 10),
                                    (MediaCoverage.Language.PASHTO, 5),
                                    (MediaCoverage.Language.OTHER, 5),
                                ],
                            ),
                            headline=f"{PREFIX} {_sentence(rng, 7)} ({n + 1})",
                            url=f"https://news.example.invalid/scale/{workshop}/{n + 1}",
                            published_on=published_on,
                            is_published=rng.random() < 0.8,
                        ),
                        published_on,
                    )
                )
            self.writer.insert(MediaCoverage, items)

    # Consultations ------------------------------------------------------------------------

    def make_consultations(self) -> None:
        rng = self.rng
        first = Consultation.objects.filter(title__startswith=PREFIX).count() + 1
        self.consultations: list[tuple[int, int, datetime.date, str]] = []
        workshop_dates = {w[0]: w[1] for w in self.workshops}
        for chunk in _chunks(self.counts.consultations):
            consultations = []
            for city, n in zip(self.busy_cities(len(chunk)), chunk, strict=True):
                nearby = self.past_workshops_of_city.get(city)
                workshop = rng.choice(nearby) if nearby and rng.random() < 0.2 else None
                date = workshop_dates[workshop] if workshop else self.day()
                confidentiality = _weighted(
                    rng,
                    [
                        (Consultation.Confidentiality.INTERNAL, 50),
                        (Consultation.Confidentiality.CONFIDENTIAL, 30),
                        (Consultation.Confidentiality.PUBLISHED, 20),
                    ],
                )
                published = confidentiality == Consultation.Confidentiality.PUBLISHED
                consultations.append(
                    _stamp(
                        rng,
                        Consultation(
                            city_id=city,
                            workshop_id=workshop,
                            date=date,
                            title=f"{PREFIX} Consultation {first + n:06d} in "
                            f"{self.city_names[city]}",
                            summary=_paragraph(rng, 3),
                            public_summary=_paragraph(rng, 1) if published else "",
                            confidentiality=confidentiality,
                            created_by_id=rng.choice(self.staff_ids),
                        ),
                        date,
                    )
                )
            history = {row.id: row for row in self.writer.insert(Consultation, consultations)}
            officials, team = [], []
            for consultation in consultations:
                candidates = self.officials_of_city.get(consultation.city_id, [])
                met = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
                officials += [(consultation.pk, official) for official in met]
                members = rng.sample(self.staff_ids, min(len(self.staff_ids), rng.randint(1, 2)))
                team += [(consultation.pk, member) for member in members]
                self.consultations.append(
                    (
                        consultation.pk,
                        consultation.city_id,
                        consultation.date,
                        consultation.confidentiality,
                    )
                )
            self.writer.insert_links(Consultation, "officials", officials, history)
            self.writer.insert_links(Consultation, "team_members", team, history)

    def make_findings(self) -> None:
        rng = self.rng
        shares = self._spread(self.counts.findings, len(self.consultations))
        batch: list[Finding] = []
        for (consultation, _, date, confidentiality), share in zip(
            self.consultations, shares, strict=True
        ):
            published = confidentiality == Consultation.Confidentiality.PUBLISHED
            for position in range(share):
                finding = Finding(
                    consultation_id=consultation,
                    theme=_weighted(
                        rng,
                        [
                            (Finding.Theme.NEEDS, 25),
                            (Finding.Theme.GOVERNANCE_CAPACITY, 20),
                            (Finding.Theme.MECHANISMS, 15),
                            (Finding.Theme.POLICING, 12),
                            (Finding.Theme.SECURITY, 12),
                            (Finding.Theme.LEGISLATION, 10),
                            (Finding.Theme.OTHER, 6),
                        ],
                    ),
                    text=_paragraph(rng, 2),
                    is_published=published and rng.random() < 0.7,
                    position=position,
                )
                batch.append(_stamp(rng, finding, date))
            if len(batch) >= CHUNK:
                self.writer.insert(Finding, batch)
                batch = []
        self.writer.insert(Finding, batch)

    def make_next_steps(self) -> None:
        """From a consultation (70%), a workshop (20%) or a city (10%); due two weeks to six
        months later; the older, the likelier done. Some open ones are overdue."""
        rng = self.rng
        today = self.today
        for chunk in _chunks(self.counts.next_steps):
            steps = []
            for n in chunk:
                origin = rng.random()
                consultation = workshop = None
                if origin < 0.7:
                    consultation, city, created, _ = rng.choice(self.consultations)
                elif origin < 0.9:
                    workshop, created, _, cities = rng.choice(self.workshops)
                    city = cities[0] if rng.random() < 0.8 else None
                else:
                    city, created = self.busy_cities(1)[0], self.day()
                created = min(created, today)
                due = created + datetime.timedelta(days=rng.randint(14, 180))
                age = (today - due).days
                if age < 0:
                    status = _weighted(
                        rng,
                        [
                            (NextStep.Status.OPEN, 50),
                            (NextStep.Status.IN_PROGRESS, 35),
                            (NextStep.Status.BLOCKED, 5),
                            (NextStep.Status.DONE, 10),
                        ],
                    )
                else:
                    still_open = 0.5 if age < 90 else 0.06
                    status = _weighted(
                        rng,
                        [
                            (NextStep.Status.OPEN, still_open * 0.5),
                            (NextStep.Status.IN_PROGRESS, still_open * 0.35),
                            (NextStep.Status.BLOCKED, still_open * 0.15),
                            (NextStep.Status.DONE, (1 - still_open) * 0.92),
                            (NextStep.Status.CANCELLED, (1 - still_open) * 0.08),
                        ],
                    )
                completed = (
                    self.day(created, min(today, due + datetime.timedelta(days=60)))
                    if status == NextStep.Status.DONE
                    else None
                )
                kind = _weighted(
                    rng,
                    [
                        (NextStep.Kind.PREVENTION_CAPACITY, 30),
                        (NextStep.Kind.DETAILED_REPORT, 20),
                        (NextStep.Kind.NATIONAL_WORKSHOP, 12),
                        (NextStep.Kind.DOMESTIC_EXCHANGE, 12),
                        (NextStep.Kind.INTERNATIONAL_EXCHANGE, 8),
                        (NextStep.Kind.MEMBERSHIP_ONBOARDING, 8),
                        (NextStep.Kind.OTHER, 10),
                    ],
                )
                step = _stamp(
                    rng,
                    NextStep(
                        title=f"{PREFIX} {NextStep.Kind(kind).label} {n + 1:06d}: "
                        f"{_sentence(rng, 4)}",
                        kind=kind,
                        description=_paragraph(rng, 1),
                        consultation_id=consultation,
                        workshop_id=workshop,
                        city_id=city,
                        owner_id=rng.choice(self.staff_ids) if rng.random() < 0.9 else None,
                        responsible_organisation_id=rng.choice(self.organisation_ids)
                        if rng.random() < 0.4
                        else None,
                        due_date=due,
                        status=status,
                        completed_on=completed,
                        is_published=rng.random() < 0.2,
                    ),
                    created,
                )
                step.updated_at = _moment(rng, completed) if completed else step.created_at
                steps.append(step)
            self.writer.insert(NextStep, steps)
            self.make_updates(steps, chunk)

    def make_updates(self, steps: list[NextStep], chunk: range) -> None:
        """The progress updates of a chunk of next steps, its share of the total (exactly the
        total over all chunks)."""
        rng = self.rng
        per_step = self.counts.progress_updates / self.counts.next_steps
        total = round(per_step * chunk.stop) - round(per_step * chunk.start)
        updates = []
        for step in rng.choices(steps, k=total):
            created = step.created_at.date()
            last = step.completed_on or self.today
            date = self.day(created, last)
            status = (
                step.status
                if date == last and step.status != NextStep.Status.OPEN
                else _weighted(
                    rng,
                    [(NextStep.Status.IN_PROGRESS, 70), (NextStep.Status.BLOCKED, 10), ("", 20)],
                )
            )
            updates.append(
                _stamp(
                    rng,
                    ProgressUpdate(
                        next_step_id=step.pk,
                        date=date,
                        author_id=step.owner_id or rng.choice(self.staff_ids),
                        status=status,
                        note=_paragraph(rng, 1),
                    ),
                    date,
                )
            )
        self.writer.insert(ProgressUpdate, updates)
