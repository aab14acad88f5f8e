"""Global search: the navigation bar's box, over every kind of record the user may open.

Each kind's rows start from its model's `for_user()` scope, so a search never finds what the
user cannot open, and only fields the user may read are searched (a consultation's internal
summary only for staff and viewers; officials' contact details never).

- PostgreSQL: full-text search in the `simple` configuration (no stemming, so names and Urdu
  text match as typed) with `websearch` syntax ("quoted phrases", `or`, `-word`), ranked with
  names weighted above other text; a case-insensitive match of every word on the name finds
  partial words ("Pesh" finds Peshawar). Rows are ordered by rank, then by name (or date).
- SQLite: every word must appear (case-insensitively) in one of the fields; rows whose name
  holds every word come first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, models
from django.db.models import Case, Count, F, FloatField, Q, Value, When, Window
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cities.models import City, Official, Organisation
from consultations.models import Consultation, Finding
from scn_portal import roles
from scn_portal.text import MAX_WORDS, clean_query, every_word_in
from workshops.models import Workshop

RESULTS_PER_KIND = 20


def _uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _search_query(query: str) -> SearchQuery:
    # websearch_to_tsquery never fails on its input, whatever the punctuation.
    return SearchQuery(query, search_type="websearch", config="simple")


def _prefix_query(words: Sequence[str]) -> SearchQuery | None:
    """Every word as a prefix ("pesh" finds "Peshawar"), all of them required; None when no
    word holds a letter or digit. Only letters and digits go into the query, so no input can
    be read as tsquery syntax."""
    terms = ["".join(char for char in word if char.isalnum()) for word in words]
    raw = " & ".join(f"{term}:*" for term in terms if term)
    return SearchQuery(raw, search_type="raw", config="simple") if raw else None


def _vector(fields: Sequence[str], weight: str) -> SearchVector:
    return SearchVector(*fields, weight=weight, config="simple")


def _matching(queryset: models.QuerySet, fields: Sequence[str], query: str) -> models.QuerySet:
    """The rows of `queryset` whose `fields` match the query (unranked)."""
    if _uses_full_text():
        return queryset.alias(search_document=SearchVector(*fields, config="simple")).filter(
            search_document=_search_query(query)
        )
    return queryset.filter(every_word_in(fields, query.split()[:MAX_WORDS]))


def _consultation_findings_match(user: roles.User, query: str) -> Q:
    """Consultations with a key finding, visible to the user, that matches the query."""
    findings = _matching(Finding.objects.for_user(user), ["text"], query)
    return Q(pk__in=findings.values("consultation"))


@dataclass(frozen=True)
class SearchKind:
    """One kind of record the search covers, and how it is searched and shown."""

    key: str
    label: str
    model: type[models.Model]
    name_fields: tuple[str, ...]
    """Ranked highest, and matched on partial words."""
    text_fields: tuple[str, ...] = ()
    internal_fields: tuple[str, ...] = ()
    """Searched only for users who may read internal records (staff and viewers)."""
    related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    also_match: Callable[[roles.User, str], Q] | None = None
    """Extra rows that match through related records (a consultation's findings)."""
    indexed: bool = False
    """A large table, matched on PostgreSQL only through its full-text index (see
    consultations/migrations/0007): every word as a prefix of a word of the document, instead
    of also scanning every row for the words inside names."""

    def text_fields_for(self, user: roles.User) -> tuple[str, ...]:
        if self.internal_fields and roles.can_read_internal(user):
            return self.text_fields + self.internal_fields
        return self.text_fields

    def search(self, *, user: roles.User, query: str, limit: int) -> list[models.Model]:
        """The user's matching records, best first, each annotated with `search_total`."""
        words = query.split()[:MAX_WORDS]
        name_match = every_word_in(self.name_fields, words)
        text_fields = self.text_fields_for(user)
        queryset = self.model.objects.for_user(user)
        if _uses_full_text() and self.indexed:
            search_query = _prefix_query(words)
            if search_query is None:  # nothing searchable in what was typed
                return []
            document = _vector(self.name_fields, "A")
            if text_fields:
                document += _vector(text_fields, "B")
            queryset = queryset.alias(
                match_document=SearchVector(*self.name_fields, *text_fields, config="simple"),
                search_document=document,
            ).annotate(search_rank=SearchRank(F("search_document"), search_query))
            match = Q(match_document=search_query)
        elif _uses_full_text():
            search_query = _search_query(query)
            document = _vector(self.name_fields, "A")
            if text_fields:
                document += _vector(text_fields, "B")
            queryset = queryset.alias(search_document=document).annotate(
                search_rank=SearchRank(F("search_document"), search_query)
            )
            match = Q(search_document=search_query) | name_match
        else:
            queryset = queryset.annotate(
                search_rank=Case(
                    When(name_match, then=Value(1.0)),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            )
            match = every_word_in(self.name_fields + text_fields, words)
        if self.also_match is not None:
            match |= self.also_match(user, query)
        if self.related:
            queryset = queryset.select_related(*self.related)
        return list(
            queryset.filter(match)
            .annotate(search_total=Window(Count("*")))
            .order_by("-search_rank", *self.ordering)[:limit]
        )


SEARCH_KINDS: tuple[SearchKind, ...] = (
    SearchKind(
        key="cities",
        label=_("Cities"),
        model=City,
        name_fields=("name", "name_local"),
        text_fields=("province", "country__name", "hub__name"),
        related=("country",),
        ordering=("name",),
    ),
    SearchKind(
        key="officials",
        label=_("Officials"),
        model=Official,
        name_fields=("name", "name_local"),
        text_fields=("title",),
        related=("city",),
        ordering=("name",),
    ),
    SearchKind(
        key="organisations",
        label=_("Organisations"),
        model=Organisation,
        name_fields=("name", "short_name"),
        text_fields=("description",),
        related=("country",),
        ordering=("name",),
    ),
    SearchKind(
        key="workshops",
        label=_("Workshops"),
        model=Workshop,
        name_fields=("title",),
        text_fields=("venue", "public_summary", "agenda", "outcomes"),
        ordering=("-start_date", "title"),
        indexed=True,
    ),
    SearchKind(
        key="consultations",
        label=_("Consultations"),
        model=Consultation,
        name_fields=("title",),
        text_fields=("public_summary",),
        internal_fields=("summary",),
        related=("city",),
        ordering=("-date", "title"),
        also_match=_consultation_findings_match,
        indexed=True,
    ),
)


def search_portal(
    *, user: roles.User, query: str, limit_per_kind: int = RESULTS_PER_KIND
) -> dict[str, list]:
    """The records of each kind (key → best first, at most `limit_per_kind`) that `user` may
    open and that match `query`. Each record carries `search_total`, the kind's full count.
    An empty query finds nothing."""
    query = clean_query(query)
    if not query:
        return {kind.key: [] for kind in SEARCH_KINDS}
    return {
        kind.key: kind.search(user=user, query=query, limit=limit_per_kind) for kind in SEARCH_KINDS
    }


@dataclass(frozen=True)
class SearchGroup:
    """One heading of the results page: a kind, its first records and how many matched."""

    key: str
    label: str
    results: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.results[0].search_total if self.results else 0

    @property
    def is_truncated(self) -> bool:
        return self.total > len(self.results)


def search_groups(results: dict[str, list]) -> list[SearchGroup]:
    """The kinds that found something, in the page's order."""
    return [
        SearchGroup(kind.key, kind.label, results[kind.key])
        for kind in SEARCH_KINDS
        if results.get(kind.key)
    ]


class SearchView(LoginRequiredMixin, TemplateView):
    template_name = "scn_portal/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        query = clean_query(self.request.GET.get("q"))
        groups = search_groups(search_portal(user=self.request.user, query=query))
        return super().get_context_data(
            search_query=query,
            groups=groups,
            result_total=sum(group.total for group in groups),
            **kwargs,
        )
