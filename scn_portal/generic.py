"""The portal's generic views and filter set: every page starts from the user's scope.

A list, detail or edit page declares its model and the QuerySet work it needs; the rows it
shows always come from `Model.objects.for_user(request.user)` (or `editable_by` for edits), so
a record outside the user's scope is a 404, never a leak.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Any

import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.forms import Form, NullBooleanSelect, Select
from django.forms.utils import pretty_name
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from scn_portal import versions
from scn_portal.exports import EXPORTERS, Column
from scn_portal.forms import labelled_as_chosen
from scn_portal.services import export_job_start, export_log_finish, export_log_start
from scn_portal.text import every_word_in, search_words


def scoped_choices(model: type[models.Model]):
    """Filter choices from the user's scope: a filter never lists what its user may not see."""

    def choices(request) -> models.QuerySet:
        user = request.user if request is not None else None
        return model.objects.for_user(user) if user is not None else model.objects.none()

    return choices


def _descending(label: str) -> str:
    return gettext("%s (descending)") % label


descending_label = lazy(_descending, str)


class PortalOrderingFilter(django_filters.OrderingFilter):
    """A list's "Sort by" choices, labelled in the language of each request.

    The choices are built once, when the filter set's module loads: every label stays lazy,
    `field_labels` for the ascending ones and `_descending` for their reverse. Its empty
    choice is the list's own order ("Any", the other filters' empty choice, would not say so).
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("empty_label", _("Default order"))
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        labels = dict(labels)
        for field, param in fields.items():
            label = labels.setdefault(field, pretty_name(param))
            labels.setdefault(f"-{param}", descending_label(label))
        return super().build_choices(fields, labels)

    def filter(self, qs, value):
        """The chosen order, then the primary key: rows that tie keep one order from page to
        page (and a page's last row can say where the next page starts, see `ListCursor`)."""
        ordered = super().filter(qs, value)
        if value and "pk" not in ordered.query.order_by:
            ordered = ordered.order_by(*ordered.query.order_by, "pk")
        return ordered


def sorted_by(request, column: str) -> bool:
    """Whether the list is sorted by `column` (`?o=column` or `?o=-column`)."""
    values = ",".join(request.GET.getlist("o")).split(",")
    return any(value.strip().lstrip("-") == column for value in values)


# A "between" filter on a date: two date pickers.
DATE_RANGE = django_filters.widgets.DateRangeWidget(attrs={"type": "date"})


class FilterForm(Form):
    """A list's filter form, styled for Bootstrap by its widgets' classes: the template
    (components/filter_form.html) lays out plain fields, without crispy-forms' template
    per field (5 of a list's 25 ms, profiled at scale 1)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None:
                field.queryset = labelled_as_chosen(field, queryset)
            if isinstance(field.widget, NullBooleanSelect):  # a yes/no filter: "Unknown" first
                field.widget.choices = [("unknown", settings.FILTERS_EMPTY_CHOICE_LABEL)] + [
                    choice for choice in field.widget.choices if choice[0] != "unknown"
                ]
            for widget in _widgets(field):
                css = "form-select" if isinstance(widget, Select) else "form-control"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors.keys() & self.fields.keys():
            for widget in _widgets(self.fields[name]):
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"


def _widgets(field) -> list:
    """A field's widget, or the widgets a multi-widget (a date range) is made of."""
    return getattr(field.widget, "widgets", [field.widget])


class StyledFilterSet(django_filters.FilterSet):
    """A filter set whose form is a `FilterForm` (laid out by components/filter_field.html)."""

    def get_form_class(self) -> type[Form]:
        form_class = super().get_form_class()
        return type(form_class.__name__, (FilterForm, form_class), {})

    def fields_html(self) -> str:
        """The form's fields, laid out. A field with nothing given for it (every field of a
        list as it opens, all but one or two of a filtered or sorted list) reads the same
        until the data changes: its markup is cached per user (whose scope the choices come
        from), language and version of the data (`scn_portal.public`), as rendering the
        widgets' templates cost 10-15 ms of a list's 50 (profiled at scale 1). A field given
        a value (or an error) is rendered each time."""
        from scn_portal.public import CACHE_SECONDS, public_version  # public imports this

        form = self.form
        data = self.data or {}
        user = getattr(self.request, "user", None)
        prefix = ":".join(
            [
                "filter-field",
                str(public_version()),
                get_language() or "",
                f"{type(self).__module__}.{type(self).__qualname__}",
                str(getattr(user, "pk", None)),
            ]
        )
        keys = {
            name: f"{prefix}:{name}"
            for name, field in form.fields.items()
            if field.widget.value_omitted_from_data(data, None, form.add_prefix(name))
            and not (form.is_bound and name in form.errors)
        }
        cached = cache.get_many(keys.values())
        parts, rendered = [], {}
        for name in form.fields:
            markup = cached.get(keys.get(name))
            if markup is None:
                markup = render_to_string("components/filter_fields.html", {"fields": [form[name]]})
                if name in keys:
                    rendered[keys[name]] = markup
            parts.append((markup,))
        if rendered:
            cache.set_many(rendered, CACHE_SECONDS)  # SafeStrings, pickled as such
        return format_html_join("", "{}", parts)


class PortalFilterSet(StyledFilterSet):
    """A filter set with a free-text `q` over `search_fields` (every word must match)."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    search_fields: tuple[str, ...] = ()

    def filter_search(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        return queryset.filter(every_word_in(self.search_fields, search_words(value)))


class NotFoundWhenRefusedMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """A signed-in user whose role may not use a page gets 404, as for a record outside their
    scope: the portal never confirms that something exists. Anonymous visitors sign in."""

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()


class ScopedMixin(NotFoundWhenRefusedMixin):
    """Rows come from the model's `for_user` scope, then `refine_queryset` (joins, counts).

    The staff portal's pages also need the role's view permission on the model: a signed-in
    user without a role (or a partner, for consultations) is refused, whatever is published.
    """

    model: type[models.Model]

    def get_permission_required(self) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}.view_{meta.model_name}"]

    def get_queryset(self) -> models.QuerySet:
        return self.refine_queryset(self.model.objects.for_user(self.request.user))

    def refine_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset


def planner_estimate(rows: models.QuerySet) -> int:
    """PostgreSQL's estimate of the number of rows, from its statistics (no row is read)."""
    output = rows.order_by().values("pk").explain(format="json")
    if not output:  # a query that can match nothing (`pk__in=[]`) is not sent
        return 0
    return int(json.loads(output)[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """Counts exactly up to EXACT_UP_TO rows; beyond, PostgreSQL's planner estimate serves
    ("about 96,000"), so a list of 100,000 rows never scans them all to number its pages.

    The capped count reads at most EXACT_UP_TO + 1 primary keys, whatever the table's size.
    """

    # Each row counted is checked against the user's scope (the archive of its consultation
    # or workshop, through joins): at scale 1, counting 10,001 overdue next steps took 69 ms
    # of the page's 100; 2,001 take about a fifth of that.
    EXACT_UP_TO = 2_000
    estimated = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if connection.vendor != "postgresql" or not isinstance(rows, models.QuerySet):
            return super().count
        capped = rows.order_by().values("pk")[: self.EXACT_UP_TO + 1].count()
        if capped <= self.EXACT_UP_TO:
            return capped
        self.estimated = True
        return max(self.estimate(rows), capped)

    def estimate(self, rows: models.QuerySet) -> int:
        return planner_estimate(rows)

    # An estimate may fall short of the rows: then pages past its last one still open, and a
    # full page offers "Next", so no row is out of reach.

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.estimated and int(number) > 1:
                return int(number)
            raise

    def page(self, number):
        number = self.validate_number(number)
        if not self.estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)

    def _get_page(self, *args, **kwargs):
        return EstimatedPage(*args, **kwargs)


class EstimatedPage(Page):
    is_last = False  # the list's last rows, read backwards from its end ("Last")

    def has_next(self) -> bool:
        """Past an estimated count, a full page of rows (once fetched) may have more after."""
        if self.is_last:
            return False
        if self.paginator.estimated and isinstance(self.object_list, list):
            return len(self.object_list) >= self.paginator.per_page
        return super().has_next()


# Beyond this many rows skipped, a page is fetched in two steps (see `paginate_queryset`).
DEEP_PAGE_ROWS = 1000


class ListCursor:
    """Where a page starts, carried by its "Next" and "Previous" links (keyset pagination).

    A page reached by number skips rows with OFFSET, which reads every row it skips (page
    10,800 of the findings: 242 ms at scale 1). "Next" instead names the page's last row, by
    its key, signed; its values in the list's order are read back from the user's own list,
    and the next page is "the 25 rows after these": an index range scan whatever the depth.
    "Previous" names the first row and reads backwards. A cursor serves only the page and the
    filters it was made for; anything else (tampered, stale, another sort, a row that left
    the list) is ignored and the page is found by number. "Last" (`last=1`) needs no row: it
    reads the list backwards from its end.
    """

    SALT = "scn_portal.generic.ListCursor"
    AFTER = "after"
    BEFORE = "before"
    LAST = "last"

    def __init__(self, queryset: models.QuerySet, filters: str) -> None:
        self.model = queryset.model
        self.filters = filters
        order = list(queryset.query.order_by)
        self.ordering = order if self._usable(order) else None

    def _usable(self, order: list[Any]) -> bool:
        """Plain fields that are never NULL, ending with the primary key (a total order); no
        annotation. (A NULL is neither before nor after a value in a comparison, and the
        databases sort NULLs differently: a list ordered by a date that may be empty, like
        the next steps' due date, goes by page numbers.)"""
        if not order or order[-1] not in ("pk", "-pk", "id", "-id"):
            return False
        try:
            return all(self._comparable(name) for name in order)
        except (TypeError, AttributeError, FieldDoesNotExist):
            return False

    def _comparable(self, name: str) -> bool:
        """The field, and every relation on the way to it, is never NULL; and it is not a
        relation itself (which orders by its model's own ordering, not its key)."""
        opts = self.model._meta
        parts = name.lstrip("-").split(LOOKUP_SEP)
        for part in parts[:-1]:
            relation = opts.get_field(part)
            if relation.null:
                return False
            opts = relation.related_model._meta
        field = self._field(name)
        return not field.null and not field.is_relation

    def _field(self, name: str) -> models.Field:
        opts = self.model._meta
        parts = name.lstrip("-").split(LOOKUP_SEP)
        for part in parts[:-1]:
            opts = opts.get_field(part).related_model._meta
        last = parts[-1]
        return opts.pk if last == "pk" else opts.get_field(last)

    def token(self, row: models.Model, page: int) -> str | None:
        """A signed cursor naming `row` (by its key only: no title or date of a record lands in
        an address bar, a log or a Referer), for the link to `page`."""
        if self.ordering is None:
            return None
        return signing.dumps({"page": page, "filters": self.filters, "key": row.pk}, salt=self.SALT)

    def rows(self, queryset: models.QuerySet, token: str, page: int, *, forward: bool, size: int):
        """The page's rows after (or before) the cursor's row, in the list's order; None if
        the cursor is not for this page, these filters and this order, or its row has left
        the list."""
        rows = self.page_rows(queryset, token, page, forward=forward, size=size)
        if rows is None:
            return None
        return list(rows) if forward else list(rows)[::-1]

    def last_rows(self, queryset: models.QuerySet, size: int) -> list[models.Model] | None:
        """The list's last `size` rows, in its order."""
        rows = self.last_page_rows(queryset, size)
        return None if rows is None else list(rows)[::-1]

    def last_page_rows(self, queryset: models.QuerySet, size: int) -> models.QuerySet | None:
        """The query of `last_rows`: the list read backwards from its end."""
        if self.ordering is None:
            return None
        return queryset.order_by(*[_reverse(name) for name in self.ordering])[:size]

    def page_rows(
        self, queryset: models.QuerySet, token: str, page: int, *, forward: bool, size: int
    ) -> models.QuerySet | None:
        """The query of `rows` (backwards for "Previous")."""
        if self.ordering is None:
            return None
        try:
            data = signing.loads(token, salt=self.SALT)
            if data["page"] != page or data["filters"] != self.filters:
                return None
            names = [name.lstrip("-") for name in self.ordering]
            # The row's place, read from the list itself: from the user's scope and filters.
            values = queryset.filter(pk=data["key"]).values_list(*names).first()
        except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
            return None
        if values is None:
            return None
        beyond = Q()
        for index, name in enumerate(self.ordering):
            earlier = zip(self.ordering[:index], values[:index], strict=True)
            step = Q(**{key.lstrip("-"): value for key, value in earlier})
            descending = name.startswith("-") == forward
            step &= Q(**{f"{name.lstrip('-')}__{'lt' if descending else 'gt'}": values[index]})
            beyond |= step
        lead, lead_descending = self.ordering[0].lstrip("-"), self.ordering[0].startswith("-")
        # The first key bounds the range, so the database starts its index scan there.
        within = Q(**{f"{lead}__{'lte' if lead_descending == forward else 'gte'}": values[0]})
        order = self.ordering if forward else [_reverse(name) for name in self.ordering]
        return queryset.filter(within, beyond).order_by(*order)[:size]


def _reverse(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def exact_count(rows: models.QuerySet) -> int:
    """The exact number of `rows`, kept until the data changes (the version `cached` keys
    on moves with every saved or deleted record): a deep page typed by its number, and the
    pages near it, count the list once (the findings in scope at scale 1: 62-92 ms), not on
    every request. Keyed by the query's SQL, which holds the user's scope and filters."""
    from scn_portal.public import cached  # public imports this module

    sql, params = rows.order_by().values("pk").query.sql_with_params()
    key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return cached("exact-count", lambda: rows.order_by().count(), key)


def deep_page_keys(
    queryset: models.QuerySet, low: int, high: int, paginator: EstimatingPaginator | None
) -> list[Any]:
    """The keys of rows `low:high` of a list, for a page reached by its number far from the
    list's start. OFFSET reads every row it skips: skip over primary keys only (an index-only
    scan in the list's order where the index allows), and from the nearer end of the list.
    Past its middle, the rows are counted exactly (a count reads them in any order, the
    smallest index: cheaper than skipping as many in order) and the page is read backwards
    from the end. The reversed order is the exact reverse, NULLs included, as long as it ends
    with the primary key (a total order) and names plain columns."""
    keys = queryset.values_list("pk", flat=True)
    order = list(queryset.query.order_by)
    reversible = (
        order
        and all(isinstance(name, str) for name in order)
        and order[-1].lstrip("-") in ("pk", queryset.model._meta.pk.attname)
    )
    if reversible and paginator is not None and low > paginator.count // 2:
        total = exact_count(queryset) if paginator.estimated else paginator.count
        if low >= total:
            return []
        if low > total // 2:
            backwards = keys.order_by(*map(_reverse, order))[max(total - high, 0) : total - low]
            return list(backwards)[::-1]
    return list(keys[low:high])


class PortalListView(ScopedMixin, FilterView):
    paginate_by = 25
    paginator_class = EstimatingPaginator
    # An invalid filter (a bad date, an unknown choice) shows the form's errors and no rows.
    strict = True
    # Export columns (see scn_portal/exports.py); `?export=csv` or `?export=xlsx` downloads
    # exactly the rows the filters show, every page of them.
    export_name = ""

    def get_template_names(self) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}/{meta.model_name}_list.html"]

    def get_export_columns(self) -> list[Column]:
        raise NotImplementedError

    def page_annotations(self, rows: models.QuerySet) -> models.QuerySet:
        """Per-row figures (counts, versions) computed for the rows of the page shown only —
        not for every row the filters match, as an annotation on the list's query would be
        (a GROUP BY over all of them, or a subquery per row skipped by a deep page's OFFSET).
        The export adds them to all its rows (see `refine_export`)."""
        return rows

    def refine_export(self, rows: models.QuerySet) -> models.QuerySet:
        """The export's own joins (a column of related names), beyond the list's."""
        return self.page_annotations(rows)

    def page_keys(
        self,
        queryset: models.QuerySet,
        low: int,
        high: int,
        paginator: EstimatingPaginator | None = None,
    ) -> list[Any] | None:
        """The primary keys of rows `low:high` of `queryset`, in its order, when a cheaper
        query than the page's own finds them (then `rows_by_keys` fetches the rows); None:
        the page's query serves. `paginator`: the list's, with its count (maybe estimated)."""
        if low > DEEP_PAGE_ROWS:
            return deep_page_keys(queryset, low, high, paginator)
        return None

    def rows_by_keys(self, queryset: models.QuerySet, keys: list[Any]) -> models.QuerySet:
        """The rows `page_keys` found, with the joins the page shows (any order)."""
        return queryset.filter(pk__in=keys)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        cursor = ListCursor(queryset, self._filters_key())
        for key, forward in ((ListCursor.AFTER, True), (ListCursor.BEFORE, False)):
            token = self.request.GET.get(key)
            found = token and cursor.rows(
                queryset, token, page.number, forward=forward, size=page_size
            )
            if found:
                rows = found
                break
        else:
            last = self.request.GET.get(ListCursor.LAST) == "1"
            if last and page.number == paginator.num_pages and not page.has_next():
                # The last page holds what the count leaves (a full page past an estimate).
                left = paginator.count - (page.number - 1) * page_size
                found = cursor.last_rows(queryset, page_size if paginator.estimated else left)
                if found:
                    rows, page.is_last = found, True
        if isinstance(rows, models.QuerySet):
            low, high = rows.query.low_mark or 0, rows.query.high_mark
            keys = self.page_keys(queryset, low, high, paginator)
            if keys is not None:
                found = {row.pk: row for row in self.rows_by_keys(queryset, keys)}
                rows = [found[key] for key in keys if key in found]
        rows = list(rows)
        annotated = self.page_annotations(
            self.model.objects.filter(pk__in=[row.pk for row in rows])
        )
        names = list(annotated.query.annotations)
        if rows and names:
            values = {row["pk"]: row for row in annotated.values("pk", *names)}
            for row in rows:
                for name in names:
                    setattr(row, name, values[row.pk][name])
        page.object_list = rows
        if rows and page.has_next():
            page.next_cursor = cursor.token(rows[-1], page.next_page_number())
        if rows and page.has_previous():
            page.previous_cursor = cursor.token(rows[0], page.previous_page_number())
        return paginator, page, rows, is_paginated

    def _filters_key(self) -> str:
        """The list's filters and order, as a cursor is bound to them."""
        ignored = {"page", ListCursor.AFTER, ListCursor.BEFORE, ListCursor.LAST}
        return urlencode(sorted((k, v) for k, v in self.request.GET.items() if k not in ignored))

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if self.export_name and file_format in EXPORTERS:
            return self.export(file_format)
        return super().get(request, *args, **kwargs)

    def export_rows(self) -> models.QuerySet:
        """Exactly the rows the filters show, every page of them (none if a filter is bad)."""
        filterset = self.get_filterset(self.get_filterset_class())
        return filterset.qs if filterset.is_valid() else filterset.queryset.none()

    def export_source(self) -> tuple[models.QuerySet, list[Column]]:
        """The rows and columns of the export: the synchronous and background paths share it."""
        return self.refine_export(self.export_rows()), self.get_export_columns()

    def export(self, file_format: str):
        filters = {key: values for key, values in self.request.GET.lists() if key != "export"}
        rows = self.export_rows()
        limit = settings.EXPORT_BACKGROUND_ROWS
        # Counting at most limit + 1 rows costs the same whatever the table's size.
        if rows.order_by().values("pk")[: limit + 1].count() > limit:
            job = export_job_start(
                user=self.request.user,
                view=f"{type(self).__module__}.{type(self).__qualname__}",
                path=self.request.path,
                export=self.export_name,
                file_format=file_format,
                filters=filters,
                rows_total=rows.count(),
            )
            return HttpResponseRedirect(job.get_absolute_url())
        log = export_log_start(
            user=self.request.user,
            export=self.export_name,
            file_format=file_format,
            filters=filters,
        )
        queryset, columns = self.export_source()
        stamp = timezone.localdate().isoformat()
        return EXPORTERS[file_format](
            queryset,
            columns,
            f"scn-{self.export_name}-{stamp}",
            lambda count: export_log_finish(log=log, row_count=count),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_export=bool(self.export_name), **kwargs)


class PortalDetailView(ScopedMixin, DetailView):
    def get_template_names(self) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}/{meta.model_name}_detail.html"]


class PortalFormMixin(NotFoundWhenRefusedMixin):
    """Create and edit pages: the form validates, a service writes.

    `save(form)` calls the service with the form's cleaned data and returns the record. A
    `ValidationError` from the service (a broken rule) is shown on the form, nothing lost.
    """

    success_message = _("Saved.")
    list_url_name = ""  # where "Cancel" goes on a new record; default APP:MODEL_list

    def get_template_names(self) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}/{meta.model_name}_form.html", "components/form_page.html"]

    def get_context_data(self, **kwargs):
        meta = self.model._meta
        editing = getattr(self, "object", None) is not None
        if editing:
            kwargs.setdefault("version", versions.form_version(self.request, self.object))
        kwargs.setdefault(
            "page_title",
            gettext("Edit %(object)s") % {"object": self.object}
            if editing
            else gettext("New %(name)s") % {"name": meta.verbose_name},
        )
        list_url = self.list_url_name or f"{meta.app_label}:{meta.model_name}_list"
        kwargs.setdefault(
            "cancel_url", self.object.get_absolute_url() if editing else reverse(list_url)
        )
        return super().get_context_data(**kwargs)

    def save(self, form) -> models.Model:
        raise NotImplementedError

    def save_checked(self, *parts):
        """Save unless the record changed since the form was opened (then StaleVersionError)."""
        if self.object is not None and self.object.pk is not None:
            versions.check_version(
                self.object, self.request.POST.get(versions.FIELD), self.request.user
            )
        return self.save(*parts)

    def refused(self, error: ValidationError, form) -> dict[str, Any]:
        """Show a refused save's error on the form; a stale one also shows what changed
        meanwhile, and the form now carries the newest version, to save again after merging."""
        form.add_error(None, error)
        if isinstance(error, versions.StaleVersionError):
            return {
                "changed_meanwhile": error.changes,
                "version": versions.current_version(self.object),
            }
        return {}

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save_checked(form)
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(form=form, **self.refused(error, form))
            )
        messages.success(self.request, self.success_message.format(object=self.object))
        return HttpResponseRedirect(self.get_success_url())

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}


