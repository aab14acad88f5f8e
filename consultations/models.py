"""ISD's consultations with cities, what they found, and what must happen next."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
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
from workshops.models import Workshop


class ConsultationQuerySet(ArchivableQuerySet):
    def published(self) -> ConsultationQuerySet:
        return self.filter(confidentiality=Consultation.Confidentiality.PUBLISHED)

    def for_user(self, user: roles.User) -> ConsultationQuerySet:
        """ISD staff: all. Viewers: all but confidential ones. Partners: none.
        Public: the published ones (their public summary, not their notes).

        Nobody sees an archived consultation, nor (through here) its findings. A consultation
        of an archived city stays for staff, the city named without a link."""
        active = self.active()
        if roles.is_isd_staff(user):
            return active
        if roles.is_viewer(user):
            return active.exclude(confidentiality=Consultation.Confidentiality.CONFIDENTIAL)
        if roles.partner_organisation_ids(user):
            return self.none()
        # The public sees a published consultation only in a city the public sees.
        return active.published().filter(city__in=City.objects.for_user(user).values("pk"))


class FindingQuerySet(PortalQuerySet):
    def for_user(self, user: roles.User) -> FindingQuerySet:
        visible = self.filter(consultation__in=Consultation.objects.for_user(user).values("pk"))
        if roles.can_read_internal(user):
            return visible
        return visible.filter(is_published=True)


class Consultation(Archivable):
    class Confidentiality(models.TextChoices):
        CONFIDENTIAL = "confidential", _("Confidential: ISD staff only")
        INTERNAL = "internal", _("Internal: portal staff users")
        PUBLISHED = "published", _("Published: public summary and published findings")

    city = models.ForeignKey(
        City, models.PROTECT, related_name="consultations", verbose_name=_("city")
    )
    workshop = models.ForeignKey(
        Workshop,
        models.PROTECT,
        related_name="consultations",
        verbose_name=_("held at workshop"),
        null=True,
        blank=True,
        help_text=_("The workshop on whose margin it took place, if any."),
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=255)
    officials = models.ManyToManyField(
        Official, related_name="consultations", verbose_name=_("officials met"), blank=True
    )
    team_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="consultations",
        verbose_name=_("ISD team members"),
        blank=True,
    )
    summary = models.TextField(_("summary"), help_text=_("What was discussed (internal notes)."))
    public_summary = models.TextField(
        _("public summary"), blank=True, help_text=_("Shown on the public site once published.")
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=Confidentiality,
        default=Confidentiality.CONFIDENTIAL,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        verbose_name=_("logged by"),
        null=True,
        blank=True,
    )
    # The global search's documents: with the internal summary (staff and viewers) and
    # without it (everyone else); see scn_portal/search.py.
    search_internal = document_field("title", "public_summary", "summary")
    search_public = document_field("title", "public_summary")

    objects = WithoutDocumentsManager.from_queryset(ConsultationQuerySet)()
    history = HistoricalRecords(
        m2m_fields=[officials, team_members], excluded_fields=["search_internal", "search_public"]
    )
    # Inline rows of its edit form: a change to them is a change to the consultation.
    VERSION_CHILDREN = ("findings", "next_steps")

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-date", "title"]
        indexes = [
            # The list's order (EXPLAIN at 100,000: Index Scan, no Sort, even on a deep page).
            models.Index(fields=["-date", "title", "id"], name="consultation_date_idx"),
            # A city's latest consultation (last contact, the timeline): one index probe; and
            # the count of a city's consultations, read from this index alone (EXPLAIN,
            # busiest city at scale 1, 1,123 consultations: Bitmap Heap Scan of 1,025
            # buffers, 1.5 ms -> Index Only Scan of 3, 0.1 ms). Only those not archived:
            # nobody's scope holds the others.
            models.Index(
                fields=["city", "-date"],
                condition=Q(archived_at__isnull=True),
                name="consultation_city_live_idx",
            ),
            # The keys of the consultations not archived, for the scope of their findings
            # (`consultation IN (those)`): read from this index, not the wide table (EXPLAIN,
            # counting 300,000 findings: Parallel Index Only Scan instead of a Seq Scan of the
            # consultations, 49 -> 35 ms).
            models.Index(
                fields=["id"], condition=Q(archived_at__isnull=True), name="consultation_live_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("consultations:consultation_detail", self.pk)

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        instance._saved_city_id = instance.__dict__.get("city_id")
        return instance

    def save(self, *args, **kwargs):
        """Saved; moved to another city, its next steps' `filed_apart` follows."""
        update_fields = kwargs.get("update_fields")
        saves_city = update_fields is None or bool({"city", "city_id"} & set(update_fields))
        moved = False
        if self.pk is not None and saves_city:
            stored = getattr(self, "_saved_city_id", None)
            if stored is None:  # not read from the database here (e.g. the admin's revert)
                stored = city_of_consultation(self.pk)
            moved = stored is not None and stored != self.city_id
        super().save(*args, **kwargs)
        if saves_city:
            self._saved_city_id = self.city_id
        if moved:
            self.next_steps.update(
                filed_apart=models.Case(
                    models.When(city_id=self.city_id, then=models.Value(False)),
                    default=models.Value(True),
                )
            )


