"""History pages: who changed what and when, field by field, for a record and its inline rows;
and an admin's restore of an earlier version.

Every page starts from `history_scope()`: the model's `for_user` scope, narrowed for partner
editors to their own organisations' workshops (and to nothing else). A field the user may not
read (`INTERNAL_FIELDS`) is never shown, and a related record is named through its own model's
`for_user`: one the user may not see reads "(not shown)".

A page of history costs the same number of queries whatever its length: the rows of the record
and of its inline children come from one UNION (paginated in SQL), then one query per model for
those rows (with their authors) and one for the versions before them, one per many-to-many
field, and one per related model for the names.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, View
from simple_history.utils import get_m2m_reverse_field_name

from cities.models import City, Official, Organisation
from consultations.models import Consultation, NextStep
from scn_portal import roles
from scn_portal.forms import NOT_SHOWN
from scn_portal.generic import NotFoundWhenRefusedMixin, ScopedMixin
from scn_portal.services import record_restore
from workshops.models import Workshop

EMPTY = "—"
# Bookkeeping every save moves: never worth a line in the history.
UNTOLD_FIELDS = frozenset({"id", "created_at", "updated_at", "is_sample"})

# Fields only some users may read, with the rule that says who. The history shows them (old and
# new values alike) to those users only; everyone else never sees the field or its changes.
INTERNAL_FIELDS: dict[type[models.Model], tuple[Callable[[roles.User], bool], frozenset[str]]] = {
    # Who a workshop belongs to, whether it is public and ISD's notes: ISD staff's business.
    Workshop: (roles.is_isd_staff, Workshop.STAFF_ONLY_FIELDS),
    # Private contact details and ISD's notes on the person (see the official's page).
    Official: (Official.contact_visible_to, frozenset({"email", "phone", "notes"})),
    # "How the city is governed ... (internal)."
    City: (roles.can_read_internal, frozenset({"local_government_profile"})),
    # "What was discussed (internal notes)."
    Consultation: (roles.can_read_internal, frozenset({"summary"})),
    NextStep: (roles.can_read_internal, frozenset({"description"})),
}


def hidden_fields(model: type[models.Model], user: roles.User) -> frozenset[str]:
    """The fields of `model` whose values and changes `user` may not see."""
    may_read, fields = INTERNAL_FIELDS.get(model, (None, frozenset()))
    if may_read is None or may_read(user):
        return UNTOLD_FIELDS
    return UNTOLD_FIELDS | fields


def history_scope(model: type[models.Model], user: roles.User) -> models.QuerySet:
    """The records whose history `user` may read.

    Staff and viewers: every record they may open. Partner editors: their own organisations'
    workshops (`editable_by`), nothing else. Everyone else: nothing.
    """
    records = model.objects.for_user(user)
    if roles.can_read_internal(user):
        return records
    if model is Workshop:
        return records.filter(pk__in=Workshop.objects.editable_by(user).values("pk"))
    return records.none()


def may_read_history(user: roles.User, record: models.Model) -> bool:
    """Whether the History link of a record's page leads anywhere for `user`."""
    if type(record) not in HISTORY_VIEWS:
        return False
    if roles.can_read_internal(user):
        return True  # every record they can open: the page showing the link is one
    return history_scope(type(record), user).filter(pk=record.pk).exists()


def may_restore(user: roles.User) -> bool:
    return roles.is_portal_admin(user)


# --- Diffs ---------------------------------------------------------------------------------


@dataclass
class Change:
    """One field's change: old and new values as shown, or the names added and removed."""

    label: str
    old: str = ""
    new: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    is_many: bool = False


@dataclass
class Entry:
    """One history row as the page shows it."""

    subject: str
    is_child: bool
    action: str
    history_type: str
    user: models.Model | None
    date: datetime.datetime
    reason: str
    changes: list[Change]
    restore_url: str = ""
    withheld: bool = False  # written, or replacing what was written, while sealed


ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def shown_fields(model: type[models.Model], hidden: Iterable[str]) -> list[models.Field]:
    """The tracked, non-many-to-many fields of `model`'s history that a user may see."""
    history_model = model.history.model
    return [f for f in history_model.tracked_fields if f.name not in hidden]