class PortalCreateView(PortalFormMixin, CreateView):
    def get_permission_required(self) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}.add_{meta.model_name}"]


class PortalUpdateView(PortalFormMixin, UpdateView):
    def get_permission_required(self) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}.change_{meta.model_name}"]

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.for_user(self.request.user)


class FormsetsMixin:
    """A create or edit page whose form carries inline rows (findings, participants, ...).

    `formset_classes` maps a context name to an inline formset class. Every part is validated
    before anything is written; on any error the whole page comes back with every value typed,
    in every row, and each error beside its field.
    """

    formset_classes: dict[str, type] = {}

    def get_formsets(self) -> dict[str, Any]:
        kwargs = {"instance": self.object, "form_kwargs": {"user": self.request.user}}
        if self.request.method == "POST":
            kwargs |= {"data": self.request.POST, "files": self.request.FILES}
        formsets = {}
        for name, formset_class in self.formset_classes.items():
            formset = formset_class(prefix=name, **kwargs)
            meta = formset.model._meta
            formset.title = str(meta.verbose_name_plural).capitalize()
            formset.add_label = gettext("Add %(name)s") % {"name": meta.verbose_name}
            formsets[name] = formset
        return formsets

    def get_context_data(self, **kwargs):
        if "formsets" not in kwargs:
            kwargs["formsets"] = self.get_formsets()
        kwargs["formsets_have_errors"] = any(
            not formset.is_valid() for formset in kwargs["formsets"].values() if formset.is_bound
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if self.kwargs else None
        form = self.get_form()
        formsets = self.get_formsets()
        refusal = {}
        if form.is_valid() and all(formset.is_valid() for formset in formsets.values()):
            try:
                with transaction.atomic():
                    self.object = self.save_checked(form, formsets)
            except ValidationError as error:
                refusal = self.refused(error, form)
            else:
                messages.success(request, self.success_message.format(object=self.object))
                return HttpResponseRedirect(self.get_success_url())
        return self.render_to_response(
            self.get_context_data(form=form, formsets=formsets, **refusal)
        )
