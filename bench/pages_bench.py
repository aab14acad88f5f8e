"""Server time of the portal's pages at scale, beside Django admin and the bare SQL floor.

    make bench            # BENCH_SCALE=1, BENCH_DATABASE_URL=postgres://.../scn_bench_scale
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/scn_bench_scale BENCH_SCALE=0.1 \\
        .venv/bin/python bench/pages_bench.py --repeat 30

It migrates the database named by BENCH_DATABASE_URL, tops it up with generated data
(`generate_scale_data`, refused on a database holding real records) until it holds BENCH_SCALE
worth of consultations, then measures, in-process with Django's test client (so "server time"
is the time to produce the whole response: middleware, queries, template rendering, a streamed
body consumed), signed in as a portal admin with a verified second factor:

- every page: `--warmup` requests first, then `--repeat` timed ones; median and 95th percentile;
- each staff list (unfiltered, filtered, sorted, a deep page by its number and by "Next", its
  last page by "Last") beside Django admin's changelist of the same model, filter, order and
  page of 25 rows (admin's `list_per_page` is set to the portal's 25 for the run; for "Last",
  admin's deep page);
- the SQL floor: the page's main query, i.e. for a list the SQL of the paginated page of rows
  the view would show (`filterset.qs[offset:offset + 25]`, with the view's joins and
  annotations; or, where the view finds the page's keys first, as for a deep page or
  participants sorted by name, that query), executed on a bare cursor and fetched (no model
  instances, no count query, no template); for the timeline, dashboard and public directory
  their main query likewise;
- the page's own SQL time: every query a request sends (session, user, permissions, count,
  rows, per-row figures), timed at the cursor, median over the timed requests; beside the
  floor, it shows how much of a page is the database and how much Django and its template;
- the CSV and Excel export of every consultation: rows per second (untraced run) and peak
  Python memory (a second run under tracemalloc).

Targets (reported, not asserted): a staff list's median at most half the admin's and within 5x
of its SQL floor; every page's p95 under 100 ms; CSV export at least 20,000 rows/s.

`run_benchmark()` works on the database Django is already connected to (the test suite's
smoke test calls it on the pytest database); `main()` does the setting up.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/scn_bench_scale"
PAGE_SIZE = 25
TARGET_P95_MS = 100.0
TARGET_ADMIN_RATIO = 0.5
TARGET_FLOOR_RATIO = 5.0
TARGET_CSV_ROWS_PER_SECOND = 20_000
BENCH_USERNAME = "bench-admin"


@dataclass
class Page:
    """One page to time; `admin_url` and `floor` when there is something to compare."""

    name: str
    url: str
    admin_url: str | None = None
    floor: Callable[[], tuple[str, Any]] | None = None  # the main query's SQL and params
    staff_list: bool = False
    public: bool = False


@dataclass
class Result:
    page: Page
    median: float
    p95: float
    admin_median: float | None = None
    floor: float | None = None
    requests: int = 0
    sql: float | None = None  # median milliseconds of the page's own queries, all of them

    @property
    def admin_ratio(self) -> float | None:
        return self.median / self.admin_median if self.admin_median else None

    @property
    def floor_ratio(self) -> float | None:
        return self.median / self.floor if self.floor else None

    @property
    def sql_floor_ratio(self) -> float | None:
        return self.sql / self.floor if self.floor and self.sql is not None else None

    @property
    def target_met(self) -> bool:
        return self._met(self.floor_ratio)

    @property
    def target_met_by_sql(self) -> bool:
        """The targets with the page's SQL time, not its whole time, within 5x of the floor."""
        return self._met(self.sql_floor_ratio)

    def _met(self, floor_ratio: float | None) -> bool:
        met = self.p95 < TARGET_P95_MS
        if self.page.staff_list:
            met &= self.admin_ratio is not None and self.admin_ratio <= TARGET_ADMIN_RATIO
            met &= floor_ratio is not None and floor_ratio <= TARGET_FLOOR_RATIO
        return met


