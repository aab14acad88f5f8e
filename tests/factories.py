"""factory_boy factories for every model: tests build their data here."""

import datetime

import factory
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from cities.models import (
    City,
    Country,
    DevolvedPower,
    LocalMechanism,
    Official,
    Organisation,
    RegionalHub,
)
from consultations.models import Consultation, Finding, NextStep, ProgressUpdate
from scn_portal.models import ExportLog
from workshops.models import MediaCoverage, Participation, Workshop, WorkshopSupport


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Group {n}")


class RegionalHubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalHub
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Country {n}")
    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    country = factory.SubFactory(CountryFactory)
    hub = factory.SubFactory(RegionalHubFactory)
    province = "Province"
    membership_status = City.Membership.MEMBER
    is_published = True


class DevolvedPowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DevolvedPower

    city = factory.SubFactory(CityFactory)
    area = DevolvedPower.Area.EDUCATION
    legislation = "Local Government Act"


class LocalMechanismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalMechanism

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"Committee {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.PARTNER
    country = factory.SubFactory(CountryFactory)


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    name = factory.Sequence(lambda n: f"Official {n}")
    city = factory.SubFactory(CityFactory)
    role_kind = Official.RoleKind.DISTRICT_OFFICIAL
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"official{n}@example.org")


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Workshop {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    kind = Workshop.Kind.CAPACITY_BUILDING
    start_date = datetime.date(2017, 11, 1)
    end_date = datetime.date(2017, 11, 4)
    organiser = factory.SubFactory(OrganisationFactory)
    is_published = True

    @factory.post_generation
    def cities(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.cities.set(extracted)


class WorkshopSupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopSupport

    workshop = factory.SubFactory(WorkshopFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    workshop = factory.SubFactory(WorkshopFactory)
    official = factory.SubFactory(OfficialFactory)
    city = factory.SelfAttribute("official.city")
    organisation = factory.SubFactory(OrganisationFactory)
    role = "Participant"


class MediaCoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaCoverage

    workshop = factory.SubFactory(WorkshopFactory)
    outlet = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.MEDIA)
    language = MediaCoverage.Language.ENGLISH
    headline = factory.Sequence(lambda n: f"Headline {n}")
    published_on = datetime.date(2017, 11, 4)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    city = factory.SubFactory(CityFactory)
    date = datetime.date(2017, 11, 2)
    title = factory.Sequence(lambda n: f"Consultation {n}")
    summary = "What was discussed."

    @factory.post_generation
    def officials(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.officials.set(extracted)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    consultation = factory.SubFactory(ConsultationFactory)
    theme = Finding.Theme.GOVERNANCE_CAPACITY
    text = factory.Sequence(lambda n: f"Finding {n}")


class NextStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NextStep

    title = factory.Sequence(lambda n: f"Next step {n}")
    kind = NextStep.Kind.DETAILED_REPORT
    city = factory.SubFactory(CityFactory)
    owner = factory.SubFactory(UserFactory)
    responsible_organisation = factory.SubFactory(OrganisationFactory)
    due_date = datetime.date(2030, 1, 1)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    next_step = factory.SubFactory(NextStepFactory)
    author = factory.SubFactory(UserFactory)
    note = "Progress."


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLog

    username = factory.Sequence(lambda n: f"someone{n}")
    ip_address = "192.0.2.1"
    user_agent = "test"
    http_accept = "text/html"
    path_info = "/accounts/login/"


class AccessFailureLogFactory(AccessLogFactory):
    class Meta:
        model = AccessFailureLog


class AccessAttemptFactory(AccessLogFactory):
    class Meta:
        model = AccessAttempt

    get_data = ""
    post_data = "username=someone"
    failures_since_start = 1


class ExportLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportLog

    user = factory.SubFactory(UserFactory)
    export = "consultations"
    file_format = "csv"
    filters = factory.LazyFunction(lambda: {"city": ["1"]})
    row_count = 3


class TaskResultFactory(factory.django.DjangoModelFactory):
    """A row of the background worker's queue (django-tasks-db), as an enqueued export."""

    class Meta:
        model = DBTaskResult

    args_kwargs = factory.LazyFunction(lambda: {"args": ["job"], "kwargs": {}})
    task_path = "scn_portal.tasks.run_export_job"
    backend_name = "default"
    run_after = factory.LazyFunction(timezone.now)


FACTORY_FOR_MODEL = {
    factory_class._meta.model: factory_class
    for factory_class in [
        UserFactory,
        GroupFactory,
        RegionalHubFactory,
        CountryFactory,
        CityFactory,
        DevolvedPowerFactory,
        LocalMechanismFactory,
        OrganisationFactory,
        OfficialFactory,
        WorkshopFactory,
        WorkshopSupportFactory,
        ParticipationFactory,
        MediaCoverageFactory,
        ConsultationFactory,
        FindingFactory,
        NextStepFactory,
        ProgressUpdateFactory,
        TOTPDeviceFactory,
        AccessLogFactory,
        AccessFailureLogFactory,
        AccessAttemptFactory,
        ExportLogFactory,
        TaskResultFactory,
    ]
}
