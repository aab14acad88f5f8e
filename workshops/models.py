"""Workshops and other events: who organised them, who took part, who wrote about them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cities.models import City, Official, Organisation
from scn_portal import roles
from scn_portal.models import PortalModel


class WorkshopQuerySet(models.QuerySet):
    def published(self) -> WorkshopQuerySet:
        return self.filter(is_published=True)

    def for_user(self, user: roles.User) -> WorkshopQuerySet:
        """Staff and viewers: all. Partners: their organisations' (organised or supported),
        plus the published ones. Public: the published ones."""
        if roles.can_read_internal(user):
            return self
        return self.filter(Q(is_published=True) | Q(pk__in=self.editable_by_ids(user)))

    def editable_by(self, user: roles.User) -> WorkshopQuerySet:
        """The workshops a user may change: ISD staff all, partners their organisations'."""
        if roles.is_isd_staff(user):
            return self
        return self.filter(pk__in=self.editable_by_ids(user))

    @staticmethod
    def editable_by_ids(user: roles.User) -> models.QuerySet:
        """Subquery of the workshops a partner's organisations organise or support.

        A `pk__in` subquery, not an OR across the supporters join, which would duplicate rows.
        """
        organisations = roles.partner_organisation_ids(user)
        return Workshop.objects.filter(
            Q(organiser__in=organisations) | Q(supports__organisation__in=organisations)
        ).values("pk")


class Workshop(PortalModel):
    class Kind(models.TextChoices):
        CAPACITY_BUILDING = "capacity_building", "Capacity-building workshop"
        NATIONAL_WORKSHOP = "national_workshop", "National workshop"
        DOMESTIC_EXCHANGE = "domestic_exchange", "Domestic city exchange"
        INTERNATIONAL_EXCHANGE = "international_exchange", "International city exchange"
        SUMMIT = "summit", "Summit"
        OTHER = "other", "Other event"

    title = models.CharField("title", max_length=255)
    slug = models.SlugField("slug", max_length=255, unique=True)
    kind = models.CharField("kind", max_length=30, choices=Kind, db_index=True)
    start_date = models.DateField("starts on")
    end_date = models.DateField("ends on")
    venue = models.CharField(
        "venue", max_length=255, blank=True, help_text="Place and town, e.g. a hotel in Islamabad."
    )
    organiser = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="organised_workshops",
        verbose_name="organiser",
        help_text="The organisation that convened it; its partner editors may edit it.",
    )
    supporters = models.ManyToManyField(
        Organisation,
        through="WorkshopSupport",
        related_name="supported_workshops",
        verbose_name="supporters and funders",
        blank=True,
    )
    cities = models.ManyToManyField(
        City, related_name="workshops", verbose_name="cities involved", blank=True
    )
    agenda = models.TextField("agenda", blank=True)
    outcomes = models.TextField("outcomes", blank=True)
    public_summary = models.TextField(
        "public summary", blank=True, help_text="Shown on the public site once published."
    )
    internal_notes = models.TextField(
        "internal notes", blank=True, help_text="Never shown outside ISD."
    )
    is_published = models.BooleanField(
        "published",
        default=False,
        help_text="Show this workshop, its summary and outcomes on the public site.",
    )

    objects = WorkshopQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[cities])

    # Who a workshop belongs to, whether it is public and ISD's notes: ISD staff decide these.
    STAFF_ONLY_FIELDS = frozenset({"organiser", "is_published", "internal_notes"})

    class Meta:
        verbose_name = "workshop"
        verbose_name_plural = "workshops"
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="workshop_ends_on_or_after_start",
                violation_error_message="A workshop must end on or after the day it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["-start_date", "title"], name="workshop_start_idx"),
            models.Index(fields=["is_published", "-start_date"], name="workshop_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:workshop_detail", args=[self.slug])


class WorkshopSupportQuerySet(models.QuerySet):
    def for_user(self, user: roles.User) -> WorkshopSupportQuerySet:
        return self.filter(workshop__in=Workshop.objects.for_user(user).values("pk"))


