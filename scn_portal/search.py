"""Global search: the navigation bar's box, over every kind of record the user may open.

Each kind's rows start from its model's `for_user()` scope, so a search never finds what the
user cannot open, and only fields the user may read are searched (a consultation's internal
summary only for staff and viewers; officials' contact details never).

A record matches when every word of the query starts a word of its name or text
(PostgreSQL: full-text search in the `simple` configuration, no stemming, so names and Urdu
text match as typed; "Pesh" finds Peshawar) or lies inside one of them (SQLite). Records whose
name holds every word come first, then the others, each in the kind's own order (newest first
for workshops and consultations). Counts stop at COUNT_UP_TO ("more than 1,000").

Every query of a kind stays on that kind's own columns, through the full-text indexes built
on exactly the same expressions (see consultations/migrations/0007 and 0008) or, for
consultations, their findings and workshops, on the documents stored in their rows
(`scn_portal.models.document_field`, consultations/migrations/0017), and is ordered
and limited by the database: at 100,000 consultations, "council" (in three consultations out
of four) is found without reading, ranking or counting every match. Matches through related
records are looked up first (a city's country and hub) or probed per row (a consultation's
key findings).
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
from django.db import connection, models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cities.models import City, Official, Organisation
from consultations.models import Consultation, Finding
from scn_portal import roles
from scn_portal.generic import planner_estimate
from scn_portal.models import stored_documents
from scn_portal.text import MAX_WORDS, clean_query, every_word_in
from workshops.models import Workshop

RESULTS_PER_KIND = 20
COUNT_UP_TO = 1000
"""A kind's matches are counted up to this many; beyond, the page says "more than"."""

COMMON_ESTIMATE = 5 * COUNT_UP_TO
"""Matches the planner expects beyond this many are not counted at all: "more than" (see
`_keys`). Its estimates of a word's frequency come from the statistics of the full-text
index's expression; five times the limit leaves room for the estimate to be wrong (at scale 1,
"water council" in consultations: 19,974 expected, 18,902 found; counting 1,001 of them read
the index's bitmap of all 18,902, 12 ms; twenty times the limit counted them)."""

WALK_STEPS = (250, 1000, 4000)
"""How many rows, in the list's order, each step of a common word's walk tests."""

NOTHING = Q(pk__in=[])

EDGE_MARKS = string.punctuation + "\u201c\u201d\u2018\u2019\u00ab\u00bb"
"""ASCII punctuation, typographic quotes and guillemets: stripped from a word's ends where the
search reads the fields themselves (SQLite)."""


def _uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _has_word_characters(word: str) -> bool:
    """A letter, a digit or a combining mark (Urdu's vowel signs): something to search."""
    return any(char.isalnum() or unicodedata.category(char).startswith("M") for char in word)


def _quoted(word: str) -> str:
    """A word as one quoted tsquery term: no input can be read as tsquery syntax, and the
    full-text parser splits it as it split the documents ("O'Brien", "example.com",
    an Urdu word with its vowel signs)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _prefix_query(words: Sequence[str]) -> SearchQuery | None:
    """Every word as a prefix ("pesh" finds "Peshawar"), all of them required; None when no
    word holds anything to search."""
    terms = [_quoted(word) for word in words if _has_word_characters(word)]
    if not terms:
        return None
    # "(word | word:*)" matches what "word:*" matches, and lets the planner estimate a whole
    # word from its statistics: it judges any prefix to match 2% of rows.
    raw = " & ".join(f"({term} | {term}:*)" for term in terms)
    return SearchQuery(raw, search_type="raw", config="simple")


def words_match(
    fields: Sequence[str], words: Sequence[str], model: type[models.Model] | None = None
) -> Q:
    """Every word starts a word of the fields (PostgreSQL, through the full-text index built
    on this very expression, or on `model`'s stored document of these fields) or lies inside
    one of them (SQLite)."""
    if not _uses_full_text():
        # Quotes and marks around a word are not part of it, as PostgreSQL's parser has it:
        # "security situation" (quoted) and dire* find what the bare words find.
        bare = [word.strip(EDGE_MARKS) for word in words]
        bare = [word for word in bare if word]
        return every_word_in(fields, bare) if bare else NOTHING
    query = _prefix_query(words)
    if query is None:
        return NOTHING
    column = stored_documents(model).get(tuple(fields)) if model is not None else None
    document = F(column) if column else SearchVector(*fields, config="simple")
    return Q(SearchVectorExact(document, query))


def _consultation_findings(user: roles.User, words: Sequence[str]) -> models.QuerySet:
    """The key findings, visible to the user, that match the words."""
    return Finding.objects.for_user(user).filter(words_match(("text",), words, Finding))


def _keys(rows: models.QuerySet, key: str = "pk", *, estimated: bool = True) -> list[Any] | None:
    """Up to COUNT_UP_TO + 1 keys of the rows, unordered: the database stops there. None
    (not counted) when PostgreSQL's statistics say more than COMMON_ESTIMATE match: the
    full-text index yields every match before any is counted, so counting to 1,001 would cost
    what the table's size does. `estimated=False`: the rows are known not to be that many."""
    if estimated and _uses_full_text() and planner_estimate(rows) > COMMON_ESTIMATE:
        return None
    return list(rows.order_by().values_list(key, flat=True)[: COUNT_UP_TO + 1])


@contextmanager
def _through_full_text_indexes() -> Iterator[None]:
    """While finding which records match, PostgreSQL reads each table through its full-text
    index. Left to itself, the planner counts to_tsvector as cheap (100 x cpu_operator_cost a
    row) and recomputes it row by row on another index or a scan: at scale 1, "council" took
    53 ms to find 1,001 workshops (30 us a row) and 35 ms to find as many findings, against 2 ms
    and 15 ms through the full-text indexes (EXPLAIN ANALYZE). Here only bitmap scans are
    allowed and operators priced at 20 times the default. `SET LOCAL` lasts to the end of the
    transaction, so it is all set back afterwards (and by the savepoint's rollback on an
    error)."""
    if not _uses_full_text():
        yield
        return
    # On an error, rolling back the savepoint undoes the settings; the reset is not tried.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
            "SET LOCAL cpu_operator_cost = 0.05"
        )
        yield
        cursor.execute(
            "SET LOCAL enable_seqscan = DEFAULT; SET LOCAL enable_indexscan = DEFAULT; "
            "SET LOCAL cpu_operator_cost = DEFAULT"
        )


