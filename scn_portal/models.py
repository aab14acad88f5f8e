"""Abstract building blocks shared by the portal's models; the export log and jobs."""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

from scn_portal import roles

# A key that no URL pattern holds by chance, per converter: `<int:...>`, `<slug:...>`.
_KEY_STAND_INS = {int: 987_654_321_987_654_321, str: "recordkeystandin"}
_SAFE_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_RECORD_URLS: dict[tuple, tuple[str, str]] = {}
_RECORD_URLS_KEPT = 256  # views times prefixes: a few dozen; never more, whatever comes in


def record_url(view_name: str, key: Any) -> str:
    """`reverse(view_name, args=[key])` for a record's page, whose only argument is its key
    (a number or a slug). The URL around the key is reversed once per view name, script
    prefix and URL configuration, then the key put in: reverse() cost 50-70 us a link, and
    the busiest city's page links 130 records. A key that is neither a number nor a plain
    slug, or that the view's pattern does not take as such (a number as text), goes through
    reverse() itself (which quotes or refuses it)."""
    kind = type(key)
    if kind not in _KEY_STAND_INS or (kind is str and not _SAFE_SLUG.fullmatch(key)):
        return reverse(view_name, args=[key])
    lookup = (view_name, kind, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    around = _RECORD_URLS.get(lookup)
    if around is None:
        stand_in = str(_KEY_STAND_INS[kind])
        try:
            before, found, after = reverse(view_name, args=[stand_in]).partition(stand_in)
        except NoReverseMatch:
            found = ""
        if not found:
            return reverse(view_name, args=[key])
        around = (before, after)
        if len(_RECORD_URLS) < _RECORD_URLS_KEPT:
            _RECORD_URLS[lookup] = around
    return f"{around[0]}{key}{around[1]}"


class SearchDocument(SearchVector):
    """The words of a record's fields, as the global search matches them: PostgreSQL's
    `to_tsvector('simple', ...)` of the fields joined by spaces (the expression of the search's
    full-text indexes). On SQLite, nothing: its search reads the fields themselves (LIKE)."""

    def __init__(self, *fields: str) -> None:
        super().__init__(*fields, config="simple")
        self.fields = fields

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


class SearchDocumentField(models.Field):
    """The type of a stored search document: PostgreSQL's tsvector (on SQLite, where the
    column stays empty, a name only). Read by the search's SQL alone, as text if fetched."""

    def db_type(self, connection) -> str:
        return "tsvector"


def document_field(*fields: str) -> models.GeneratedField:
    """A column the database keeps, on every insert and update, holding the record's words
    (`SearchDocument`), for the global search.

    The search tests rows one by one as it walks a list in its order (see
    `scn_portal.search._Match.first`); computing to_tsvector there cost 27 us a finding and
    60 us a workshop, while a stored document is read as is (at scale 1, "water council":
    the three walks' tests 14 + 15 + 24 ms -> 2 + 2 + 7 ms, EXPLAIN ANALYZE). Its GIN index is
    made by a migration, on PostgreSQL only (`scn_portal.full_text_indexes`). Left out of
    the history (`excluded_fields`): it is derived from the fields the history keeps."""
    return models.GeneratedField(
        expression=SearchDocument(*fields),
        output_field=SearchDocumentField(null=True),
        db_persist=True,
        verbose_name=_("search document"),
    )


@functools.cache
def stored_documents(model: type[models.Model]) -> dict[tuple[str, ...], str]:
    """The model's stored search documents (`document_field`): their fields -> the column."""
    return {
        field.expression.fields: field.name
        for field in model._meta.concrete_fields
        if isinstance(getattr(field, "expression", None), SearchDocument)
    }


def related_count(related: models.QuerySet, link: str) -> Coalesce:
    """How many rows of `related` have the row as their `link` (0 for none): a correlated
    count, probed through `link`'s index for each row. A join and GROUP BY instead groups
    every row with its related ones before the first is out: the consultations' export at
    scale 1 sent its first row after 0.54 s instead of 0.07 s, and without a cursor sorted
    300,000 joined rows on disk; counted per row, the rows stream from the list's index."""
    counted = related.filter(**{link: models.OuterRef("pk")}).order_by().values(link)
    counted = counted.annotate(n=models.Count("*")).values("n")
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)


def visible_name(
    model: type[models.Model],
    user: roles.User,
    field: str,
    *,
    otherwise: models.Expression | None = None,
) -> models.Expression:
    """The name of the `model` record at `field` ("organiser", "outlet"), as `user` may read
    it: `otherwise` (empty text) where the user's scope (`model.objects.for_user`) hides that
    record, as a partner's does an unpublished organisation. Staff and viewers read every
    name. The scope is hashed once for all rows (`IN`), for a page and an export alike."""
    name = models.F(f"{field}__name")
    if roles.can_read_internal(user):
        return name
    return models.Case(
        models.When(**{f"{field}__in": model.objects.for_user(user).values("pk")}, then=name),
        default=otherwise if otherwise is not None else models.Value(""),
        output_field=models.CharField(),
    )


