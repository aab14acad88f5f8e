"""Free text typed by users, made safe to search with."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q
from django.utils.translation import get_language_bidi

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10


def clean_query(raw: str | None) -> str:
    """The query as searched: control characters (NUL breaks PostgreSQL) dropped, whitespace
    collapsed, at most MAX_QUERY_LENGTH characters. Zero-width joiners, used in Urdu, stay."""
    text = "".join(" " if char < " " or char == "\x7f" else char for char in raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def every_word_in(fields: Sequence[str], words: Sequence[str]) -> Q:
    """Each word appears, case-insensitively, in at least one of the fields."""
    condition = Q()
    for word in words:
        in_any_field = Q()
        for name in fields:
            in_any_field |= Q(**{f"{name}__icontains": word})
        condition &= in_any_field
    return condition


def search_words(raw: str | None) -> list[str]:
    """The words of a query, cleaned, at most MAX_WORDS of them."""
    return clean_query(raw).split()[:MAX_WORDS]


def isolated(text: str) -> str:
    """`text` kept in its own order within a label of mixed scripts, on a right-to-left page:
    between Unicode's first-strong isolate and its pop (invisible). A date "1 نومبر 2017"
    beside a Latin title read "1 2017 نومبر" without them (a helper's walk-through)."""
    return f"\u2068{text}\u2069" if get_language_bidi() else text