@dataclass(frozen=True)
class _Found:
    """What matched of one kind: the records whose name matches, and every match."""

    named: _Match
    matches: list[_Match]

    @property
    def counted(self) -> set[Any]:
        """The keys counted, of every way of matching."""
        return set().union(*(match.keys or () for match in self.matches))

    @property
    def total(self) -> int:
        """The number of records that matched, as far as they were counted (see `is_capped`)."""
        if any(match.keys is None for match in self.matches):
            return COUNT_UP_TO
        return min(len(self.counted), COUNT_UP_TO)

    @property
    def is_capped(self) -> bool:
        """Some way of matching stopped counting: more matched than `total` says."""
        return any(match.is_common for match in self.matches) or len(self.counted) > COUNT_UP_TO


@dataclass(frozen=True)
class _Match:
    """One way a kind's records match: a test of a row, and the matching keys (capped);
    None: not counted, as far more are expected to match (see `_keys`) or another way of
    matching already found more than COUNT_UP_TO."""

    condition: Q
    keys: list[Any] | None

    @property
    def is_common(self) -> bool:
        return self.keys is None or len(self.keys) > COUNT_UP_TO

    def first(
        self, scope: models.QuerySet, ordering: Sequence[str], limit: int, skip: Sequence[Any]
    ) -> list[Any]:
        """The keys of the first `limit` matches in the list's order, `skip` aside.

        Few matches: sorted from their keys. Many: the list's order is walked in growing
        steps and each step's rows tested, so a common word costs a step or two; the
        planner, left to itself, misjudges how common a prefix is and sorts every match."""
        if not self.is_common:
            rows = scope.filter(pk__in=self.keys).exclude(pk__in=skip).order_by(*ordering)
            return list(rows.values_list("pk", flat=True)[:limit])
        in_order = scope.exclude(pk__in=skip).order_by(*ordering).values_list("pk", flat=True)
        found: list[Any] = []
        start = 0
        for step in WALK_STEPS:
            keys = list(in_order[start : start + step])
            hits = set(scope.filter(self.condition, pk__in=keys).values_list("pk", flat=True))
            found += [key for key in keys if key in hits]
            if len(found) >= limit or len(keys) < step:
                return found[:limit]
            start += step
        rest = scope.filter(self.condition).exclude(pk__in=[*skip, *found]).order_by(*ordering)
        return found + list(rest.values_list("pk", flat=True)[: limit - len(found)])