class PortalQuerySet(models.QuerySet):
    """The portal's rows, fetched without the stored search documents (`document_field`),
    their own (see `WithoutDocumentsManager`) or those of the records `select_related` names:
    only the search's SQL reads them, and a page of rows would carry each record's words a
    second time. (A record reached through a foreign key, `_base_manager`, or written, whose
    save returns its generated columns, still carries them: one row at a time.)"""

    def select_related(self, *fields: str) -> PortalQuerySet:
        joined = super().select_related(*fields)
        documents = []
        for path in fields:
            if path is None:  # select_related(None): no join
                continue
            model, prefix = self.model, ""
            for name in path.split(LOOKUP_SEP):
                model = model._meta.get_field(name).related_model
                prefix += f"{name}{LOOKUP_SEP}"
                documents += [f"{prefix}{column}" for column in stored_documents(model).values()]
        return joined.defer(*documents) if documents else joined


class WithoutDocumentsManager(models.Manager):
    """The records of a model with stored search documents, fetched without them."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer(*stored_documents(self.model).values())


class PortalModel(models.Model):
    """Timestamps and the sample-data mark every record of the portal carries."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("Invented to make the demo richer: not a real record."),
    )

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        """Check each field, except a key whose record the instance holds as read from the
        database: Django reads that record again to know it exists. A form's choice and an
        inline row's parent are held so; saving a consultation's changed rows read each row's
        consultation, owner and organisation twice (the form's check and the service's): 37 of
        the 151 queries of six next steps and six findings."""
        super().clean_fields(exclude=set(exclude or ()) | self._held_records())

    def _held_records(self) -> set[str]:
        """The foreign keys whose record is held, loaded from the database, with that key (and
        no `limit_choices_to`, which only a query checks). A key that is empty is not held: a
        record deleted in memory keeps its loaded state with no key, and the field's own check
        must refuse it."""
        held = set()
        for field in self._meta.concrete_fields:
            if not field.many_to_one or field.get_limit_choices_to() or not field.is_cached(self):
                continue
            record = field.get_cached_value(self)
            if record is None or record._state.adding or record._state.db is None:
                continue
            key = getattr(self, field.attname)
            if key is not None and getattr(record, field.target_field.attname) == key:
                held.add(field.name)
        return held

    def _get_FIELD_display(self, field):
        """A choice's label (`get_<field>_display()`), from the field's choices read once.

        Django's own builds a dict of every choice at each call, translating every label to
        hash it: on the busiest city's page, 180 findings' themes cost ~3,000 translations."""
        labels = field.__dict__.get("_portal_choice_labels")
        if labels is None:
            labels = {make_hashable(value): label for value, label in field.flatchoices}
            if not isinstance(field.choices, CallableChoiceIterator):  # static choices only
                field._portal_choice_labels = labels
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


class ArchivableQuerySet(PortalQuerySet):
    """Archived records leave every list, page, export and count: each `for_user` starts
    from `active()`. Only the admin's archive views read `archived()` ones."""

    def active(self) -> ArchivableQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> ArchivableQuerySet:
        return self.filter(archived_at__isnull=False)


class Archivable(PortalModel):
    """A record that is archived instead of deleted (cities, organisations, officials,
    workshops, consultations). Archiving, restoring and deleting go through
    `scn_portal.services.record_archive`, `record_unarchive` and `record_delete_permanently`."""

    archived_at = models.DateTimeField(
        _("archived"),
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("Archived records are hidden everywhere until an admin restores them."),
    )

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ExportLog(models.Model):
    """Who exported or reported what, with which filters, how many rows, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="exports",
        verbose_name=_("user"),
        null=True,
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    export = models.CharField(_("what"), max_length=100, help_text=_("The list or report."))
    file_format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(
        _("rows"), null=True, blank=True, help_text=_("Empty while the export is running.")
    )

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.export} ({self.file_format})"


def _export_files():
    from django.core.files.storage import storages

    return storages["exports"]


class ExportJobQuerySet(models.QuerySet):
    def for_user(self, user) -> ExportJobQuerySet:
        """A background export and its file belong to whoever asked for it, admins included."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class ExportJob(models.Model):
    """An export too large to answer at once, run by the background worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    log = models.OneToOneField(
        ExportLog, models.SET_NULL, null=True, related_name="job", verbose_name=_("log entry")
    )
    view = models.CharField(_("list view"), max_length=200)
    path = models.CharField(_("list address"), max_length=200)
    export = models.CharField(_("what"), max_length=100)
    file_format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows expected"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), storage=_export_files, upload_to="%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file deleted after"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background export")
        verbose_name_plural = _("background exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.export} ({self.file_format})"

    def get_absolute_url(self) -> str:
        return reverse("export_job", kwargs={"pk": self.pk})

    def downloadable(self) -> bool:
        """Done, with its file, and not expired."""
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def filename(self) -> str:
        return f"scn-{self.export}-{self.created_at:%Y-%m-%d}.{self.file_format}"