class WorkshopSupport(PortalModel):
    """An organisation supporting or funding a workshop."""

    class Role(models.TextChoices):
        SUPPORTER = "supporter", "Supporter"
        FUNDER = "funder", "Funder"
        CO_ORGANISER = "co_organiser", "Co-organiser"

    workshop = models.ForeignKey(
        Workshop, models.CASCADE, related_name="supports", verbose_name="workshop"
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="workshop_supports", verbose_name="organisation"
    )
    role = models.CharField("role", max_length=20, choices=Role, default=Role.SUPPORTER)

    objects = WorkshopSupportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "supporter"
        verbose_name_plural = "supporters and funders"
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "organisation"],
                name="workshop_support_unique",
                violation_error_message="This organisation is already listed for the workshop.",
            )
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class ParticipationQuerySet(models.QuerySet):
    def for_user(self, user: roles.User) -> ParticipationQuerySet:
        return self.filter(workshop__in=Workshop.objects.for_user(user).values("pk"))


class Participation(PortalModel):
    """Someone invited to or attending a workshop: an official, or a guest named here."""

    class Attendance(models.TextChoices):
        INVITED = "invited", "Invited"
        ATTENDED = "attended", "Attended"
        PARTLY = "partly", "Attended in part"
        ABSENT = "absent", "Did not attend"

    workshop = models.ForeignKey(
        Workshop, models.CASCADE, related_name="participations", verbose_name="workshop"
    )
    official = models.ForeignKey(
        Official,
        models.PROTECT,
        related_name="participations",
        verbose_name="official",
        null=True,
        blank=True,
        help_text="Pick the official if they are on record; otherwise type a name.",
    )
    name = models.CharField(
        "name",
        max_length=200,
        blank=True,
        help_text="For participants who are not city officials, e.g. a federal minister.",
    )
    role = models.CharField("role at the event", max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="participations",
        verbose_name="organisation",
        null=True,
        blank=True,
    )
    city = models.ForeignKey(
        City,
        models.PROTECT,
        related_name="participations",
        verbose_name="city represented",
        null=True,
        blank=True,
    )
    attendance = models.CharField(
        "attendance", max_length=20, choices=Attendance, default=Attendance.ATTENDED
    )
    is_high_level = models.BooleanField(
        "high-level guest", default=False, help_text="e.g. a federal minister or mayor."
    )

    objects = ParticipationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "participation"
        verbose_name_plural = "participants"
        ordering = ["workshop", "-is_high_level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(official__isnull=False) | ~Q(name=""),
                name="participation_has_person",
                violation_error_message="Pick an official or type the participant's name.",
            ),
            models.UniqueConstraint(
                fields=["workshop", "official"],
                condition=Q(official__isnull=False),
                name="participation_unique_official",
                violation_error_message="This official is already a participant of the workshop.",
            ),
            models.UniqueConstraint(
                fields=["workshop", "name"],
                condition=Q(official__isnull=True),
                name="participation_unique_guest",
                violation_error_message="A participant of that name is already listed.",
            ),
        ]

    def __str__(self) -> str:
        return self.name or "Participant"


class MediaCoverageQuerySet(models.QuerySet):
    def for_user(self, user: roles.User) -> MediaCoverageQuerySet:
        visible = self.filter(workshop__in=Workshop.objects.for_user(user).values("pk"))
        if roles.can_read_internal(user):
            return visible
        editable = Workshop.objects.editable_by(user).values("pk")
        return visible.filter(Q(is_published=True) | Q(workshop__in=editable))


class MediaCoverage(PortalModel):
    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        URDU = "ur", "Urdu"
        PASHTO = "ps", "Pashto"
        ARABIC = "ar", "Arabic"
        FRENCH = "fr", "French"
        OTHER = "other", "Other"

    workshop = models.ForeignKey(
        Workshop, models.CASCADE, related_name="media_coverage", verbose_name="workshop"
    )
    outlet = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="media_coverage",
        verbose_name="outlet",
        null=True,
        blank=True,
    )
    outlet_name = models.CharField(
        "outlet name", max_length=200, blank=True, help_text="If the outlet is not on record."
    )
    language = models.CharField("language", max_length=10, choices=Language)
    headline = models.CharField("headline", max_length=500)
    url = models.URLField("link", max_length=1000, blank=True)
    published_on = models.DateField("published on", null=True, blank=True)
    is_published = models.BooleanField(
        "shown publicly", default=True, help_text="List this item on the public workshop page."
    )

    objects = MediaCoverageQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "media coverage"
        verbose_name_plural = "media coverage"
        ordering = ["workshop", "published_on", "headline"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outlet__isnull=False) | ~Q(outlet_name=""),
                name="media_coverage_has_outlet",
                violation_error_message="Pick the outlet or type its name.",
            ),
        ]

    def __str__(self) -> str:
        return self.headline