def many_fields(model: type[models.Model], hidden: Iterable[str]) -> list[models.Field]:
    return [f for f in model.history.model._history_m2m_fields if f.name not in hidden]


def _related_model(model_field: models.Field) -> type[models.Model]:
    return model_field.related_model


def m2m_snapshots(
    model: type[models.Model], history_ids: Iterable[int], fields: list[models.Field]
) -> dict[str, dict[int, set]]:
    """{field name: {history id: related pks}}: one query per many-to-many field."""
    history_ids = list(history_ids)
    snapshots: dict[str, dict[int, set]] = {}
    for m2m_field in fields:
        rows = getattr(model.history.model, m2m_field.name).model.objects
        target = f"{get_m2m_reverse_field_name(m2m_field)}_id"
        snapshot: dict[int, set] = defaultdict(set)
        if history_ids:
            for history_id, pk in rows.filter(history_id__in=history_ids).values_list(
                "history_id", target
            ):
                snapshot[history_id].add(pk)
        snapshots[m2m_field.name] = snapshot
    return snapshots


class Names:
    """Related records' names, read through each model's `for_user` in one query per model."""

    def __init__(self, user: roles.User):
        self.user = user
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.names: dict[type[models.Model], dict] = {}

    def want(self, model: type[models.Model], pks: Iterable) -> None:
        self.wanted[model].update(pk for pk in pks if pk is not None)

    def resolve(self) -> None:
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            if not pks:
                continue
            if model is user_model:
                people = user_model._default_manager.filter(pk__in=pks)
                self.names[model] = {p.pk: roles.display_name(p) for p in people}
                continue
            manager = model._default_manager
            scope = manager.for_user(self.user) if hasattr(manager, "for_user") else manager.none()
            self.names[model] = {obj.pk: str(obj) for obj in scope.filter(pk__in=pks)}

    def name(self, model: type[models.Model], pk) -> str:
        if pk is None:
            return EMPTY
        return str(self.names.get(model, {}).get(pk, NOT_SHOWN))