@dataclass(frozen=True)
class ListSpec:
    """A staff list, how to filter and sort it, in the portal's and in the admin's terms."""

    name: str
    url_name: str
    admin_path: str
    filter: tuple[str, str]  # the portal's parameter and value
    admin_filter: str  # the admin's lookup for the same value
    sort: str  # the portal's `o` value
    admin_sort: str  # the admin's list_display column of the same order ("-" for descending)


LISTS = (
    ListSpec(
        "cities", "cities:city_list", "cities/city", ("membership_status", "member"),
        "membership_status__exact", "country", "country",
    ),
    ListSpec(
        "officials", "cities:official_list", "cities/official", ("role_kind", "councillor"),
        "role_kind__exact", "city", "city",
    ),
    ListSpec(
        "organisations", "cities:organisation_list", "cities/organisation", ("kind", "media"),
        "kind__exact", "kind", "kind",
    ),
    ListSpec(
        "workshops", "workshops:workshop_list", "workshops/workshop",
        ("kind", "capacity_building"), "kind__exact", "title", "title",
    ),
    ListSpec(
        "participants", "workshops:participation_list", "workshops/participation",
        ("attendance", "attended"), "attendance__exact", "name", "participant",
    ),
    ListSpec(
        "media coverage", "workshops:mediacoverage_list", "workshops/mediacoverage",
        ("language", "ur"), "language__exact", "-date", "-published_on",
    ),
    ListSpec(
        "consultations", "consultations:consultation_list", "consultations/consultation",
        ("confidentiality", "internal"), "confidentiality__exact", "city", "city",
    ),
    ListSpec(
        "findings", "consultations:finding_list", "consultations/finding", ("theme", "needs"),
        "theme__exact", "theme", "theme",
    ),
    ListSpec(
        "next steps", "consultations:next_step_list", "consultations/nextstep",
        ("status", "in_progress"), "status__exact", "status", "status",
    ),
)  # fmt: skip


