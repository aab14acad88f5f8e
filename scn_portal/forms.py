"""Form building blocks: choices from the user's scope, type-ahead widgets."""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.urls import reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scn_portal import roles

# Inline rows one form may carry (findings, participants, ...): more is refused, not processed.
MAX_ROWS = 200
NOT_SHOWN = _("(not shown)")


class ScopedModelForm(forms.ModelForm):
    """A model form whose related-record choices come from the user's scope (`for_user`).

    Values the record already holds stay valid choices even outside that scope (a partner
    keeps the officials already listed at their workshop), so saving a record unchanged
    never drops or refuses what someone else entered. Such a value is kept, not shown: its
    option reads "(not shown)", as the record's page has it, never the name the user's scope
    hides (an official who did not consent to be named, an unpublished city).

    `team_fields` choose ISD team members (a next step's owner, a consultation's team): they
    offer the active team (`roles.team_members_for`), named by full name, and keep, in the
    same way, whoever the record holds (a colleague who has left).
    """

    team_fields: tuple[str, ...] = ()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            checking_keys(field)
            queryset = getattr(field, "queryset", None)
            if name in self.team_fields:
                offered = roles.team_members_for(user)
                field.label_from_instance = roles.display_name
            elif queryset is not None and hasattr(queryset, "for_user"):
                offered = queryset.for_user(user)
                queryset = labelled_as_chosen(field, queryset)
            else:
                continue
            scope = Q(pk__in=offered.values("pk"))
            stored = self._stored_pks(name)
            if not stored:
                field.queryset = queryset.filter(scope)
            else:
                field.queryset = queryset.filter(scope | Q(pk__in=stored))
                if not roles.can_read_internal(user):  # staff read every name, archived too
                    field.queryset = field.queryset.annotate(
                        in_scope=Case(When(scope, then=True), default=False)
                    )
                    field.label_from_instance = _kept_unnamed(field.label_from_instance)
            # What `ScopedInlineFormSet` needs to read every row's choice in one query.
            field.scoped = Scoped(queryset, scope, {str(pk) for pk in stored}, field.queryset)

    # An inline row that is saved only when changed (`formset_rows`): unchanged, it is not
    # checked against the database either (its related records exist, its constraints, as
    # it is stored), which cost about 17 queries a row (3,400 for 200 participants).
    skipped_unchanged = False

    def _post_clean(self):
        if self.skipped_unchanged and self.instance.pk is not None and not self.has_changed():
            return
        super()._post_clean()

    def _stored_pks(self, name: str) -> list:
        if self.instance.pk is None:
            return []
        value = self.initial.get(name)
        values = value if isinstance(value, list | tuple) else [value]
        return [getattr(item, "pk", item) for item in values if item not in (None, "")]


# The largest key a record can have (a 64-bit integer).
MAX_KEY = 2**63 - 1


def past_any_key(key) -> bool:
    """Whether `key` is a number past any record's key: Django looks such a key up, and
    SQLite cannot hold it (a 500)."""
    try:
        number = int(key)  # " 9…9" and "-9…9" too
    except (TypeError, ValueError):
        return False  # not a number (or past Python's 4,300 digits): Django refuses it
    return abs(number) > MAX_KEY


class KeysInRange:
    """A choice field that never shows as chosen, when its form comes back with an error, a
    value no record's key can be ("abc", "5.0", a number past any key): its widget would
    look it up (the admin's autocomplete does), and fail."""

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        if self.disabled:  # the initial value, as stored: records, not keys typed
            return data
        if isinstance(data, list | tuple):
            return [key for key in data if self._could_be_a_key(key)]
        return data if self._could_be_a_key(data) else ""

    def _could_be_a_key(self, value) -> bool:
        if value in self.empty_values:
            return True
        try:
            self.queryset.model._meta.pk.to_python(value)
        except ValidationError:
            return False
        return not past_any_key(value)


class KeysMultipleChoiceField(KeysInRange, forms.ModelMultipleChoiceField):
    """A choice of several records that refuses a number past any record's key as not one of
    the choices, as Django does for a choice of one."""

    def _check_values(self, value):
        for key in value if isinstance(value, list | tuple) else ():
            if past_any_key(key):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": key},
                )
        return super()._check_values(value)