@dataclass(frozen=True)
class SearchKind:
    """One kind of record the search covers, and how it is searched and shown."""

    key: str
    label: str
    model: type[models.Model]
    name_fields: tuple[str, ...]
    """Matched first: records whose name holds every word come first."""
    text_fields: tuple[str, ...] = ()
    internal_fields: tuple[str, ...] = ()
    """Searched only for users who may read internal records (staff and viewers)."""
    related_names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(foreign key, its model's name fields): records whose related record's name matches
    (a city's country). The few matching related records are found first."""
    related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    also_match: Callable[[roles.User, Sequence[str]], models.QuerySet] | None = None
    also_match_link: str = ""
    """Related rows that match (a consultation's findings), and their key to this kind."""

    def text_fields_for(self, user: roles.User) -> tuple[str, ...]:
        if self.internal_fields and roles.can_read_internal(user):
            return self.text_fields + self.internal_fields
        return self.text_fields

    def own_match(self, user: roles.User, words: Sequence[str]) -> Q:
        """Every word in the record's fields, or (`related_names`) in its related record's
        name: "Peshawar Pakistan" finds the city Peshawar in the country Pakistan."""
        fields = self.name_fields + self.text_fields_for(user)
        if not self.related_names:
            return words_match(fields, words, self.model)
        condition = Q()
        for word in words:
            in_any = words_match(fields, [word], self.model)
            for foreign_key, related_fields in self.related_names:
                related_model = self.model._meta.get_field(foreign_key).related_model
                keys = list(
                    related_model.objects.for_user(user)
                    .filter(words_match(related_fields, [word]))
                    .values_list("pk", flat=True)[:COUNT_UP_TO]
                )
                if keys:
                    in_any |= Q(**{f"{foreign_key}__in": keys})
            condition &= in_any
        return condition

    def find(self, user: roles.User, words: Sequence[str]) -> _Found:
        """Which records match, each way of matching served by an index of its own."""
        scope = self.model.objects.for_user(user)
        named = words_match(self.name_fields, words, self.model)
        own = self.own_match(user, words)
        matches = [_Match(own, _keys(scope.filter(own)))]
        # A record whose name matches matches: when they were not many, nor are these.
        named_keys = _keys(scope.filter(named), estimated=matches[0].keys is None)
        if self.also_match is not None:
            related_rows = self.also_match(user, words)
            probe = Exists(related_rows.filter(**{self.also_match_link: OuterRef("pk")}))
            # Once the records' own text matched more than are counted, the related rows'
            # keys would change neither the count nor its "more than", only cost their lookup
            # (the findings of "water council" at scale 1: 30 ms of the page's 98); the first
            # records are then found by the walk, which tests the probe row by row.
            keys = None if matches[0].is_common else _keys(related_rows, self.also_match_link)
            matches.append(_Match(Q(probe), keys))
        return _Found(_Match(named, named_keys), matches)

    def first_rows(self, found: _Found, user: roles.User, limit: int) -> list[Any]:
        """The first `limit` records found, named ones first, then in the kind's order; each
        annotated with `search_total` and `search_capped`."""
        scope = self.model.objects.for_user(user)
        ordering = (*self.ordering, "pk")
        named = found.named.first(scope, ordering, limit, ())
        others: set[Any] = set()
        for match in found.matches:
            # `limit` rather than what the named ones leave: the same queries whatever matched.
            others.update(match.first(scope, ordering, limit, named))
        if self.related:
            scope = scope.select_related(*self.related)
        rows = list(
            scope.filter(pk__in=[*named, *others])
            .alias(is_named=Case(When(pk__in=named, then=Value(0)), default=Value(1)))
            .order_by("is_named", *ordering)[:limit]
        )
        for row in rows:
            row.search_total, row.search_capped = found.total, found.is_capped
        return rows


SEARCH_KINDS: tuple[SearchKind, ...] = (
    SearchKind(
        key="cities",
        label=_("Cities"),
        model=City,
        name_fields=("name", "name_local"),
        text_fields=("province",),
        related_names=(("country", ("name",)), ("hub", ("name",))),
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
        also_match=_consultation_findings,
        also_match_link="consultation",
    ),
)


def search_portal(
    *, user: roles.User, query: str, limit_per_kind: int = RESULTS_PER_KIND
) -> dict[str, list]:
    """The records of each kind (key → named ones first, at most `limit_per_kind`) that `user`
    may open and that match `query`. Each record carries `search_total`, the kind's count of
    matches up to COUNT_UP_TO, and `search_capped` when counting stopped. An empty query finds
    nothing."""
    words = clean_query(query).split()[:MAX_WORDS]
    if not words:
        return {kind.key: [] for kind in SEARCH_KINDS}
    with _through_full_text_indexes():
        found = {kind.key: kind.find(user, words) for kind in SEARCH_KINDS}
    return {
        kind.key: kind.first_rows(found[kind.key], user, limit_per_kind) for kind in SEARCH_KINDS
    }


@dataclass(frozen=True)
class SearchGroup:
    """One heading of the results page: a kind, its first records and how many matched."""

    key: str
    label: str
    results: list = field(default_factory=list)

    @property
    def total(self) -> int:
        """The number of matches counted (see `is_capped`)."""
        return self.results[0].search_total if self.results else 0

    @property
    def is_capped(self) -> bool:
        """Counting stopped: the page says "more than"."""
        return bool(self.results) and self.results[0].search_capped

    @property
    def is_truncated(self) -> bool:
        return self.is_capped or self.total > len(self.results)


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
            result_total_capped=any(group.is_capped for group in groups),
            **kwargs,
        )