def city_of_consultation(key: int | None) -> int | None:
    """The city a consultation is stored under (not an instance's, maybe changed or stale)."""
    if key is None:
        return None
    rows = Consultation._base_manager.filter(pk=key).values_list("city_id", flat=True)
    return rows.first()


class Finding(PortalModel):
    class Theme(models.TextChoices):
        GOVERNANCE_CAPACITY = "governance_capacity", _("Governance capacity")
        LEGISLATION = "legislation", _("Legislation and devolved powers")
        POLICING = "policing", _("Policing")
        SECURITY = "security", _("Security situation")
        MECHANISMS = "mechanisms", _("Existing mechanisms")
        NEEDS = "needs", _("Needs and frustrations")
        OTHER = "other", _("Other")

    consultation = models.ForeignKey(
        Consultation,
        models.CASCADE,
        related_name="findings",
        verbose_name=_("consultation"),
        db_index=False,  # `finding_consultation_order` leads with it
    )
    theme = models.CharField(_("theme"), max_length=30, choices=Theme, db_index=True)
    text = models.TextField(_("finding"))
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Shown publicly only if the consultation is published too."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    search_document = document_field("text")

    objects = WithoutDocumentsManager.from_queryset(FindingQuerySet)()
    history = HistoricalRecords(excluded_fields=["search_document"])

    class Meta:
        verbose_name = _("key finding")
        verbose_name_plural = _("key findings")
        ordering = ["consultation", "position", "id"]
        indexes = [
            # Sorted by theme, ties by key (EXPLAIN at 300,000: Index Scan instead of an
            # Incremental Sort of the first theme's 30,000 findings).
            models.Index(fields=["theme", "id"], name="finding_theme_order"),
            # A consultation's findings in their order, read from the index alone: the list
            # (by its consultations' order) looks up each consultation's findings here, and a
            # deep page walks 30,000 of them (EXPLAIN, page 10,800 at scale 1: Index Scan on
            # the consultation's key and a heap visit per finding, 135 ms -> Index Only Scan,
            # 65-78 ms, the machine busy).
            models.Index(
                fields=["consultation", "position", "id"], name="finding_consultation_order"
            ),
        ]

    def __str__(self) -> str:
        return self.get_theme_display()