def checking_keys(field: forms.Field) -> forms.Field:
    """A choice of records as the portal's: the same field, of the class that refuses (and
    never looks up) what no key can be, and may be read with its rows' (a choice of one)."""
    if type(field) is forms.ModelMultipleChoiceField:
        field.__class__ = KeysMultipleChoiceField
    elif type(field) is forms.ModelChoiceField:
        field.__class__ = ChosenRecordField
    return field


class Scoped(NamedTuple):
    """How `ScopedModelForm` chose a field's choices: `unscoped` in `scope`, or `kept` (the
    keys the record already holds), giving `queryset`."""

    unscoped: Any
    scope: Q
    kept: set[str]
    queryset: Any


class ChosenRecordField(KeysInRange, forms.ModelChoiceField):
    """A choice of one record that may be handed its chosen record, read beforehand with the
    other rows' (`ScopedInlineFormSet`): then it neither checks nor shows it with a query."""

    # The records this row may choose among those chosen in any row, by key; None: not read.
    chosen: dict[str, Any] | None = None

    def to_python(self, value):
        if self.chosen is not None and isinstance(value, str) and value in self.chosen:
            return self.chosen[value]
        return super().to_python(value)


class ScopedInlineFormSet(forms.BaseInlineFormSet):
    """Inline rows of `ScopedModelForm`s whose chosen records (a participant's official,
    organisation and city; a next step's owner) are read in one query a field for all the
    rows, to show them and to check them, where each row would read its own: a workshop of
    200 participants opened its form with 600 queries. Each row gets exactly the records its
    own field would accept: those in the user's scope, and those it already holds."""

    @cached_property
    def forms(self):
        rows = super().forms
        for name, field in rows[0].fields.items() if rows else ():
            if isinstance(field, ChosenRecordField):
                _read_chosen_together(
                    [row.fields[name] for row in rows], [row[name] for row in rows]
                )
        pk_name = self.model._meta.pk.name
        for row in rows:  # each row's own record, already read by the formset
            row.skipped_unchanged = True
            if row.is_bound and row.instance.pk is not None and pk_name in row.fields:
                row.fields[pk_name].__class__ = ChosenRecordField
                row.fields[pk_name].chosen = {str(row.instance.pk): row.instance}
        return rows

    def clean(self):
        """Refuse a count of rows below those the form was given, or below nought: the rows
        past it, typed or not, were left out unseen, and the record saved without them."""
        super().clean()
        if self.is_bound and not 0 <= self.initial_form_count() <= self.total_form_count():
            raise ValidationError(
                gettext(
                    "The rows of %(rows)s were sent altered (their count does not match the "
                    "form's): reload the page and enter them again."
                ),
                params={"rows": self.model._meta.verbose_name_plural},
                code="altered_row_count",
            )


def _read_chosen_together(fields: list[ChosenRecordField], bound_fields: list) -> None:
    """Hand each row's field the records it may choose among those chosen in any row, read in
    one query. Only where every row's choices are known, the user's scope and the row's kept
    values (`ScopedModelForm`): a field whose choices a form narrows itself keeps reading its
    own, row by row."""
    keys = readable_keys(str(value) for bound in bound_fields if (value := bound.value()))
    scoped = [getattr(each, "scoped", None) for each in fields]
    rows = list(zip(fields, scoped, strict=True))
    if all(s is not None and each.queryset is s.queryset for each, s in rows):
        scope = scoped[0].scope
        kept = set().union(*(s.kept for s in scoped))
        read = (
            scoped[0]
            .unscoped.filter(scope | Q(pk__in=kept))
            .filter(pk__in=keys)
            .annotate(in_scope=Case(When(scope, then=True), default=False))
        )
        records = {str(record.pk): record for record in read}
        for each, s in rows:
            each.chosen = {
                key: record for key, record in records.items() if record.in_scope or key in s.kept
            }


