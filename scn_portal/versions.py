"""No lost updates: every edit form carries the version of the record it was opened at.

A record's version is the newest history row of the record and of its inline children
(a consultation's findings and next steps, a workshop's supporters, participants and media):
every write path keeps history, so any change anywhere in what the form shows moves it on.
Saving over a newer version is refused with what changed meanwhile; the form comes back with
everything typed and the new version, so the user can merge and save again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, OuterRef, Subquery
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from scn_portal import roles

FIELD = "_version"
# Bookkeeping fields that every change moves: not worth telling the user about.
UNTOLD = {"updated_at", "created_at"}
# The most recent changes told beside a refused save (a bogus version must stay cheap).
SHOWN = 20


@dataclass(frozen=True)
class Change:
    """One change made meanwhile: by whom, when, and to what (field names or a row)."""

    who: str
    when: datetime.datetime
    what: str


class StaleVersionError(ValidationError):
    """The record changed since the form was opened."""

    def __init__(self, changes: list[Change]):
        self.changes = changes
        super().__init__(
            _(
                "Someone else saved this record after you opened it. Your changes are not "
                "saved yet: they are still in the form below. Check what changed meanwhile, "
                "merge it into the form, and save again."
            ),
            code="stale",
        )


def _histories(instance: models.Model) -> list[tuple[type[models.Model], dict, str]]:
    """(historical model, filter, label) of the record and of each inline child relation
    named in the model's `VERSION_CHILDREN`."""
    histories = [(instance.history.model, {"id": instance.pk}, "")]
    for name in getattr(type(instance), "VERSION_CHILDREN", ()):
        relation = instance._meta.get_field(name)
        child = relation.related_model
        histories.append(
            (child.history.model, {relation.field.name: instance.pk}, child._meta.verbose_name)
        )
    return histories


def current_version(instance: models.Model) -> str:
    """The version a form opened now carries: the newest history row of the record and of
    each child relation ("12.40.7"; each history table counts on its own)."""
    if instance.pk is None:
        return ""
    newest = [
        historical.objects.filter(**where).aggregate(newest=Max("history_id"))["newest"] or 0
        for historical, where, _ in _histories(instance)
    ]
    return ".".join(str(number) for number in newest)


def _parse(version: str, parts: int) -> list[int]:
    numbers = [
        # "²" is a digit to isdigit(); a history row's key has at most 18 digits here
        int(part) if part.isascii() and part.isdigit() and len(part) < 19 else 0
        for part in version.split(".")
    ]
    return (numbers + [0] * parts)[:parts]


def _history_rows(instance: models.Model, version: str) -> list[tuple[models.Model, str]]:
    """The history rows of the record and its children newer than `version`, oldest first."""
    histories = _histories(instance)
    rows = []
    for (historical, where, label), after in zip(
        histories, _parse(version, len(histories)), strict=True
    ):
        newer = historical.objects.filter(**where, history_id__gt=after).order_by("-history_id")
        rows += [(row, str(label)) for row in newer.select_related("history_user")[:SHOWN]]
    return sorted(rows, key=lambda pair: pair[0].history_date)[-SHOWN:]


def form_version(request, instance: models.Model) -> str:
    """The version a form page carries: the current one when the form opens; on a page sent
    back (an error), the one it was opened at — only a refused stale save moves it on."""
    if request.method == "POST":
        return request.POST.get(FIELD, "")
    return current_version(instance)


def version_annotation(model: type[models.Model]) -> Subquery:
    """A list's per-row version in SQL (for rows with no inline children, e.g. next steps)."""
    return Subquery(
        model.history.model.objects.filter(id=OuterRef("pk"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )


def _describe(row: models.Model, child: str, hidden: frozenset[str]) -> str | None:
    """What a history row changed, in words; None when nothing the user may see changed."""
    if child:
        kind = {"+": gettext("added"), "~": gettext("changed"), "-": gettext("deleted")}
        return f"{capfirst(child)}: {kind.get(row.history_type, '')} “{row.history_object}”"
    if row.history_type == "+":
        return pgettext("a record was", "created")
    previous = row.prev_record
    if previous is None:
        return gettext("changed")
    fields = [
        str(row.instance_type._meta.get_field(change.field).verbose_name)
        for change in row.diff_against(previous).changes
        if change.field not in UNTOLD | hidden
    ]
    return ", ".join(fields) or None


def changes_since(instance: models.Model, version: str, user=None) -> list[Change]:
    """Who changed what since `version`: field names, not values (the form shows the values
    the user may see; staff-only fields are not even named to others)."""
    hidden = (
        frozenset()
        if roles.is_isd_staff(user)
        else frozenset(getattr(type(instance), "STAFF_ONLY_FIELDS", ()))
    )
    changes = []
    for row, child in _history_rows(instance, version):
        what = _describe(row, child, hidden)
        if what is None:
            continue
        who = row.history_user
        changes.append(
            Change(
                who=roles.display_name(who) if who else gettext("the system"),
                when=row.history_date,
                what=what,
            )
        )
    return changes


def lock(instance: models.Model) -> None:
    """Lock the record's row and its inline rows until the transaction ends."""
    list(type(instance)._base_manager.select_for_update().filter(pk=instance.pk).values("pk"))
    for name in getattr(type(instance), "VERSION_CHILDREN", ()):
        relation = instance._meta.get_field(name)
        rows = relation.related_model._base_manager.filter(**{relation.field.name: instance.pk})
        list(rows.select_for_update().values("pk"))


def check_version(instance: models.Model, version: str | None, user=None) -> None:
    """Refuse (StaleVersionError) to save over a version newer than `version`.

    The record's row and its inline rows are locked first (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite writes one at a time anyway), so that two saves at the same moment — of
    the record, or of the record and one of its rows (a quick status change of a consultation's
    next step) — cannot both pass the check. Call it inside the saving transaction.
    """
    if instance.pk is None:
        return
    for name in getattr(type(instance), "VERSION_PARENTS", ()):
        parent = getattr(instance, name)
        if parent is not None:  # parents first: every save takes its locks in one order
            lock(parent)
    lock(instance)
    if version is None or version != current_version(instance):
        raise StaleVersionError(changes_since(instance, version or "", user))


def refused_changes(error: ValidationError) -> Iterable[Change]:
    return getattr(error, "changes", ())
