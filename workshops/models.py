"""Workshops and other events: who organised them, who took part, who wrote about them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cities.models import City, Official, Organisation
from scn_portal import roles
from scn_portal.models import (
    Archivable,
    ArchivableQuerySet,
    PortalModel,
    PortalQuerySet,
    WithoutDocumentsManager,
    document_field,
    record_url,
    visible_name,
)
from scn_portal.text import isolated


class WorkshopQuerySet(ArchivableQuerySet):
    def published(self) -> WorkshopQuerySet:
        return self.filter(is_published=True)

    def for_user(self, user: roles.User) -> WorkshopQuerySet:
        """Staff and viewers: all. Partners: their organisations' (organised or supported),
        plus the published ones. Public: the published ones. Nobody: archived ones, and with
        them their supporters, participants and media coverage (they go through here)."""
        return self.filter(self.visible_to(user))

    @staticmethod
    def visible_to(user: roles.User, path: str = "") -> Q:
        """`for_user` as a condition on the workshop at `path`, a relation from another model
        (a participation's "workshop"): records scoped by their workshop are filtered on the
        joined workshop row, not by `workshop__in=<a subquery of visible workshops>`. For a
        partner's participants (EXPLAIN at scale 1), the subquery made PostgreSQL test each
        workshop, newest first, against all 2,905 visible ones (443,360 comparisons: 40 ms);
        on the joined row the page takes 1.2 ms."""
        prefix = f"{path}__" if path else ""
        active = Q(**{f"{prefix}archived_at__isnull": True})
        if roles.can_read_internal(user):
            return active
        published = Q(**{f"{prefix}is_published": True})
        if editable := Workshop.objects.editable_by_ids(user):
            return active & (published | Q(**{f"{prefix}pk__in": editable}))
        return active & published

    def with_shown_organiser(self, user: roles.User) -> WorkshopQuerySet:
        """`shown_organiser`: the organiser's name, or empty where `user`'s scope hides that
        organisation (an unpublished one, from a partner)."""
        return self.annotate(shown_organiser=visible_name(Organisation, user, "organiser"))

    def editable_by(self, user: roles.User) -> WorkshopQuerySet:
        """The workshops a user may change (or archive): ISD staff all, partners their
        organisations'. An archived workshop is changed by nobody until it is restored."""
        if roles.is_isd_staff(user):
            return self.active()
        return self.active().filter(pk__in=self.editable_by_ids(user))

    @staticmethod
    def editable_by_ids(user: roles.User) -> list[int]:
        """The keys of the workshops a partner's organisations organise or support, read once
        per user object (like their organisations, see `roles.partner_organisation_ids`).

        Keys, not a subquery: PostgreSQL prices a subquery's hash again for every row it
        probes, so a partner's media coverage, newest first, was sorted whole instead of read
        in order through its index (EXPLAIN at scale 1: 18 ms; 0.8 ms with the keys)."""
        cached = getattr(user, "_scn_editable_workshop_ids", None)
        if cached is not None:
            return cached
        organisations = roles.partner_organisation_ids(user)
        if not organisations:
            return []
        organised = Workshop.objects.filter(organiser__in=organisations).order_by()
        supported = WorkshopSupport.objects.filter(organisation__in=organisations)
        keys = organised.values_list("pk", flat=True).union(
            supported.values_list("workshop_id", flat=True)
        )
        user._scn_editable_workshop_ids = sorted(keys.order_by())
        return user._scn_editable_workshop_ids


class Workshop(Archivable):
    class Kind(models.TextChoices):
        CAPACITY_BUILDING = "capacity_building", _("Capacity-building workshop")
        NATIONAL_WORKSHOP = "national_workshop", _("National workshop")
        DOMESTIC_EXCHANGE = "domestic_exchange", _("Domestic city exchange")
        INTERNATIONAL_EXCHANGE = "international_exchange", _("International city exchange")
        SUMMIT = "summit", _("Summit")
        OTHER = "other", _("Other event")

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind, db_index=True)
    start_date = models.DateField(_("starts on"))
    end_date = models.DateField(_("ends on"))
    venue = models.CharField(
        _("venue"),
        max_length=255,
        blank=True,
        help_text=_("Place and town, e.g. a hotel in Islamabad."),
    )
    organiser = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="organised_workshops",
        verbose_name=_("organiser"),
        help_text=_("The organisation that convened it; its partner editors may edit it."),
    )
    supporters = models.ManyToManyField(
        Organisation,
        through="WorkshopSupport",
        related_name="supported_workshops",
        verbose_name=_("supporters and funders"),
        blank=True,
    )
    cities = models.ManyToManyField(
        City, related_name="workshops", verbose_name=_("cities involved"), blank=True
    )
    agenda = models.TextField(_("agenda"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    public_summary = models.TextField(
        _("public summary"), blank=True, help_text=_("Shown on the public site once published.")
    )
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Never shown outside ISD.")
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Show this workshop, its summary and outcomes on the public site."),
    )
    # The global search's document (scn_portal/search.py).
    search_document = document_field("title", "venue", "public_summary", "agenda", "outcomes")

    objects = WithoutDocumentsManager.from_queryset(WorkshopQuerySet)()
    history = HistoricalRecords(m2m_fields=[cities], excluded_fields=["search_document"])
    # Inline rows of its edit form: a change to them is a change to the workshop.
    VERSION_CHILDREN = ("supports", "participations", "media_coverage")

    # Who a workshop belongs to, whether it is public and ISD's notes: ISD staff decide these.
    # And its address: a slug must be unique, so a partner choosing one would learn from the
    # refusal that another organisation's unpublished workshop holds it.
    STAFF_ONLY_FIELDS = frozenset({"organiser", "is_published", "internal_notes", "slug"})

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="workshop_ends_on_or_after_start",
                violation_error_message=_("A workshop must end on or after the day it starts."),
            ),
        ]
        indexes = [
            # The list's order (EXPLAIN: Index Scan instead of a Sort of every workshop).
            models.Index(fields=["-start_date", "title", "id"], name="workshop_start_idx"),
            models.Index(fields=["is_published", "-start_date"], name="workshop_published_idx"),
            # Sorted by title (EXPLAIN at 5,000 workshops: Index Scan instead of a Seq Scan and
            # a top-N sort of them all, 13 -> 0.1 ms; 3x slower at 50,000 without it).
            models.Index(fields=["title", "id"], name="workshop_title_idx"),
            # A city's last workshop day (the cities list's "last contact"), read from the
            # index alone with `workshop_cities_city_workshop` (EXPLAIN at scale 1, 25 cities
            # of 36 workshops: 3.7 -> 1.3 ms).
            models.Index(
                fields=["id", "start_date"],
                condition=Q(archived_at__isnull=True),
                name="workshop_live_start_idx",
            ),
            # The keys of the public workshops, for what is counted by them (the directory's
            # workshops per city): read from this index, not the wide table (EXPLAIN at scale
            # 10, 29,184 of 50,000: Index Only Scan instead of a Seq Scan, 20 -> 3 ms).
            models.Index(
                fields=["id"],
                condition=Q(is_published=True, archived_at__isnull=True),
                name="workshop_public_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # A choice of a workshop (`scn_portal.forms.choice_label`) reads its date too, as pages
    # show it.
    def choice_label(self) -> str:
        return f"{self.title} ({isolated(date_format(self.start_date, 'j M Y'))})"

    def get_absolute_url(self) -> str:
        return record_url("workshops:workshop_detail", self.slug)


class WorkshopSupportQuerySet(PortalQuerySet):
    def for_user(self, user: roles.User) -> WorkshopSupportQuerySet:
        return self.filter(Workshop.objects.visible_to(user, "workshop"))


class WorkshopSupport(PortalModel):
    """An organisation supporting or funding a workshop."""

    class Role(models.TextChoices):
        SUPPORTER = "supporter", _("Supporter")
        FUNDER = "funder", _("Funder")
        CO_ORGANISER = "co_organiser", _("Co-organiser")

    workshop = models.ForeignKey(
        Workshop, models.CASCADE, related_name="supports", verbose_name=_("workshop")
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="workshop_supports",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.SUPPORTER)

    objects = WorkshopSupportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters and funders")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "organisation"],
                name="workshop_support_unique",
                violation_error_message=_("This organisation is already listed for the workshop."),
            )
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class ParticipationQuerySet(PortalQuerySet):
    def for_user(self, user: roles.User) -> ParticipationQuerySet:
        return self.filter(Workshop.objects.visible_to(user, "workshop"))

    def with_shown_names(self, user: roles.User, *, few: bool = False) -> ParticipationQuerySet:
        """What `user` may read of each participant, for lists, pages and exports alike:
        `shown_name` (a guest's name, or the official's if `user` may see that official —
        else empty: an official who has not consented to be named stays unnamed),
        `shown_city` and `shown_organisation` (empty when unpublished to `user`).

        `few`: for a page of rows, each row's official, city and organisation is probed in the
        user's scope (EXISTS: 75 index lookups for 25 rows); otherwise the scopes are hashed
        once (`IN`), which serves sorting every row by name better (EXPLAIN at 1,000,000
        participations: a page 100 -> 1 ms with probes; a sort 1.3 -> 2.3 s with them)."""

        def visible(model, field: str):
            scope = model.objects.for_user(user)
            if few:
                return models.Exists(scope.filter(pk=OuterRef(field)))
            return Q(**{f"{field}__in": scope.values("pk")})

        return self.annotate(
            shown_name=models.Case(
                models.When(official__isnull=True, then=F("name")),
                models.When(visible(Official, "official"), then=F("official__name")),
                default=models.Value(""),
            ),
            shown_city=models.Case(
                models.When(visible(City, "city"), then=F("city__name")),
                default=models.Value(""),
            ),
            shown_organisation=models.Case(
                models.When(visible(Organisation, "organisation"), then=F("organisation__name")),
                default=models.Value(""),
            ),
        )

    def keys_by_shown_name(
        self, user: roles.User, *, descending: bool, low: int, high: int
    ) -> list[int]:
        """The primary keys of rows `low:high` of this queryset ordered by `shown_name` (as
        `with_shown_names(user)` computes it), then pk: found by walking indexes, not by
        computing every row's name and sorting them all.

        `shown_name` is a guest's name, a shown official's name or '': three parts, each read
        in order from an index (guests: `participation_guest_name_idx`; officials the user
        may see: `official_list_order`, then their participations; the others: the primary
        key, their name being ''). The first `high` rows of each part, merged, hold rows
        `low:high` (EXPLAIN at 100,000 participations, first page by name: a sort of every
        row 190 -> 2 ms). Only officials in `Official.objects.for_user(user)` — the scope
        `with_shown_names` names — give their name; `hidden_from` only finds the '' rows."""
        shown = Official.objects.for_user(user).values("pk")
        hidden = Official.objects.hidden_from(user).values("pk")
        rows = self.order_by()
        parts = (
            rows.filter(official__isnull=True).annotate(sort_name=F("name")),
            # `official__in` makes the join to the official INNER: the walk starts from them.
            rows.filter(official__in=shown).annotate(sort_name=F("official__name")),
            rows.filter(official__in=hidden).annotate(
                sort_name=models.Value("", output_field=models.CharField())
            ),
        )
        order = ("-sort_name" if descending else "sort_name", "pk")
        firsts = [part.order_by(*order).values_list("pk", "sort_name")[:high] for part in parts]
        merged = firsts[0].union(*firsts[1:], all=True).order_by(*order)[low:high]
        return [pk for pk, _name in merged]


class Participation(PortalModel):
    """Someone invited to or attending a workshop: an official, or a guest named here."""

    class Attendance(models.TextChoices):
        INVITED = "invited", _("Invited")
        ATTENDED = "attended", _("Attended")
        PARTLY = "partly", _("Attended in part")
        ABSENT = "absent", _("Did not attend")

    workshop = models.ForeignKey(
        Workshop,
        models.CASCADE,
        related_name="participations",
        verbose_name=_("workshop"),
        db_index=False,  # `participation_attendance_idx` leads with it
    )
    official = models.ForeignKey(
        Official,
        models.PROTECT,
        related_name="participations",
        verbose_name=_("official"),
        null=True,
        blank=True,
        help_text=_("Pick the official if they are on record; otherwise type a name."),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("For participants who are not city officials, e.g. a federal minister."),
    )
    role = models.CharField(_("role at the event"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="participations",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
    )
    city = models.ForeignKey(
        City,
        models.PROTECT,
        related_name="participations",
        verbose_name=_("city represented"),
        null=True,
        blank=True,
    )
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance, default=Attendance.ATTENDED
    )
    is_high_level = models.BooleanField(
        _("high-level guest"), default=False, help_text=_("e.g. a federal minister or mayor.")
    )

    objects = ParticipationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participants")
        ordering = ["workshop", "-is_high_level", "name"]
        indexes = [
            # The guests in name order, for the participants list sorted by name (see
            # `ParticipationQuerySet.keys_by_shown_name`).
            models.Index(
                fields=["name", "id"],
                condition=Q(official__isnull=True),
                name="participation_guest_name_idx",
            ),
            # A workshop's participants, and those of an attendance: the list filtered by
            # attendance walks the workshops newest first and looks up each one's rows of that
            # attendance. The newest are still to come, with invited guests only, and their
            # number grows with the network's; by workshop alone each probe read every row of
            # the workshop (EXPLAIN, "attended" at scale 1: 155 upcoming workshops, 503
            # buffers); with the attendance in the key, a probe that finds none reads none.
            models.Index(fields=["workshop", "attendance"], name="participation_attendance_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(official__isnull=False) | ~Q(name=""),
                name="participation_has_person",
                violation_error_message=_("Pick an official or type the participant's name."),
            ),
            models.UniqueConstraint(
                fields=["workshop", "official"],
                condition=Q(official__isnull=False),
                name="participation_unique_official",
                violation_error_message=_(
                    "This official is already a participant of the workshop."
                ),
            ),
            models.UniqueConstraint(
                fields=["workshop", "name"],
                condition=Q(official__isnull=True),
                name="participation_unique_guest",
                violation_error_message=_("A participant of that name is already listed."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or gettext("Participant")


class MediaCoverageQuerySet(PortalQuerySet):
    def for_user(self, user: roles.User) -> MediaCoverageQuerySet:
        visible = self.filter(Workshop.objects.visible_to(user, "workshop"))
        if roles.can_read_internal(user):
            return visible
        editable = Workshop.objects.editable_by_ids(user)
        return visible.filter(Q(is_published=True) | Q(workshop__in=editable))

    def with_shown_outlet(self, user: roles.User) -> MediaCoverageQuerySet:
        """`shown_outlet`: the outlet's name if `user` may see that organisation, else the
        name typed on the item (or nothing)."""
        typed = F("outlet_name")
        return self.annotate(
            shown_outlet=Coalesce(
                visible_name(Organisation, user, "outlet", otherwise=typed), typed
            )
        )


class MediaCoverage(PortalModel):
    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        URDU = "ur", _("Urdu")
        PASHTO = "ps", _("Pashto")
        ARABIC = "ar", _("Arabic")
        FRENCH = "fr", _("French")
        OTHER = "other", _("Other")

    workshop = models.ForeignKey(
        Workshop, models.CASCADE, related_name="media_coverage", verbose_name=_("workshop")
    )
    outlet = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="media_coverage",
        verbose_name=_("outlet"),
        null=True,
        blank=True,
    )
    outlet_name = models.CharField(
        _("outlet name"), max_length=200, blank=True, help_text=_("If the outlet is not on record.")
    )
    language = models.CharField(_("language"), max_length=10, choices=Language)
    headline = models.CharField(_("headline"), max_length=500)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    is_published = models.BooleanField(
        _("shown publicly"),
        default=True,
        help_text=_("List this item on the public workshop page."),
    )

    objects = MediaCoverageQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("media coverage")
        verbose_name_plural = _("media coverage")
        ordering = ["workshop", "published_on", "headline"]
        indexes = [
            # The list's order (EXPLAIN: Index Scan instead of a Sort of every item).
            models.Index(
                fields=["-published_on", "headline", "id"], name="media_coverage_list_order"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outlet__isnull=False) | ~Q(outlet_name=""),
                name="media_coverage_has_outlet",
                violation_error_message=_("Pick the outlet or type its name."),
            ),
        ]

    def __str__(self) -> str:
        return self.headline