def _query(url: str, params: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return f"{url}?{urlencode(params)}" if params else url


def _sql(queryset) -> tuple[str, Any]:
    return queryset.query.sql_with_params()


def _list_floor(url: str, params: dict[str, Any], user) -> Callable[[], tuple[str, Any]]:
    """The SQL of the page of rows the list view at `url` shows for `params`."""

    def floor() -> tuple[str, Any]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        view = _list_view(url, params, user)
        filterset = view.get_filterset(view.get_filterset_class())
        if filterset.is_bound and not filterset.is_valid():
            raise ValueError(f"{url} {params}: {filterset.errors}")
        page = int(params.get("page", 1))
        offset = (page - 1) * view.paginate_by
        paginator = view.get_paginator(filterset.qs, view.paginate_by)
        paginator.count  # noqa: B018 (counted before, as the view does: not part of the floor)
        with CaptureQueriesContext(connection) as queries:
            keys = view.page_keys(filterset.qs, offset, offset + view.paginate_by, paginator)
        if keys is not None:
            # The page's keys are found first (a deep page, a walk of indexes): those queries
            # (a deep page's exact count, then its keys), as they were sent, are the main ones.
            return "; ".join(query["sql"] for query in queries.captured_queries), None
        return _sql(filterset.qs[offset : offset + view.paginate_by])

    return floor


def _list_view(url: str, params: dict[str, Any], user):
    from django.test import RequestFactory
    from django.urls import resolve

    request = RequestFactory().get(url, params)
    request.user = user
    view = resolve(url).func.view_class()
    view.setup(request)
    return view


def _next_link_params(url: str, page: int, user) -> dict[str, Any] | None:
    """The parameters of the "Next" link that leads to `page` (its cursor: the last row of
    the page before), as a user paging through the list follows it; None for a list whose
    links go by page numbers (ordered by a column that may be empty)."""
    from scn_portal.generic import ListCursor

    view = _list_view(url, {}, user)
    rows = view.get_filterset(view.get_filterset_class()).qs
    last = rows[(page - 1) * view.paginate_by - 1]
    token = ListCursor(rows, view._filters_key()).token(last, page)
    return {"page": page, ListCursor.AFTER: token} if token else None


def _last_link_params(url: str, user) -> dict[str, Any] | None:
    """The parameters of the list's "Last" link (read backwards from the list's end); None for
    a list whose links go by page numbers."""
    from scn_portal.generic import ListCursor

    view = _list_view(url, {}, user)
    rows = view.get_filterset(view.get_filterset_class()).qs
    if ListCursor(rows, view._filters_key()).ordering is None:
        return None
    pages = view.get_paginator(rows, view.paginate_by).num_pages
    return {"page": pages, ListCursor.LAST: 1}


def _last_floor(url: str, user) -> Callable[[], tuple[str, Any]]:
    """The SQL of the last page's rows, as "Last" reads them."""
    from scn_portal.generic import ListCursor

    def floor() -> tuple[str, Any]:
        view = _list_view(url, {}, user)
        rows = view.get_filterset(view.get_filterset_class()).qs
        cursor = ListCursor(rows, view._filters_key())
        return _sql(cursor.last_page_rows(rows, view.paginate_by))

    return floor


def _cursor_floor(url: str, params: dict[str, Any], user) -> Callable[[], tuple[str, Any]]:
    """The SQL of the page of rows a "Next" link's cursor leads to."""
    from scn_portal.generic import ListCursor

    def floor() -> tuple[str, Any]:
        view = _list_view(url, params, user)
        rows = view.get_filterset(view.get_filterset_class()).qs
        cursor = ListCursor(rows, view._filters_key())
        page = cursor.page_rows(
            rows, params[ListCursor.AFTER], params["page"], forward=True, size=view.paginate_by
        )
        return _sql(page)

    return floor


def _admin_column(model, column: str) -> int:
    from django.contrib import admin

    descending = column.startswith("-")
    index = list(admin.site._registry[model].list_display).index(column.removeprefix("-"))
    return f"-{index}" if descending else str(index)


def build_pages(user) -> list[Page]:
    """Every page measured, with its admin counterpart and floor."""
    from django.apps import apps
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from cities.models import City
    from consultations.models import Consultation
    from scn_portal import selectors
    from workshops.models import Workshop

    pages = [
        Page(
            "dashboard",
            reverse("dashboard"),
            floor=lambda: _sql(
                selectors.dashboard_overdue_next_steps(user=user, today=timezone.localdate())[
                    : selectors.OVERDUE_LIMIT
                ]
            ),
        )
    ]
    for spec in LISTS:
        url = reverse(spec.url_name)
        model = apps.get_model(spec.admin_path.replace("/", "."))
        admin_url = f"/admin/{spec.admin_path}/"
        pages_deep = max(1, int(model.objects.count() / PAGE_SIZE * 0.9))
        key, value = spec.filter
        variants = [
            ("", {}, {}),
            ("filtered", {key: value}, {spec.admin_filter: value}),
            ("sorted", {"o": spec.sort}, {"o": _admin_column(model, spec.admin_sort)}),
            (f"page {pages_deep}", {"page": pages_deep}, {"p": pages_deep}),
        ]
        for label, params, admin_params in variants:
            pages.append(
                Page(
                    f"{spec.name} {label}".strip(),
                    _query(url, params),
                    admin_url=_query(admin_url, admin_params),
                    floor=_list_floor(url, params, user),
                    staff_list=True,
                )
            )
        if pages_deep <= 1:
            continue
        # The deep page as "Next" reaches it, and the last page as "Last" opens it (lists
        # whose links carry no cursor have neither); beside the admin's deep page.
        next_params = _next_link_params(url, pages_deep, user)
        by_link = [
            (f"page {pages_deep} by Next", next_params, _cursor_floor(url, next_params, user)),
            ("last page", _last_link_params(url, user), _last_floor(url, user)),
        ]
        for label, params, floor in by_link:
            if params:
                pages.append(
                    Page(
                        f"{spec.name} {label}",
                        _query(url, params),
                        admin_url=_query(admin_url, {"p": pages_deep}),
                        floor=floor,
                        staff_list=True,
                    )
                )
    next_steps = reverse("consultations:next_step_list")
    pages.append(
        Page(
            "overdue next steps",
            _query(next_steps, {"overdue": "true"}),
            admin_url="/admin/consultations/nextstep/?overdue=yes",
            floor=_list_floor(next_steps, {"overdue": "true"}, user),
            staff_list=True,
        )
    )
    busiest = (
        City.objects.annotate(n=Count("consultations")).order_by("-n", "pk").first()
        or City.objects.first()
    )
    pages.append(
        Page(
            f"busiest city's timeline ({busiest.consultations.count()} consultations)",
            busiest.get_absolute_url(),
            floor=lambda: _sql(
                Consultation.objects.for_user(user).filter(city=busiest).order_by("-date")
            ),
        )
    )
    pages.append(Page("global search", _query(reverse("search"), {"q": "water council"})))
    public_city = (
        City.objects.published().annotate(n=Count("consultations")).order_by("-n", "pk").first()
    )
    public_workshop = (
        Workshop.objects.published()
        .annotate(n=Count("participations"))
        .order_by("-n", "pk")
        .first()
    )
    pages += [
        Page("public home", reverse("home"), public=True),
        Page("public city directory", reverse("public:directory"), public=True),
        Page("public calendar (ics)", reverse("public:calendar"), public=True),
    ]
    if public_city:
        pages.append(
            Page(
                "public city page",
                reverse("public:city", args=[public_city.slug]),
                public=True,
            )
        )
    if public_workshop:
        pages += [
            Page(
                "public workshop page",
                reverse("public:workshop", args=[public_workshop.slug]),
                public=True,
            ),
            Page(
                "public workshop story",
                reverse("public:story", args=[public_workshop.slug]),
                public=True,
            ),
        ]
    return pages


def _get(client, url: str) -> float:
    """Milliseconds to get `url` and its whole body."""
    began = time.perf_counter()
    response = client.get(url, secure=True)
    if response.streaming:
        for _ in response.streaming_content:
            pass
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return elapsed


class SqlClock:
    """The milliseconds each request spends in the database: every query it sends (session,
    user, permissions, count, rows, per-row figures), timed at the cursor."""

    def __init__(self) -> None:
        self.requests: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.requests[-1] += (time.perf_counter() - began) * 1000

    def timed(self, measure: Callable[..., float], *args: Any) -> float:
        from django.db import connection

        self.requests.append(0.0)
        with connection.execute_wrapper(self):
            return measure(*args)


def _timings(
    measure: Callable[[], float], warmup: int, repeat: int, budget: float | None = None
) -> list[float]:
    """`repeat` timings after `warmup` untimed runs; a slow page stops after `budget` seconds
    (at least three timings), so that a page of seconds does not take the run's hour."""
    began = time.perf_counter()
    for _ in range(warmup):
        measure()
        if budget and time.perf_counter() - began > budget:
            break
    began = time.perf_counter()
    times: list[float] = []
    while len(times) < repeat:
        times.append(measure())
        if budget and len(times) >= 3 and time.perf_counter() - began > budget:
            break
    return sorted(times)


def _p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[-1]
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def _floor_ms(
    floor: Callable[[], tuple[str, Any]], warmup: int, repeat: int, budget: float | None
) -> float:
    from django.db import connection

    sql, params = floor()

    def run() -> float:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
        return (time.perf_counter() - began) * 1000

    return statistics.median(_timings(run, warmup, repeat, budget))


@contextmanager
def admin_page_size(size: int) -> Iterator[None]:
    """Admin changelists show `size` rows a page while this runs (the portal's 25)."""
    from django.contrib import admin

    saved = {
        model_admin: model_admin.list_per_page for model_admin in admin.site._registry.values()
    }
    for model_admin in saved:
        model_admin.list_per_page = size
    try:
        yield
    finally:
        for model_admin, per_page in saved.items():
            model_admin.list_per_page = per_page


def bench_user():
    """The benchmark's portal admin (superuser), signed in with a verified second factor."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USERNAME, defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def signed_in_client(user):
    from django.test import Client

    sys.path.insert(0, str(ROOT))
    from tests.auth import sign_in

    client = Client()
    sign_in(client, user)
    return client


def measure_pages(
    pages: list[Page],
    staff,
    public,
    *,
    warmup: int,
    repeat: int,
    budget: float | None,
    progress: TextIO | None,
) -> list[Result]:
    results = []
    with admin_page_size(PAGE_SIZE):
        for page in pages:
            client = public if page.public else staff
            clock = SqlClock()
            times = _timings(lambda: clock.timed(_get, client, page.url), warmup, repeat, budget)  # noqa: B023
            result = Result(page, statistics.median(times), _p95(times), requests=len(times))
            result.sql = statistics.median(clock.requests[-len(times) :])
            if page.admin_url:
                admin_times = _timings(
                    lambda: _get(staff, page.admin_url),  # noqa: B023
                    warmup,
                    repeat,
                    budget,
                )
                result.admin_median = statistics.median(admin_times)
            if page.floor:
                result.floor = _floor_ms(page.floor, warmup, repeat, budget)
            results.append(result)
            if progress:
                print(f"  {page.name}: {result.median:.1f} ms", file=progress, flush=True)
    return results


@dataclass
class ExportResult:
    file_format: str
    rows: int
    seconds: float
    megabytes: float
    peak_mib: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measure_exports(client) -> list[ExportResult]:
    """Every consultation to CSV and to Excel, answered at once (not in the background)."""
    from django.test import override_settings
    from django.urls import reverse

    from consultations.models import Consultation

    rows = Consultation.objects.count()
    url = reverse("consultations:consultation_list")
    results = []
    with override_settings(EXPORT_BACKGROUND_ROWS=rows + 1):
        for file_format in ("csv", "xlsx"):
            size, seconds = _export(client, url, file_format)
            tracemalloc.start()
            _export(client, url, file_format)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            results.append(ExportResult(file_format, rows, seconds, size / 2**20, peak / 2**20))
    return results


def _export(client, url: str, file_format: str) -> tuple[int, float]:
    began = time.perf_counter()
    response = client.get(url, {"export": file_format}, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{file_format} export answered {response.status_code}")
    chunks = response.streaming_content if response.streaming else [response.content]
    size = sum(len(chunk) for chunk in chunks)
    return size, time.perf_counter() - began


def _ms(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "—"


def _ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "—"


def print_report(results: list[Result], exports: list[ExportResult], out: TextIO) -> None:
    print(
        "| page | median ms | p95 ms | admin median ms | ratio to admin | SQL floor ms "
        "| ratio to floor | page SQL ms | SQL ratio to floor | target met | requests |",
        file=out,
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|", file=out)
    for r in results:
        print(
            f"| {r.page.name} | {_ms(r.median)} | {_ms(r.p95)} | {_ms(r.admin_median)} "
            f"| {_ratio(r.admin_ratio)} | {_ms(r.floor)} | {_ratio(r.floor_ratio)} "
            f"| {_ms(r.sql)} | {_ratio(r.sql_floor_ratio)} "
            f"| {'yes' if r.target_met else 'no'} | {r.requests} |",
            file=out,
        )
    print(file=out)
    if exports:
        print("| export | rows | seconds | rows/s | MiB | peak Python MiB | target met |", file=out)
        print("|---|---:|---:|---:|---:|---:|---|", file=out)
    for e in exports:
        target = (
            ("yes" if e.rows_per_second >= TARGET_CSV_ROWS_PER_SECOND else "no")
            if e.file_format == "csv"
            else "—"
        )
        print(
            f"| {e.file_format} | {e.rows} | {e.seconds:.2f} | {e.rows_per_second:,.0f} "
            f"| {e.megabytes:.1f} | {e.peak_mib:.1f} | {target} |",
            file=out,
        )
    met = sum(r.target_met for r in results)
    print(
        f"\nTargets: p95 < {TARGET_P95_MS:.0f} ms on every page; a staff list's median "
        f"<= {TARGET_ADMIN_RATIO}x the admin's and <= {TARGET_FLOOR_RATIO:.0f}x its SQL floor; "
        f"CSV >= {TARGET_CSV_ROWS_PER_SECOND:,} rows/s. Pages meeting them: {met}/{len(results)}.",
        file=out,
    )
    by_sql = sum(r.target_met_by_sql for r in results)
    print(
        f"With a page's own SQL time (every query it sends) within {TARGET_FLOOR_RATIO:.0f}x "
        f"of its SQL floor, instead of its whole time: {by_sql}/{len(results)}.",
        file=out,
    )


def machine_check() -> float:
    """Milliseconds of a fixed pure-Python workload (best of three): how fast this machine
    runs at the moment. On a shared virtual machine the same page can take twice as long an
    hour later; a page's figures mean something beside the check made with them."""

    def workload() -> float:
        began = time.perf_counter()
        table = {number: str(number) for number in range(200_000)}
        sum(len(text) for text in table.values())
        sorted(table, key=lambda number: -number)
        return (time.perf_counter() - began) * 1000

    return min(workload() for _ in range(3))


def run_benchmark(
    *,
    warmup: int = 2,
    repeat: int = 30,
    budget: float | None = None,
    out: TextIO = sys.stdout,
    progress: TextIO | None = None,
    portal_only: bool = False,
) -> tuple[list[Result], tuple[float, float]]:
    """Measure on the database Django is connected to (which must hold the data already);
    the results, and the machine check before and after them.
    `portal_only`: the portal's pages alone, without the admin, the SQL floor or the exports
    (for comparing scales, see bench/compare_scales.py)."""
    from django.db import connection
    from django.test import Client

    from cities.models import City
    from consultations.models import Consultation, Finding, NextStep

    user = bench_user()
    staff = signed_in_client(user)
    print(
        f"On {connection.vendor}: {City.objects.count():,} cities, "
        f"{Consultation.objects.count():,} consultations, {Finding.objects.count():,} "
        f"findings, {NextStep.objects.count():,} next steps; {warmup} warm-up and {repeat} "
        f"timed requests a page (fewer, at least 3, past {budget} s of a page's time).\n",
        file=out,
    )
    check_before = machine_check()
    pages = build_pages(user)
    if portal_only:
        for page in pages:
            page.admin_url = page.floor = None
    results = measure_pages(
        pages,
        staff,
        Client(),
        warmup=warmup,
        repeat=repeat,
        budget=budget,
        progress=progress,
    )
    exports = [] if portal_only else measure_exports(staff)
    checks = (check_before, machine_check())
    print_report(results, exports, out)
    print(
        f"Machine check (bench/pages_bench.py machine_check, a fixed Python workload): "
        f"{checks[0]:.0f} ms before the run, {checks[1]:.0f} ms after.",
        file=out,
    )
    return results, checks


def ensure_data(scale: float, out: TextIO) -> None:
    """Generate data until the database holds `scale` worth of consultations."""
    from consultations.models import Consultation
    from scn_portal.scale import ScaleCounts, generate_scale_data, has_real_records

    wanted = ScaleCounts.at(scale).consultations
    held = Consultation.objects.count()
    if held >= wanted:
        print(f"The database holds {held:,} consultations: no data generated.", file=out)
        return
    if real := has_real_records():
        sys.exit(f"This database holds real records ({', '.join(real)}): use a scratch one.")
    missing = scale * (wanted - held) / wanted
    began = time.perf_counter()
    generate_scale_data(scale=missing)
    print(f"Generated scale {missing:g} in {time.perf_counter() - began:.0f} s.", file=out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1)))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 30)))
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--budget",
        type=float,
        default=float(os.environ.get("BENCH_BUDGET", 5)),
        help="Seconds after which a slow page's timings stop (at least 3 taken).",
    )
    parser.add_argument(
        "--portal-only",
        action="store_true",
        help="The portal's pages alone: no admin, no SQL floor, no exports.",
    )
    parser.add_argument(
        "--save", type=Path, help="Also write each page's median and p95 to this JSON file."
    )
    arguments = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scn_portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    ensure_data(arguments.scale, sys.stdout)
    # Production's manifest storage needs `collectstatic`; the benchmark serves no files.
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        results, checks = run_benchmark(
            warmup=arguments.warmup,
            repeat=arguments.repeat,
            budget=arguments.budget,
            out=sys.stdout,
            progress=sys.stderr,
            portal_only=arguments.portal_only,
        )
    if arguments.save:
        from consultations.models import Consultation

        saved = {
            "consultations": Consultation.objects.count(),
            "machine_check_ms": checks,
            "pages": {
                r.page.name: {"median": r.median, "p95": r.p95, "sql": r.sql} for r in results
            },
        }
        arguments.save.write_text(json.dumps(saved, indent=1))


if __name__ == "__main__":
    main()
