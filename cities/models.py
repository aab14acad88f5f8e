"""Cities and the people and organisations the network works with."""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from scn_portal import roles
from scn_portal.models import (
    Archivable,
    ArchivableQuerySet,
    PortalModel,
    record_url,
    related_count,
)
from scn_portal.text import isolated


class ReferenceQuerySet(models.QuerySet):
    """Reference data (hubs, countries): public, the same for everyone."""

    def for_user(self, user: roles.User) -> ReferenceQuerySet:
        return self


class CityProfileQuerySet(models.QuerySet):
    """A city's profile records: seen with the city; the public sees published ones only."""

    def for_user(self, user: roles.User) -> CityProfileQuerySet:
        visible = self.filter(city__in=City.objects.for_user(user).values("pk"))
        if roles.can_read_internal(user) or not hasattr(self.model, "is_published"):
            return visible
        return visible.filter(is_published=True)


class RegionalHub(PortalModel):
    """One of the SCN's regional hubs (South Asia, MENA, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    objects = ReferenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regional hub")
        verbose_name_plural = _("regional hubs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Country(PortalModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("ISO code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2, e.g. PK.")
    )

    objects = ReferenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CityQuerySet(ArchivableQuerySet):
    def published(self) -> CityQuerySet:
        return self.filter(is_published=True)

    def with_engagement(self, user: roles.User) -> CityQuerySet:
        """Annotate `last_contact` (latest consultation or workshop day) and `official_count`,
        counting only what `user` may see (a confidential consultation's date is confidential).

        Correlated subqueries, not joins: a city's officials times its consultations would
        multiply rows.
        """
        from consultations.models import Consultation  # consultations imports cities
        from workshops.models import Workshop

        last_consultation = (
            Consultation.objects.for_user(user)
            .filter(city=OuterRef("pk"))
            .order_by("-date")
            .values("date")[:1]
        )
        last_workshop = (
            Workshop.objects.for_user(user)
            .filter(cities=OuterRef("pk"), start_date__lte=timezone.localdate())
            .order_by("-start_date")
            .values("start_date")[:1]
        )
        consultation_day, workshop_day = Subquery(last_consultation), Subquery(last_workshop)
        if connections[self.db].vendor == "postgresql":
            # PostgreSQL's GREATEST skips NULLs: each subquery runs once a row, not twice as
            # in the portable form below (EXPLAIN at scale 1: the cities list's 8.7 -> 4.5 ms).
            last_contact = Greatest(consultation_day, workshop_day)
        else:
            last_contact = Greatest(
                Coalesce(consultation_day, workshop_day), Coalesce(workshop_day, consultation_day)
            )
        return self.annotate(
            last_contact=last_contact,
            official_count=related_count(Official.objects.for_user(user), "city"),
        )

    def for_user(self, user: roles.User) -> CityQuerySet:
        """Staff and viewers see every city; partners and the public the published ones.
        Nobody sees an archived city (see `ArchivableQuerySet`)."""
        if roles.can_read_internal(user):
            return self.active()
        return self.active().published()

    def members(self) -> CityQuerySet:
        return self.filter(membership_status=City.Membership.MEMBER)


class City(Archivable):
    class Membership(models.TextChoices):
        MEMBER = "member", _("Member")
        PROSPECTIVE = "prospective", _("Prospective member")
        FORMER = "former", _("Former member")
        NONE = "none", _("Not a member")

    name = models.CharField(_("name"), max_length=150)
    name_local = models.CharField(
        _("name in local script"),
        max_length=150,
        blank=True,
        help_text=_("The city's name in its own script, e.g. پشاور for Peshawar."),
    )
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    country = models.ForeignKey(
        Country, models.PROTECT, related_name="cities", verbose_name=_("country")
    )
    province = models.CharField(_("province or state"), max_length=150, blank=True, db_index=True)
    hub = models.ForeignKey(
        RegionalHub,
        models.PROTECT,
        related_name="cities",
        verbose_name=_("regional hub"),
        null=True,
        blank=True,
    )
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population figure year"),
        null=True,
        blank=True,
        help_text=_("Year of the census or estimate."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    membership_status = models.CharField(
        _("SCN membership"),
        max_length=20,
        choices=Membership,
        default=Membership.NONE,
    )
    membership_changed_on = models.DateField(
        _("membership status since"),
        null=True,
        blank=True,
        help_text=_("When the city's SCN membership status last changed."),
    )
    local_government_profile = models.TextField(
        _("local-government profile"),
        blank=True,
        help_text=_("How the city is governed and which powers it holds (internal)."),
    )
    public_summary = models.TextField(
        _("public summary"), blank=True, help_text=_("Shown on the public site once published.")
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Show this city and its public summary on the public site."),
    )

    objects = CityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "country"],
                name="city_unique_name_per_country",
                violation_error_message=_("This country already has a city of that name."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="city_latitude_in_range",
                violation_error_message=_("Latitude must lie between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="city_longitude_in_range",
                violation_error_message=_("Longitude must lie between -180 and 180."),
            ),
        ]
        indexes = [
            models.Index(fields=["membership_status", "name"], name="city_membership_name_idx"),
            # The public directory's cities (published, not archived) in its order by name,
            # and their count from the index alone (EXPLAIN at scale 10, 8,854 of 20,000
            # cities: Index Only Scan instead of a Seq Scan, 6 -> 0.8 ms).
            models.Index(
                fields=["name", "id"],
                condition=Q(is_published=True, archived_at__isnull=True),
                name="city_public_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("cities:city_detail", self.slug)


class DevolvedPower(PortalModel):
    """A power held by a city's government, and the law that gave it."""

    class Area(models.TextChoices):
        EDUCATION = "education", _("Education")
        HEALTH = "health", _("Health")
        POLICING = "policing", _("Policing")
        PLANNING = "planning", _("Planning and development")
        SOCIAL = "social", _("Social welfare")
        OTHER = "other", _("Other")

    city = models.ForeignKey(
        City, models.CASCADE, related_name="devolved_powers", verbose_name=_("city")
    )
    area = models.CharField(_("area"), max_length=20, choices=Area)
    legislation = models.CharField(
        _("legislation"),
        max_length=255,
        blank=True,
        help_text=_("The law that devolved the power, e.g. the KP Local Government Act 2013."),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = CityProfileQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("devolved power")
        verbose_name_plural = _("devolved powers")
        ordering = ["city", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "area"],
                name="devolved_power_unique_area_per_city",
                violation_error_message=_("This power is already recorded for the city."),
            )
        ]

    def __str__(self) -> str:
        return self.get_area_display()


