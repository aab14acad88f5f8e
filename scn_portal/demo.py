"""The demo data set, built from the seed report's facts (../shared/seed/).

Source: the SCN report "Building Effective Local Systems for Prevention in Pakistan" on the
capacity-building workshop of 1–4 November 2017. Facts the report does not give (officials'
names, exact consultation days, media headlines) are either left empty, described as "not
recorded", or invented and marked `is_sample=True` so that nobody mistakes them for real.

Loading is idempotent: each record is found by its natural key and only written when a value
differs, so a second run writes nothing (no new rows, no new history).
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cities.models import (
    City,
    Country,
    DevolvedPower,
    LocalMechanism,
    Official,
    Organisation,
    RegionalHub,
)
from consultations.models import Consultation, Finding, NextStep
from scn_portal import roles
from scn_portal.services import record_save, record_set_m2m, record_update
from workshops.models import MediaCoverage, Participation, Workshop, WorkshopSupport

REASON = "Demo data from the seed report"
WORKSHOP_SLUG = "pakistan-local-government-capacity-building-2017"
KP = "Khyber Pakhtunkhwa"
KP_LAWS = "Khyber Pakhtunkhwa provincial legislation of 2013 and 2015"
DEMO_MODELS = [
    RegionalHub, Country, City, DevolvedPower, LocalMechanism, Organisation, Official,
    Workshop, WorkshopSupport, Participation, MediaCoverage, Consultation, Finding, NextStep,
]  # fmt: skip


def _upsert(model: type[models.Model], lookup: dict[str, Any], **values: Any) -> Any:
    """Find a record by its natural key; create it, or bring its values up to date."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        return record_save(model(**lookup, **values), actor=roles.system_user(), reason=REASON)
    record_update(instance, actor=roles.system_user(), reason=REASON, **values)
    return instance


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load (or bring up to date) the demo data set; return the number of rows per model."""
    south_asia = _upsert(
        RegionalHub,
        {"slug": "south-asia"},
        name="South Asia",
        description="The SCN's regional hub for South Asia.",
    )
    pakistan = _upsert(Country, {"code": "PK"}, name="Pakistan")
    united_kingdom = _upsert(Country, {"code": "GB"}, name="United Kingdom")

    cities = _load_cities(pakistan, south_asia)
    organisations = _load_organisations(pakistan, united_kingdom)
    officials = _load_officials(cities, organisations)
    workshop = _load_workshop(cities, organisations, officials)
    _load_consultations(workshop, cities, officials, organisations)
    return {model._meta.label: model.objects.count() for model in DEMO_MODELS}


def _load_cities(pakistan: Country, hub: RegionalHub) -> dict[str, City]:
    common = {"country": pakistan, "hub": hub, "is_published": True}
    kp_profile = (
        "{name} is governed at the {level} level in Khyber Pakhtunkhwa (KP). "
        f"{KP_LAWS} devolved jurisdiction over education and health to city-district and "
        "district governments, and introduced reforms to reduce the politicisation of local "
        "police departments. Newly formed committees for Police-Community Liaison, Dispute "
        "Resolution and Public Safety can be used for the prevention of violent extremism."
    )
    peshawar = _upsert(
        City,
        {"slug": "peshawar"},
        name="Peshawar",
        name_local="پشاور",
        province=KP,
        latitude=Decimal("34.01500"),
        longitude=Decimal("71.57500"),
        membership_status=City.Membership.MEMBER,
        local_government_profile=kp_profile.format(name="Peshawar", level="city-district"),
        public_summary=(
            "Provincial capital of Khyber Pakhtunkhwa and an SCN member city. Its city-district "
            "government holds devolved powers over education and health."
        ),
        **common,
    )
    nowshera = _upsert(
        City,
        {"slug": "nowshera"},
        name="Nowshera",
        name_local="نوشہرہ",
        province=KP,
        latitude=Decimal("34.01530"),
        longitude=Decimal("71.98110"),
        membership_status=City.Membership.MEMBER,
        local_government_profile=kp_profile.format(name="Nowshera", level="district"),
        public_summary=(
            "An SCN member city in Khyber Pakhtunkhwa whose district government holds devolved "
            "powers over education and health."
        ),
        **common,
    )
    quetta = _upsert(
        City,
        {"slug": "quetta"},
        name="Quetta",
        name_local="کوئٹہ",
        province="Balochistan",
        latitude=Decimal("30.18440"),
        longitude=Decimal("67.00140"),
        membership_status=City.Membership.PROSPECTIVE,
        # The mayor asked to join during the workshop of 1–4 November 2017.
        membership_changed_on=datetime.date(2017, 11, 4),
        local_government_profile=(
            "Capital of Balochistan province. Balochistan has not seen the same provincial "
            "legislation as Khyber Pakhtunkhwa: Quetta's district government lacks many of the "
            "powers previously held at local government or district level, and its elected "
            "officials feel powerless to influence the dire security situation."
        ),
        public_summary=(
            "Provincial capital of Balochistan. Its mayor and a delegation expressed the city's "
            "wish to join the Strong Cities Network in November 2017."
        ),
        **common,
    )
    for city in (peshawar, nowshera):
        for area in (DevolvedPower.Area.EDUCATION, DevolvedPower.Area.HEALTH):
            _upsert(
                DevolvedPower,
                {"city": city, "area": area},
                legislation=KP_LAWS,
                notes=f"Jurisdiction devolved to the {city.name} (city-)district government.",
            )
        for name in (
            "Police-Community Liaison Committee",
            "Dispute Resolution Committee",
            "Public Safety Committee",
        ):
            _upsert(
                LocalMechanism,
                {"city": city, "name": name},
                kind=LocalMechanism.Kind.COMMITTEE,
                description=(
                    "Newly formed under KP's reforms; an existing structure that can be used "
                    "for the prevention of violent extremism."
                ),
                is_published=True,
            )
    return {"peshawar": peshawar, "nowshera": nowshera, "quetta": quetta}


def _load_organisations(pakistan: Country, united_kingdom: Country) -> dict[str, Organisation]:
    individualland = _upsert(
        Organisation,
        {"slug": "individualland"},
        name="Individualland",
        short_name="IL",
        kind=Organisation.Kind.PARTNER,
        country=pakistan,
        description="Pakistan-based NGO and SCN partner.",
        is_published=True,
    )
    embassy = _upsert(
        Organisation,
        {"slug": "us-embassy-islamabad-community-engagement-office"},
        name="US Embassy Islamabad, Community Engagement Office",
        short_name="CEO",
        kind=Organisation.Kind.FUNDER,
        country=pakistan,
        description="Supported the November 2017 capacity-building workshop.",
        is_published=True,
    )
    isd = _upsert(
        Organisation,
        {"slug": "isd"},
        name="Institute for Strategic Dialogue",
        short_name="ISD",
        kind=Organisation.Kind.ISD,
        country=united_kingdom,
        website="https://www.isdglobal.org/",
        description="Runs the Strong Cities Network: its central team and regional hubs.",
        is_published=True,
    )
    government = _upsert(
        Organisation,
        {"slug": "federal-government-of-pakistan"},
        name="Federal Government of Pakistan",
        kind=Organisation.Kind.GOVERNMENT,
        country=pakistan,
        description="Federal ministers attended the November 2017 workshop.",
        is_published=True,
    )
    return {"il": individualland, "embassy": embassy, "isd": isd, "government": government}


def _load_officials(
    cities: dict[str, City], organisations: dict[str, Organisation]
) -> dict[str, Official]:
    """The mayors the report names by office only, and invented district officials."""
    officials = {}
    for key, city in cities.items():
        officials[f"{key}-mayor"] = _upsert(
            Official,
            {"city": city, "name": f"Mayor of {city.name} (name not recorded)"},
            role_kind=Official.RoleKind.MAYOR,
            title="Mayor",
            notes="The seed report names the office, not the person.",
        )
        officials[f"{key}-district"] = _upsert(
            Official,
            {"city": city, "name": f"Sample district official, {city.name}"},
            role_kind=Official.RoleKind.DISTRICT_OFFICIAL,
            title="District official",
            email=f"district.official@{city.slug}.example",
            phone="+92 00 0000000",
            notes="Invented for the demo: the report mentions district officials, not who.",
            is_sample=True,
        )
    return officials


def _load_workshop(
    cities: dict[str, City],
    organisations: dict[str, Organisation],
    officials: dict[str, Official],
) -> Workshop:
    workshop = _upsert(
        Workshop,
        {"slug": WORKSHOP_SLUG},
        title="Capacity-building workshop for mayors and district officials",
        kind=Workshop.Kind.CAPACITY_BUILDING,
        start_date=datetime.date(2017, 11, 1),
        end_date=datetime.date(2017, 11, 4),
        organiser=organisations["il"],
        outcomes=(
            "The first opportunity for Peshawar and Nowshera, as SCN members, to meet and "
            "discuss the challenges they face and how the SCN can support them. ISD's SCN team "
            "conducted in-depth consultations with officials from all three cities. Quetta's "
            "mayor and delegation expressed their desire to join the SCN."
        ),
        public_summary=(
            "On 1-4 November 2017, Pakistan-based NGO and SCN partner Individualland convened "
            "a capacity-building workshop for mayors and district officials from Peshawar, "
            "Nowshera and Quetta, supported by US Embassy Islamabad's Community Engagement "
            "Office. The workshop was well attended, with high-level representation from "
            "federal ministers, mayors and the Strong Cities Network, and received extensive "
            "media coverage in English-language newspapers and on Urdu platforms."
        ),
        internal_notes="The seed report does not record the venue or the agenda.",
        is_published=True,
    )
    record_set_m2m(workshop, "cities", list(cities.values()), actor=roles.system_user())
    _upsert(
        WorkshopSupport,
        {"workshop": workshop, "organisation": organisations["embassy"]},
        role=WorkshopSupport.Role.SUPPORTER,
    )
    for key, city in cities.items():
        _upsert(
            Participation,
            {"workshop": workshop, "official": officials[f"{key}-mayor"]},
            role="Mayor",
            city=city,
            attendance=Participation.Attendance.ATTENDED,
            is_high_level=True,
        )
        _upsert(
            Participation,
            {"workshop": workshop, "official": officials[f"{key}-district"]},
            role="District official",
            city=city,
            attendance=Participation.Attendance.ATTENDED,
            is_sample=True,
        )
    _upsert(
        Participation,
        {"workshop": workshop, "official": None, "name": "Federal ministers (names not recorded)"},
        role="Federal minister",
        organisation=organisations["government"],
        attendance=Participation.Attendance.ATTENDED,
        is_high_level=True,
    )
    _upsert(
        Participation,
        {"workshop": workshop, "official": None, "name": "ISD Strong Cities Network team"},
        role="Consultations with the three cities",
        organisation=organisations["isd"],
        attendance=Participation.Attendance.ATTENDED,
        is_high_level=True,
    )
    for outlet, language, headline in (
        (
            "Sample English-language daily",
            MediaCoverage.Language.ENGLISH,
            "Sample headline: mayors of Peshawar, Nowshera and Quetta discuss local prevention",
        ),
        (
            "Sample Urdu news platform",
            MediaCoverage.Language.URDU,
            "نمونہ سرخی: پشاور، نوشہرہ اور کوئٹہ کے میئرز کی ورکشاپ",
        ),
    ):
        _upsert(
            MediaCoverage,
            {"workshop": workshop, "headline": headline},
            outlet_name=outlet,
            language=language,
            published_on=datetime.date(2017, 11, 4),
            is_sample=True,
        )
    return workshop


@dataclass(frozen=True)
class _ConsultationSpec:
    city: str
    findings: tuple[tuple[str, str], ...]


T = Finding.Theme
KP_FINDINGS = (
    (T.GOVERNANCE_CAPACITY, "There is significant scope for building local government "
     "capacity, particularly in Khyber Pakhtunkhwa province."),
    (T.LEGISLATION, f"{KP_LAWS} has devolved jurisdiction over education and health to the "
     "city-district and district government levels."),
    (T.POLICING, "The same legislation introduced reforms to reduce the politicisation of "
     "local police departments."),
    (T.MECHANISMS, "Existing mechanisms can be used for the prevention of violent extremism, "
     "including newly formed committees for Police-Community Liaison, Dispute Resolution and "
     "Public Safety."),
)  # fmt: skip
CONSULTATIONS = (
    _ConsultationSpec("peshawar", KP_FINDINGS),
    _ConsultationSpec("nowshera", KP_FINDINGS),
    _ConsultationSpec(
        "quetta",
        (
            (T.LEGISLATION, "Balochistan has not seen the same provincial legislation as "
             "Khyber Pakhtunkhwa: Quetta lacks many of the powers previously held at the local "
             "government or district level."),
            (T.NEEDS, "Quetta's elected district government officials are frustrated: they feel "
             "powerless to influence the security situation."),
            (T.SECURITY, "The security situation in Quetta is dire."),
            (T.NEEDS, "The mayor and the delegation expressed their desire to join the SCN and "
             "to receive support."),
        ),
    ),
)  # fmt: skip


def _load_consultations(
    workshop: Workshop,
    cities: dict[str, City],
    officials: dict[str, Official],
    organisations: dict[str, Organisation],
) -> None:
    for spec in CONSULTATIONS:
        city = cities[spec.city]
        consultation = _upsert(
            Consultation,
            {"workshop": workshop, "city": city},
            # The report dates the consultations to the workshop, not to a day.
            date=workshop.start_date,
            title=f"Consultation with {city.name} officials",
            summary=(
                f"ISD's SCN team met officials of {city.name} on the margin of the "
                "capacity-building workshop of 1-4 November 2017 (the report gives no exact "
                "day). A detailed report on the consultations was to follow."
            ),
            public_summary=f"ISD's SCN team held in-depth consultations with {city.name}.",
            confidentiality=Consultation.Confidentiality.PUBLISHED,
        )
        record_set_m2m(
            consultation,
            "officials",
            [officials[f"{spec.city}-mayor"], officials[f"{spec.city}-district"]],
            actor=roles.system_user(),
        )
        for position, (theme, text) in enumerate(spec.findings):
            _upsert(
                Finding,
                {"consultation": consultation, "position": position},
                theme=theme,
                text=text,
                is_published=True,
            )

    quetta_consultation = Consultation.objects.get(workshop=workshop, city=cities["quetta"])
    isd, il = organisations["isd"], organisations["il"]
    K = NextStep.Kind
    steps = (
        ("Produce the detailed report on the consultations", K.DETAILED_REPORT, isd,
         datetime.date(2017, 11, 30), "A detailed report on the consultations will be "
         "produced in the coming weeks (due date estimated from that)."),
        ("Outline domestic city exchanges in Pakistan", K.DOMESTIC_EXCHANGE, il, None,
         "The forthcoming full report is to outline a series of domestic exchanges."),
        ("Outline international city exchanges", K.INTERNATIONAL_EXCHANGE, isd, None,
         "The forthcoming full report is to outline a series of international exchanges."),
        ("National-level workshops on strengthening local government capabilities",
         K.NATIONAL_WORKSHOP, il, None,
         "National-level workshops, in close cooperation with Individualland."),
        ("Measures to strengthen prevention capacities", K.PREVENTION_CAPACITY, isd, None,
         "Measures to strengthen the cities' capacities for prevention."),
    )  # fmt: skip
    for title, kind, organisation, due, description in steps:
        _upsert(
            NextStep,
            {"workshop": workshop, "title": title},
            kind=kind,
            responsible_organisation=organisation,
            due_date=due,
            description=description,
            is_published=True,
        )
    _upsert(
        NextStep,
        {"consultation": quetta_consultation, "title": "Onboard Quetta as an SCN member"},
        kind=K.MEMBERSHIP_ONBOARDING,
        city=cities["quetta"],
        workshop=workshop,
        responsible_organisation=isd,
        description="The mayor and the delegation expressed their desire to join the SCN "
        "and to receive support.",
        is_published=True,
    )


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    organisation_slug: str
    # The key of the user's authenticator (TOTP): published, like the password, for local trials.
    totp_key: str
    is_superuser: bool = False
    is_staff: bool = False

    @property
    def totp_secret(self) -> str:
        """The key in base32, as an authenticator app asks for it."""
        return base64.b32encode(bytes.fromhex(self.totp_key)).decode()


DEMO_USERS = (
    DemoUser(
        "demo.admin", "scn-demo-admin-2017", roles.PORTAL_ADMIN, "isd",
        "5343e4e0000000000000000000000000000a0001", True, True,
    ),
    DemoUser(
        "demo.staff", "scn-demo-staff-2017", roles.ISD_STAFF, "isd",
        "5343e4e0000000000000000000000000000a0002", False, True,
    ),
    DemoUser(
        "demo.partner", "scn-demo-partner-2017", roles.PARTNER_EDITOR, "individualland",
        "5343e4e0000000000000000000000000000a0003",
    ),
)  # fmt: skip


@transaction.atomic
def load_demo_users() -> tuple[DemoUser, ...]:
    """One user per role, for local trials only (never in production: see load_demo)."""
    User = get_user_model()
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = User.objects.create_user(demo.username, password=demo.password)
        elif not user.check_password(demo.password):
            user.set_password(demo.password)
            user.save(update_fields=["password"])
        record_update(
            user,
            actor=roles.system_user(),
            is_staff=demo.is_staff,
            is_superuser=demo.is_superuser,
            first_name="Demo",
            last_name=demo.role,
        )
        record_set_m2m(
            user, "groups", [Group.objects.get(name=demo.role)], actor=roles.system_user()
        )
        TOTPDevice.objects.update_or_create(
            user=user,
            name="Demo authenticator",
            defaults={"key": demo.totp_key, "confirmed": True},
        )
        organisation = Organisation.objects.get(slug=demo.organisation_slug)
        if not organisation.members.filter(pk=user.pk).exists():
            # From the organisation's side, so that its history records the new member.
            organisation._history_user = roles.system_user()
            organisation.members.add(user)
    return DEMO_USERS