def display(model_field: models.Field, value, names: Names) -> str:
    """A value as people read it: a related record's name, a choice's label, Yes or No."""
    if value is None or value == "":
        return EMPTY
    if model_field.is_relation:
        return names.name(_related_model(model_field), value)
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        return display_date(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j F Y")  # as the record pages show dates
    return str(value)


def want_names(
    names: Names,
    fields: list[models.Field],
    m2m: list[models.Field],
    versions: Iterable,
    snapshots: dict[str, dict[int, set]],
) -> None:
    """Ask `names` for every related record these versions refer to."""
    versions = [v for v in versions if v is not None]
    for model_field in fields:
        if model_field.is_relation:
            names.want(
                _related_model(model_field), (getattr(v, model_field.attname) for v in versions)
            )
    for m2m_field in m2m:
        for pks in snapshots.get(m2m_field.name, {}).values():
            names.want(_related_model(m2m_field), pks)


def changes_between(
    old,
    new,
    *,
    fields: list[models.Field],
    m2m: list[models.Field],
    old_m2m: dict[str, set],
    new_m2m: dict[str, set],
    names: Names,
    sealed: Iterable = (),
    sealed_m2m: dict[str, set] | None = None,
) -> list[Change]:
    """What differs from `old` to `new` (history rows or records; `old` None: all that is set).

    `old_m2m` and `new_m2m` map a many-to-many field's name to its related pks. `sealed`:
    versions the user may not read (see `RecordHistoryView.sealed_periods`), and
    `sealed_m2m` their related pks: a value of theirs, carried into a version the user may
    read (a summary left as it was), reads "(not shown)".
    """
    sealed, sealed_m2m = list(sealed), sealed_m2m or {}

    def shown(model_field: models.Field, value) -> str:
        if _is_sealed(model_field, value, sealed):
            return str(NOT_SHOWN)
        return display(model_field, value, names)

    changes = []
    for model_field in fields:
        after = getattr(new, model_field.attname)
        before = getattr(old, model_field.attname) if old is not None else None
        if before == after or (old is None and after in (None, "")):
            continue
        changes.append(
            Change(
                label=capfirst(model_field.verbose_name),
                old=shown(model_field, before) if old is not None else EMPTY,
                new=shown(model_field, after),
            )
        )
    for m2m_field in m2m:
        before, after = old_m2m.get(m2m_field.name, set()), new_m2m.get(m2m_field.name, set())
        if before == after:
            continue
        related, hidden = _related_model(m2m_field), sealed_m2m.get(m2m_field.name, set())

        def named(pk, related=related, hidden=hidden) -> str:
            return str(NOT_SHOWN) if pk in hidden else names.name(related, pk)

        changes.append(
            Change(
                label=capfirst(m2m_field.verbose_name),
                added=sorted(named(pk) for pk in after - before),
                removed=sorted(named(pk) for pk in before - after),
                is_many=True,
            )
        )
    return changes


def _is_sealed(model_field: models.Field, value, sealed: list) -> bool:
    """Whether `value` of `model_field` is what a sealed version held (a yes or no, a choice
    or an empty value tells nothing and is shown)."""
    if not sealed or value in (None, "") or model_field.flatchoices:
        return False
    if isinstance(model_field, models.BooleanField):
        return False
    return any(getattr(version, model_field.attname) == value for version in sealed)


# --- The history page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """An inline child relation whose rows' history shows on the parent's page.

    `label_field`: a foreign key naming the row (a participant's official), else `str(row)`.
    """

    relation: str
    label_field: str = ""


@dataclass
class Source:
    """One history table on the page: the record's own, or one child relation's."""

    model: type[models.Model]
    rows: models.QuerySet
    child: Child | None = None
    parent_field: str = ""


class RecordHistoryView(ScopedMixin, DetailView):
    """A record's history with its inline children's, newest first, paginated.

    Declare `model`, `url_kwarg` ("slug" or "pk"), `restore_url_name` and `children`.
    """

    url_kwarg = "pk"
    url_name = ""
    restore_url_name = ""
    children: tuple[Child, ...] = ()
    paginate_by = 25
    template_name = "scn_portal/history.html"

    def get_queryset(self) -> models.QuerySet:
        return history_scope(self.model, self.request.user)

    def sources(self) -> list[Source]:
        record = self.object
        sources = [Source(self.model, self.model.history.filter(id=record.pk))]
        for child in self.children:
            relation = self.model._meta.get_field(child.relation)
            child_model = relation.related_model
            parent_field = relation.field
            sources.append(
                Source(
                    child_model,
                    # Every row that ever belonged to this record: deleted ones included.
                    child_model.history.filter(**{parent_field.attname: record.pk}),
                    child,
                    parent_field.name,
                )
            )
        return sources

    def get_context_data(self, **kwargs):
        sources = self.sources()
        first, *others = [
            source.rows.order_by()
            .annotate(source=Value(index, output_field=IntegerField()))
            .values_list("history_id", "history_date", "source")
            for index, source in enumerate(sources)
        ]
        # One UNION ALL of every table (a chained union would nest, which SQLite refuses).
        timeline = (first.union(*others, all=True) if others else first).order_by(
            "-history_date", "-history_id", "-source"
        )
        page = Paginator(timeline, self.paginate_by).get_page(self.request.GET.get("page"))
        entries = self.entries(sources, list(page.object_list))
        return super().get_context_data(
            entries=entries,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            record=self.object,
            record_kind=capfirst(self.model._meta.verbose_name),
            **kwargs,
        )

    def entries(self, sources: list[Source], timeline: list[tuple]) -> list[Entry]:
        user = self.request.user
        wanted: dict[int, list[int]] = defaultdict(list)
        for history_id, _date, index in timeline:
            wanted[index].append(history_id)
        names = Names(user)
        sealed = self.sealed_periods()
        loaded = {}
        for index, history_ids in wanted.items():
            loaded[index] = self.load(sources[index], history_ids, names, sealed)
        names.resolve()
        latest = (
            self.model.history.filter(id=self.object.pk)
            .order_by("-history_id")
            .values_list("history_id", flat=True)
            .first()
        )
        restorable = bool(self.restore_url_name) and may_restore(user)
        entries = []
        for history_id, _date, index in timeline:
            source = sources[index]
            rows, previous, fields, m2m, snapshots, sealed_versions = loaded[index]
            row = rows[history_id]
            before = previous.get(row.prev_id)
            carried = sealed_versions.get(row.id, [])
            withheld = any(
                start <= version.history_date < end
                for version in (row, before)
                if version is not None
                for start, end in sealed
            )
            if row.history_type == "-" or withheld:
                changes = []
            else:
                changes = changes_between(
                    before if row.history_type != "+" else None,
                    row,
                    fields=fields,
                    m2m=m2m,
                    old_m2m={n: s.get(row.prev_id, set()) for n, s in snapshots.items()},
                    new_m2m={n: s.get(history_id, set()) for n, s in snapshots.items()},
                    names=names,
                    sealed=carried,
                    sealed_m2m={
                        n: set().union(*(s.get(v.history_id, set()) for v in carried))
                        for n, s in snapshots.items()
                    },
                )
            restore_url = ""
            if (
                restorable
                and source.child is None
                and row.history_type != "-"
                and history_id != latest
            ):
                restore_url = reverse(
                    self.restore_url_name, kwargs={**self.kwargs, "history_id": history_id}
                )
            entries.append(
                Entry(
                    subject=(
                        capfirst(source.model._meta.verbose_name)
                        if withheld or self.names_sealed(source, row, carried)
                        else self.subject(source, row, names)
                    ),
                    is_child=source.child is not None,
                    action=str(ACTIONS.get(row.history_type, row.history_type)),
                    history_type=row.history_type,
                    user=row.history_user,
                    date=row.history_date,
                    reason=row.history_change_reason or "",
                    changes=changes,
                    restore_url=restore_url,
                    withheld=withheld,
                )
            )
        return entries

    def sealed_periods(self) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The periods (from, until) whose versions the user may not read, though they may
        read the record now: what was written then, or replaced then, shows as a change
        without its values. None by default."""
        return []

    def names_sealed(self, source: Source, row, carried: list) -> bool:
        """Whether a child row's name (a finding's text) is what a sealed version held."""
        if source.child is None or source.child.label_field or not carried:
            return False
        return any(str(version.history_object) == str(row.history_object) for version in carried)

    def load(self, source: Source, history_ids: list[int], names: Names, sealed=()):
        """The page's rows of one history table, the versions before them, and their
        many-to-many snapshots; the names they need are asked of `names`. With `sealed`
        periods, also each record's last version inside each of them (by record id)."""
        history_model = source.model.history.model
        before = (
            history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        rows = {
            row.history_id: row
            for row in history_model.objects.filter(history_id__in=history_ids)
            .select_related("history_user")
            .annotate(prev_id=Subquery(before))
        }
        prev_ids = {row.prev_id for row in rows.values() if row.prev_id is not None}
        previous = {
            row.history_id: row for row in history_model.objects.filter(history_id__in=prev_ids)
        }
        sealed_versions = self.sealed_versions(history_model, rows.values(), sealed)
        kept = [v.history_id for versions in sealed_versions.values() for v in versions]
        hidden = set(hidden_fields(source.model, self.request.user))
        if source.parent_field:
            hidden.add(source.parent_field)  # the parent itself: the page is about it
        fields = shown_fields(source.model, hidden)
        m2m = many_fields(source.model, hidden)
        snapshots = m2m_snapshots(source.model, [*rows, *prev_ids, *kept], m2m) if m2m else {}
        want_names(names, fields, m2m, [*rows.values(), *previous.values()], snapshots)
        if source.child is not None and source.child.label_field:
            label_field = source.model._meta.get_field(source.child.label_field)
            names.want(
                _related_model(label_field),
                (getattr(row, label_field.attname) for row in rows.values()),
            )
        return rows, previous, fields, m2m, snapshots, sealed_versions

    @staticmethod
    def sealed_versions(history_model, rows, sealed) -> dict[Any, list]:
        """For each record of `rows`, its last version inside each sealed period: what it
        said when the period ended, which a later version may still carry."""
        if not sealed:
            return {}
        versions: dict[Any, list] = defaultdict(list)
        ends = [end for _start, end in sealed]
        for version in history_model.objects.filter(
            id__in={row.id for row in rows}, history_date__lt=max(ends)
        ).order_by("history_date", "history_id"):
            versions[version.id].append(version)
        return {
            record: [
                inside[-1]
                for start, end in sealed
                if (inside := [v for v in found if start <= v.history_date < end])
            ]
            for record, found in versions.items()
        }

    def subject(self, source: Source, row, names: Names) -> str:
        if source.child is None:
            return capfirst(source.model._meta.verbose_name)
        label = ""
        if source.child.label_field:
            label_field = source.model._meta.get_field(source.child.label_field)
            pk = getattr(row, label_field.attname)
            if pk is not None:
                label = names.name(_related_model(label_field), pk)
        if not label:
            label = str(row.history_object)  # from the row itself: `instance` queries
        return f"{capfirst(source.model._meta.verbose_name)}: {label}"


class RecordRestoreView(NotFoundWhenRefusedMixin, View):
    """Restore a record to a version of its history: admins only, POST only.

    The history page's button posts here without `confirm`: the answer shows what the restore
    would change, and its own button posts again with `confirm`, which restores.
    """

    history_view: type[RecordHistoryView] = RecordHistoryView
    http_method_names = ["post"]

    def has_permission(self) -> bool:
        return may_restore(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        # A GET is refused as such for every signed-in role, before any record is looked up.
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, history_id: int, **kwargs):
        view = self.history_view
        lookup = {view.url_kwarg: kwargs[view.url_kwarg]}
        record = history_scope(view.model, request.user).filter(**lookup).first()
        if record is None:
            raise Http404
        version = (
            view.model.history.filter(id=record.pk, history_id=history_id)
            .exclude(history_type="-")
            .select_related("history_user")
            .first()
        )
        if version is None:
            raise Http404
        history_url = reverse(view.url_name, kwargs=lookup)
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "scn_portal/history_restore.html",
                {
                    "record": record,
                    "record_kind": capfirst(view.model._meta.verbose_name),
                    "version": version,
                    "changes": self.changes(record, version),
                    "history_url": history_url,
                },
            )
        try:
            restored = record_restore(version=version, actor=request.user)
        except ValidationError as error:
            messages.error(
                request,
                gettext("This version could not be restored: %(reasons)s")
                % {"reasons": " ".join(_messages(error, view.model))},
            )
        else:
            messages.success(
                request,
                gettext("%(record)s is back to its version of %(date)s.")
                % {"record": restored, "date": display_date(version.history_date)},
            )
            history_url = history_url_of(restored)  # the restore may bring back an old slug
        return HttpResponseRedirect(history_url)

    def changes(self, record: models.Model, version) -> list[Change]:
        """What restoring `version` would change in the record as it is now."""
        model = type(record)
        names = Names(self.request.user)
        fields = [
            f
            for f in shown_fields(model, hidden_fields(model, self.request.user))
            if f.editable and not f.primary_key
        ]
        m2m = many_fields(model, hidden_fields(model, self.request.user))
        snapshots = m2m_snapshots(model, [version.history_id], m2m)
        current = {
            m2m_field.name: set(getattr(record, m2m_field.name).values_list("pk", flat=True))
            for m2m_field in m2m
        }
        want_names(names, fields, m2m, [record, version], snapshots)
        for m2m_field in m2m:
            names.want(_related_model(m2m_field), current[m2m_field.name])
        names.resolve()
        return changes_between(
            record,
            version,
            fields=fields,
            m2m=m2m,
            old_m2m=current,
            new_m2m={n: s.get(version.history_id, set()) for n, s in snapshots.items()},
            names=names,
        )


def display_date(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "j F Y, H:i")


def _messages(error: ValidationError, model: type[models.Model]) -> list[str]:
    """A ValidationError's messages, each field's prefixed with its label."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    found = []
    for name, errors in error.message_dict.items():
        try:
            label = capfirst(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # NON_FIELD_ERRORS
            label = ""
        found += [f"{label}: {message}" if label else message for message in errors]
    return found


# --- The six records' history pages ----------------------------------------------------------


class CityHistoryView(RecordHistoryView):
    model = City
    url_kwarg = "slug"
    url_name = "cities:city_history"
    restore_url_name = "cities:city_history_restore"
    children = (Child("devolved_powers"), Child("mechanisms"))


class OfficialHistoryView(RecordHistoryView):
    model = Official
    url_name = "cities:official_history"
    restore_url_name = "cities:official_history_restore"


class OrganisationHistoryView(RecordHistoryView):
    model = Organisation
    url_kwarg = "slug"
    url_name = "cities:organisation_history"
    restore_url_name = "cities:organisation_history_restore"


class WorkshopHistoryView(RecordHistoryView):
    model = Workshop
    url_kwarg = "slug"
    url_name = "workshops:workshop_history"
    restore_url_name = "workshops:workshop_history_restore"
    children = (
        Child("supports", label_field="organisation"),
        Child("participations", label_field="official"),
        Child("media_coverage"),
    )


def confidential_periods(
    consultation_id: int | None, user: roles.User
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """When the consultation was confidential, from its history, for a user who may not read
    a confidential consultation (a viewer): once it is made internal, its page opens to them,
    but what was written while it was confidential (its summary, its findings) stays ISD
    staff's. Empty for ISD staff, and for no consultation."""
    if consultation_id is None or roles.is_isd_staff(user):
        return []
    versions = (
        Consultation.history.filter(id=consultation_id)
        .order_by("history_date", "history_id")
        .values_list("history_date", "confidentiality")
    )
    periods, began = [], None
    for when, confidentiality in versions:
        confidential = confidentiality == Consultation.Confidentiality.CONFIDENTIAL
        if confidential and began is None:
            began = when
        elif not confidential and began is not None:
            periods.append((began, when))
            began = None
    if began is not None:  # confidential still: nobody but ISD staff reads this page
        periods.append((began, timezone.now()))
    return periods


class ConsultationHistoryView(RecordHistoryView):
    model = Consultation
    url_name = "consultations:consultation_history"
    restore_url_name = "consultations:consultation_history_restore"
    children = (Child("findings"), Child("next_steps"))

    def sealed_periods(self):
        return confidential_periods(self.object.pk, self.request.user)


class NextStepHistoryView(RecordHistoryView):
    model = NextStep
    url_name = "consultations:next_step_history"
    restore_url_name = "consultations:next_step_history_restore"
    children = (Child("updates"),)

    def sealed_periods(self):
        return confidential_periods(self.object.consultation_id, self.request.user)


HISTORY_VIEWS: dict[type[models.Model], type[RecordHistoryView]] = {
    view.model: view
    for view in (
        CityHistoryView,
        OfficialHistoryView,
        OrganisationHistoryView,
        WorkshopHistoryView,
        ConsultationHistoryView,
        NextStepHistoryView,
    )
}


def history_url_of(record: models.Model) -> str:
    view = HISTORY_VIEWS[type(record)]
    return reverse(view.url_name, kwargs={view.url_kwarg: getattr(record, view.url_kwarg)})