class LocalMechanism(PortalModel):
    """A local structure usable for prevention, e.g. a Police-Community Liaison Committee."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Committee")
        COUNCIL = "council", _("Council or board")
        NETWORK = "network", _("Network or forum")
        PROGRAMME = "programme", _("Programme")
        OTHER = "other", _("Other")

    city = models.ForeignKey(
        City, models.CASCADE, related_name="mechanisms", verbose_name=_("city")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.COMMITTEE)
    established_year = models.PositiveSmallIntegerField(_("established"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)

    objects = CityProfileQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("local prevention mechanism")
        verbose_name_plural = _("local prevention mechanisms")
        ordering = ["city", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "name"],
                name="mechanism_unique_name_per_city",
                violation_error_message=_("The city already has a mechanism of that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(ArchivableQuerySet):
    def published(self) -> OrganisationQuerySet:
        return self.filter(is_published=True)

    def for_user(self, user: roles.User) -> OrganisationQuerySet:
        """Staff and viewers see all; a partner also their own; the public the published.
        Nobody sees an archived organisation."""
        if roles.can_read_internal(user):
            return self.active()
        return self.active().filter(
            Q(is_published=True) | Q(pk__in=roles.partner_organisation_ids(user))
        )


class Organisation(Archivable):
    class Kind(models.TextChoices):
        PARTNER = "partner", _("Partner")
        FUNDER = "funder", _("Funder")
        GOVERNMENT = "government", _("Government body")
        MEDIA = "media", _("Media outlet")
        ISD = "isd", _("ISD / SCN")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"),
        max_length=50,
        blank=True,
        help_text=_("Acronym, e.g. IL for Individualland."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, db_index=True)
    country = models.ForeignKey(
        Country,
        models.PROTECT,
        related_name="organisations",
        verbose_name=_("country"),
        null=True,
        blank=True,
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="organisations",
        verbose_name=_("portal users"),
        blank=True,
        help_text=_("Users who work for this organisation (partner editors edit its workshops)."),
    )
    is_published = models.BooleanField(_("published"), default=False)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("cities:organisation_detail", self.slug)


# Officials who consented to be named, in published cities (not archived ones).
NAMED_PUBLICLY = Q(
    consent_to_be_named=True, city__is_published=True, city__archived_at__isnull=True
)


class OfficialQuerySet(ArchivableQuerySet):
    def named_publicly(self) -> OfficialQuerySet:
        """Officials who consented to be named, in published cities (not archived ones)."""
        return self.filter(NAMED_PUBLICLY)

    def for_user(self, user: roles.User) -> OfficialQuerySet:
        """Staff and viewers see every official; others only those who consent to be named.

        Contact details are a field-level rule: see `Official.contact_visible_to`. Nobody
        sees an archived official; the officials of an archived city stay for staff (the
        city's name is shown without a link) and leave the public site with the city.
        """
        if roles.can_read_internal(user):
            return self.active()
        return self.active().named_publicly()

    def hidden_from(self, user: roles.User) -> OfficialQuerySet:
        """The officials `for_user(user)` leaves out: together they are every official, once.

        Said positively, not `exclude(pk__in=for_user(user))`, which reads every official:
        for staff the archived ones are an index range (see `keys_by_shown_name`)."""
        if roles.can_read_internal(user):
            return self.archived()
        return self.exclude(Q(archived_at__isnull=True) & NAMED_PUBLICLY)


class Official(Archivable):
    """A person in a city's government. Contact details are private."""

    class RoleKind(models.TextChoices):
        MAYOR = "mayor", _("Mayor / district nazim")
        DEPUTY_MAYOR = "deputy_mayor", _("Deputy mayor")
        DISTRICT_OFFICIAL = "district_official", _("District official")
        COUNCILLOR = "councillor", _("Councillor")
        POLICE = "police", _("Police")
        CIVIL_SERVANT = "civil_servant", _("Civil servant")
        OTHER = "other", _("Other")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Not recorded")

    name = models.CharField(_("name"), max_length=200)
    name_local = models.CharField(_("name in local script"), max_length=200, blank=True)
    city = models.ForeignKey(City, models.PROTECT, related_name="officials", verbose_name=_("city"))
    role_kind = models.CharField(_("role"), max_length=30, choices=RoleKind, db_index=True)
    title = models.CharField(
        pgettext_lazy("job title", "title"),
        max_length=200,
        blank=True,
        help_text=_("As they use it, e.g. District Nazim."),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="officials",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        help_text=_("The government body they serve in, if recorded."),
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender, default=Gender.UNKNOWN)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Private: ISD staff only."))
    phone = models.CharField(
        _("phone"), max_length=50, blank=True, help_text=_("Private: ISD staff only.")
    )
    consent_to_be_named = models.BooleanField(
        _("consents to be named publicly"),
        default=False,
        help_text=_("Only officials with recorded consent appear by name on public pages."),
    )
    consent_recorded_on = models.DateField(_("consent recorded on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Internal."))

    objects = OfficialQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="official_term_ends_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(consent_to_be_named=False) | Q(consent_recorded_on__isnull=False),
                name="official_consent_has_date",
                violation_error_message=_(
                    "Record the date on which consent to be named was given."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["city", "name"], name="official_city_name_idx"),
            # The list's order (EXPLAIN at 20,000 officials: Index Scan instead of a Sort).
            models.Index(fields=["name", "id"], name="official_list_order"),
            # The cities list's official counts, read from the index alone (EXPLAIN at scale
            # 1, 25 cities of 80 officials: Bitmap Heap Scan 3.2 ms -> Index Only Scan 0.4 ms).
            models.Index(
                fields=["city"],
                condition=Q(archived_at__isnull=True),
                name="official_live_city_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # A choice of an official (`scn_portal.forms.choice_label`) reads the city's name too.
    choice_related = ("city",)

    def choice_label(self) -> str:
        role = isolated(self.title or self.get_role_kind_display())
        return f"{self.name} ({role}, {isolated(self.city.name)})"

    def get_absolute_url(self) -> str:
        return record_url("cities:official_detail", self.pk)

    @staticmethod
    def contact_visible_to(user: roles.User) -> bool:
        """E-mail and phone are for ISD staff and admins only."""
        return roles.is_isd_staff(user)
