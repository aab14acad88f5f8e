"""Form building blocks: choices from the user's scope, type-ahead widgets."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.urls import reverse_lazy
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
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = KeysMultipleChoiceField  # the same field, one check more
            queryset = getattr(field, "queryset", None)
            if queryset is None or not hasattr(queryset, "for_user"):
                continue
            scope = Q(pk__in=queryset.for_user(user).values("pk"))
            stored = self._stored_pks(name)
            if not stored:
                field.queryset = queryset.filter(scope)
                continue
            field.queryset = queryset.filter(scope | Q(pk__in=stored))
            if not roles.can_read_internal(user):  # staff read every name, archived ones too
                field.queryset = field.queryset.annotate(
                    in_scope=Case(When(scope, then=True), default=False)
                )
                field.label_from_instance = _kept_unnamed(field.label_from_instance)

    def _stored_pks(self, name: str) -> list:
        if self.instance.pk is None:
            return []
        value = self.initial.get(name)
        values = value if isinstance(value, list | tuple) else [value]
        return [getattr(item, "pk", item) for item in values if item not in (None, "")]


# The largest key a record can have (a 64-bit integer).
MAX_KEY = 2**63 - 1


class KeysMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several records that refuses a number past any record's key as not one of
    the choices: Django looks such a key up, and SQLite cannot hold it (a 500)."""

    def _check_values(self, value):
        for key in value if isinstance(value, list | tuple) else ():
            try:
                number = int(key)  # " 9…9" and "-9…9" too
            except (TypeError, ValueError):
                continue  # not a number (or past Python's 4,300 digits): Django refuses it
            if abs(number) > MAX_KEY:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": key},
                )
        return super()._check_values(value)


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
            },
            **kwargs,
        )

    def optgroups(self, name, value, attrs=None):
        chosen = {str(item) for item in value if item}
        queryset = getattr(self.choices, "queryset", None)
        if queryset is not None:
            # Ask the database for the chosen rows only, not the whole table.
            self.choices = copy.copy(self.choices)
            pks = [pk for pk in chosen if pk.isascii() and pk.isdigit() and len(pk) < 19]
            self.choices.queryset = queryset.filter(pk__in=pks)
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
