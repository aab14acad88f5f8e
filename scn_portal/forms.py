"""Form building blocks: choices from the user's scope, type-ahead widgets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy


class ScopedModelForm(forms.ModelForm):
    """A model form whose related-record choices come from the user's scope (`for_user`)."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_user"):
                field.queryset = queryset.for_user(user)


class TypeaheadMixin:
    """Render only the chosen options; `static/js/typeahead.js` fetches the rest as you type.

    Without JavaScript the field still shows and keeps what is chosen; with it, a search box
    asks the autocomplete URL (which answers from the user's scope).
    """

    def __init__(self, url: str, attrs=None, **kwargs):
        super().__init__(attrs={**(attrs or {}), "data-typeahead": url}, **kwargs)

    def optgroups(self, name, value, attrs=None):
        chosen = {str(item) for item in value if item}
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