class NextStepQuerySet(PortalQuerySet):
    def with_shown_names(self, user: roles.User) -> NextStepQuerySet:
        """`shown_city` and `shown_organisation` (the responsible one): their names, or
        empty where `user`'s scope hides them (a partner's step about an unpublished city)."""
        return self.annotate(
            shown_city=visible_name(City, user, "city"),
            shown_organisation=visible_name(Organisation, user, "responsible_organisation"),
        )

    def open(self) -> NextStepQuerySet:
        return self.filter(status__in=NextStep.OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> NextStepQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def published(self) -> NextStepQuerySet:
        return self.filter(is_published=True)

    def with_version(self) -> NextStepQuerySet:
        """`version`: what a quick status form carries (see scn_portal/versions.py)."""
        from scn_portal.versions import version_annotation

        return self.annotate(version=version_annotation(NextStep))

    def with_overdue(self, today: datetime.date | None = None) -> NextStepQuerySet:
        """`overdue_now`: open and due before today, in SQL (as `NextStep.is_overdue`)."""
        today = today or timezone.localdate()
        return self.annotate(
            overdue_now=models.Case(
                models.When(status__in=NextStep.OPEN_STATUSES, due_date__lt=today, then=True),
                default=False,
                output_field=models.BooleanField(),
            )
        )

    def for_user(self, user: roles.User) -> NextStepQuerySet:
        """Staff and viewers: all, but a step inherits its consultation's confidentiality.
        Partners: those of their workshops or their organisation, never a consultation's.
        Public: the published ones, not from an unpublished consultation.

        A step arising from an archived consultation or workshop was logged as part of it and
        leaves with it, for everyone; a step about an archived city stays for staff."""
        visible_consultation = Q(consultation__isnull=True) | Q(
            consultation__in=Consultation.objects.for_user(user).values("pk")
        )
        # What is archived is left out (a few keys, hashed once) rather than every consultation
        # and workshop joined to read its archive date: at scale 1, counting 2,001 overdue steps
        # 38 -> 11 ms, and no hash of every workshop, which grew with the table (EXPLAIN).
        archived_consultations = Consultation.objects.archived().values("pk")
        archived_workshops = Workshop.objects.archived().values("pk")
        steps = self.exclude(consultation__in=archived_consultations).exclude(
            workshop__in=archived_workshops
        )
        if roles.is_isd_staff(user):
            return steps
        if roles.is_viewer(user):
            return steps.filter(visible_consultation)
        organisations = roles.partner_organisation_ids(user)
        if organisations:
            return steps.filter(
                Q(responsible_organisation__in=organisations)
                | Q(workshop__in=Workshop.objects.editable_by(user).values("pk")),
                consultation__isnull=True,
            )
        public_city = Q(city__isnull=True) | Q(city__in=City.objects.for_user(user).values("pk"))
        return steps.published().filter(visible_consultation, public_city)


class NextStep(PortalModel):
    class Kind(models.TextChoices):
        DETAILED_REPORT = "detailed_report", _("Detailed report")
        DOMESTIC_EXCHANGE = "domestic_exchange", _("Domestic exchange")
        INTERNATIONAL_EXCHANGE = "international_exchange", _("International exchange")
        NATIONAL_WORKSHOP = "national_workshop", _("National workshop")
        PREVENTION_CAPACITY = "prevention_capacity", _("Prevention-capacity measure")
        MEMBERSHIP_ONBOARDING = "membership_onboarding", _("Membership onboarding")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        BLOCKED = "blocked", _("Blocked")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.BLOCKED)

    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind, db_index=True)
    description = models.TextField(_("description"), blank=True)
    # A step arising from a consultation or workshop is part of it (it is on its form): only
    # an admin's permanent deletion of an archived consultation or workshop takes it along.
    consultation = models.ForeignKey(
        Consultation,
        models.CASCADE,
        related_name="next_steps",
        verbose_name=_("arising from consultation"),
        null=True,
        blank=True,
    )
    workshop = models.ForeignKey(
        Workshop,
        models.CASCADE,
        related_name="next_steps",
        verbose_name=_("arising from workshop"),
        null=True,
        blank=True,
    )
    city = models.ForeignKey(
        City,
        models.PROTECT,
        related_name="next_steps",
        verbose_name=_("city"),
        null=True,
        blank=True,
        help_text=_("The city it concerns; leave empty for a country-wide step."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="next_steps",
        verbose_name=_("owner"),
        null=True,
        blank=True,
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="next_steps",
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    # Filed under another city than the consultation it arose from, or under none (a
    # consultation's new steps take its city; a step moved, or its consultation, differs).
    # A city's page finds these among its consultations' steps from a partial index of them
    # alone, normally empty, instead of looking up the steps of each of the city's
    # consultations, which grew with them (busiest city at scale 1, 1,123 consultations:
    # 6 ms). Kept by `save` here and by `Consultation.save`; derived, so not in the history.
    filed_apart = models.BooleanField(default=False, editable=False)

    objects = NextStepQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["filed_apart"])
    # Its consultation's or workshop's form also saves it: lock those first (versions.py).
    VERSION_PARENTS = ("consultation", "workshop")

    class Meta:
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")
        ordering = ["due_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_on__isnull=False),
                name="next_step_done_has_completion_date",
                violation_error_message=_("A next step marked done needs its completion date."),
            ),
            models.CheckConstraint(
                condition=Q(consultation__isnull=False)
                | Q(workshop__isnull=False)
                | Q(city__isnull=False),
                name="next_step_has_origin",
                violation_error_message=_(
                    "Say where the next step comes from: a consultation, a workshop or a city."
                ),
            ),
        ]
        indexes = [
            # The list's order: a page, even a deep one, is read from this index in order
            # (EXPLAIN at 200,000 steps: Index Scan, no Sort, instead of a top-N heapsort).
            models.Index(fields=["due_date", "title", "id"], name="next_step_list_order"),
            models.Index(fields=["status", "due_date"], name="next_step_status_due_idx"),
            # Sorted by status, ties by key (EXPLAIN at 200,000: Index Scan instead of an
            # Incremental Sort of every step of the first status).
            models.Index(fields=["status", "id"], name="next_step_status_order"),
            models.Index(fields=["owner", "status", "due_date"], name="next_step_owner_idx"),
            # "My open next steps" on the dashboard, in their order: with it the planner reads
            # the owner's open steps in order; without, it walked every step in due-date order
            # hoping to meet ten of theirs (EXPLAIN at 2,000,000 steps, an owner with none:
            # 5.7 s).
            models.Index(
                fields=["owner", "due_date", "title", "id"],
                condition=Q(status__in=["open", "in_progress", "blocked"]),  # OPEN_STATUSES
                name="next_step_owner_open",
            ),
            # A city's page: its steps newest first (those done or due; see
            # `cities.selectors._newest_step_keys`), and its open steps in due order, read
            # from these in order (EXPLAIN, busiest city at scale 1: 85 ms -> 1 ms, 15 -> 1).
            models.Index(
                F("city"),
                Coalesce("completed_on", "due_date").desc(),
                F("id").desc(),
                name="next_step_city_when",
            ),
            models.Index(
                fields=["city", "due_date", "id"],
                condition=Q(status__in=["open", "in_progress", "blocked"]),  # OPEN_STATUSES
                name="next_step_city_open",
            ),
            # Counting the steps in scope tests each step's consultation and workshop against
            # the archived ones: read from this index alone, not the whole table, for all the
            # steps (a deep page past the list's middle, see
            # `scn_portal.generic.deep_page_keys`; EXPLAIN at 200,000 steps: Parallel Index
            # Only Scan, 34 -> 16 ms) and for those of a status, where the capped count stops
            # at 2,001 (at 2,000,000 steps, "in progress": a bitmap of all 71,065, 11 ms ->
            # Index Only Scan, under 1 ms).
            models.Index(
                fields=["status", "consultation", "workshop"], name="next_step_status_scope_idx"
            ),
            models.Index(
                fields=["consultation"], condition=Q(filed_apart=True), name="next_step_apart_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # The fields `filed_apart` follows (as `save(update_fields=...)` may name them).
    APART_FROM = frozenset({"city", "city_id", "consultation", "consultation_id"})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.APART_FROM & set(update_fields):
            # From the database, not `self.consultation`: read before a lock was taken, it
            # may be a city behind a concurrent change (see versions.check_version).
            self.filed_apart = self.consultation_id is not None and self.city_id != (
                city_of_consultation(self.consultation_id)
            )
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "filed_apart"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return record_url("consultations:next_step_detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


class ProgressUpdateQuerySet(PortalQuerySet):
    def for_user(self, user: roles.User) -> ProgressUpdateQuerySet:
        return self.filter(next_step__in=NextStep.objects.for_user(user).values("pk"))


class ProgressUpdate(PortalModel):
    """A dated note on a next step's progress, with the status it left it in."""

    next_step = models.ForeignKey(
        NextStep, models.CASCADE, related_name="updates", verbose_name=_("next step")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
        null=True,
        blank=True,
    )
    status = models.CharField(_("status after"), max_length=20, choices=NextStep.Status, blank=True)
    note = models.TextField(_("note"))

    objects = ProgressUpdateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["next_step", "-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"
