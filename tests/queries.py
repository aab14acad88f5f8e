"""Query-count helpers: a page's number of SQL queries must not grow with its rows."""

from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(action: Callable[[], object], *, cold: bool = True) -> tuple[int, list[str]]:
    """Run `action`; return how many SQL queries it made, and their text. `cold`: on an empty
    cache, so that two counts compare the same work (cached parts built both times, where
    an N+1 would show), not a cached part against its first rendering."""
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries), [query["sql"] for query in context.captured_queries]


def assert_queries_do_not_grow(few: tuple[int, list[str]], many: tuple[int, list[str]]) -> None:
    """Fail, printing the queries, when more rows made more queries (an N+1)."""
    (few_count, few_sql), (many_count, many_sql) = few, many
    assert many_count == few_count, (
        f"{few_count} queries with few rows but {many_count} with many: an N+1?\n"
        + "\n".join(sorted(set(many_sql) - set(few_sql)) or many_sql)
    )