def readable_keys(values) -> list[str]:
    """The values that can be a record's key as typed in a form (ASCII digits, within a
    64-bit key): the others are no record, and are not looked up."""
    return [key for key in set(values) if key.isascii() and key.isdigit() and len(key) < 19]


def choice_label(obj) -> str:
    """How a record reads as a choice, in a type-ahead's suggestions and once chosen: its
    model's `choice_label()` where it has one (an official's role and city beside the name,
    to tell two of one name apart), else its name."""
    return obj.choice_label() if hasattr(obj, "choice_label") else str(obj)


def labelled_as_chosen(field, queryset):
    """Name `field`'s records by their `choice_label`, as their type-ahead names them (an
    official's role and city, a workshop's date); returns `queryset` reading with its rows
    what the labels show (an official's city). A person reads by their name, as suggested
    (not "demo.staff"); a model without either keeps its own names."""
    if queryset.model is get_user_model():
        field.label_from_instance = roles.display_name
        return queryset
    if not hasattr(queryset.model, "choice_label"):
        return queryset
    field.label_from_instance = choice_label
    related = getattr(queryset.model, "choice_related", ())
    return queryset.select_related(*related) if related else queryset


def _kept_unnamed(label_from_instance):
    """A choice field's labels, with a record kept outside the user's scope (`in_scope`
    false, read with the choices: no query more) named "(not shown)"."""

    def label(obj) -> str:
        return label_from_instance(obj) if getattr(obj, "in_scope", True) else str(NOT_SHOWN)

    return label


class TypeaheadMixin:
    """Render only the chosen options; `static/js/typeahead.js` fetches the rest as you type.

    Without JavaScript the field still shows and keeps what is chosen; with it, a search box
    asks the autocomplete URL (which answers from the user's scope).
    """

    def __init__(self, url: str, attrs=None, **kwargs):
        super().__init__(
            attrs={
                **(attrs or {}),
                "data-typeahead": url,
                "data-no-results": _("No results found"),
                "data-remove": _("Remove"),
                "data-clear": _("Clear this choice"),
            },
            **kwargs,
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if not self.is_required:  # its clear button empties it (a required choice has none)
            context["widget"]["attrs"]["data-clearable"] = "true"
        return context

    def optgroups(self, name, value, attrs=None):
        chosen = {str(item) for item in value if item}
        field = getattr(self.choices, "field", None)
        records = getattr(field, "chosen", None)
        if records is not None:  # read beforehand, with the other rows' (ScopedInlineFormSet)
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            self.choices = empty + [
                self.choices.choice(record) for key, record in records.items() if key in chosen
            ]
        elif (queryset := getattr(self.choices, "queryset", None)) is not None:
            # Ask the database for the chosen rows only, not the whole table.
            self.choices = copy.copy(self.choices)
            self.choices.queryset = queryset.filter(pk__in=readable_keys(chosen))
        groups = super().optgroups(name, value, attrs)
        return [
            (
                group,
                [
                    option
                    for option in options
                    if str(option["value"]) in chosen or option["value"] == ""
                ],
                index,
            )
            for group, options, index in groups
        ]


class TypeaheadSelect(TypeaheadMixin, forms.Select):
    pass


class TypeaheadSelectMultiple(TypeaheadMixin, forms.SelectMultiple):
    pass


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO form, as `<input type=date>` wants it."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def typeahead(url_name: str, multiple: bool = False) -> forms.Widget:
    url = reverse_lazy(url_name)
    return TypeaheadSelectMultiple(url) if multiple else TypeaheadSelect(url)


def formset_rows(formset) -> list[tuple[Any, dict[str, Any], bool]]:
    """A validated inline formset as (instance, cleaned data, delete?) rows for a service.

    Unchanged rows are left out (no needless history); the parent link is left to the service.
    """
    skip = {"id", "DELETE", formset.fk.name}
    rows = []
    for form in formset.forms:
        if not form.has_changed():
            continue
        data = {name: value for name, value in form.cleaned_data.items() if name not in skip}
        rows.append((form.instance, data, bool(form.cleaned_data.get("DELETE"))))
    return rows
