"""Measure the CSV and Excel exports of the consultation list: rows per second, peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scn_bench \\
        .venv/bin/python bench/export_bench.py --rows 100000

It migrates the database named by DATABASE_URL, tops it up with sample consultations (marked
`is_sample`; inserted in bulk, so without history rows) and exports them through the real list
view, as a portal admin, measuring wall time and the peak of Python memory (tracemalloc) while
the response is consumed. It refuses a database that holds real (non-sample) consultations.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scn_portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + "x" * 40)
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from cities.models import City, Country  # noqa: E402
from consultations.models import Consultation  # noqa: E402
from consultations.views import ConsultationListView  # noqa: E402


def top_up(rows: int) -> None:
    if Consultation.objects.filter(is_sample=False).exists():
        sys.exit("This database holds real consultations: benchmark on a scratch database.")
    missing = rows - Consultation.objects.count()
    if missing <= 0:
        return
    country, _ = Country.objects.get_or_create(code="ZZ", defaults={"name": "Benchmarkland"})
    cities = [
        City.objects.get_or_create(
            slug=f"bench-city-{n}",
            defaults={"name": f"Bench city {n}", "country": country, "is_sample": True},
        )[0]
        for n in range(50)
    ]
    start = datetime.date(2016, 1, 1)
    batch = []
    for n in range(missing):
        batch.append(
            Consultation(
                city=cities[n % len(cities)],
                date=start + datetime.timedelta(days=n % 3650),
                title=f"Sample consultation {n} =SUM(A1)",
                summary="Sample notes, with Urdu: مشاورت " * 3,
                is_sample=True,
            )
        )
        if len(batch) == 5000:
            Consultation.objects.bulk_create(batch)
            batch = []
    Consultation.objects.bulk_create(batch)


def measure(file_format: str, admin, traced: bool, **filters) -> tuple[int, float, float]:
    """Size, seconds and peak Python memory of one export. Speed is measured untraced:
    tracemalloc slows Python down several times; memory is measured in a traced run."""
    request = RequestFactory().get("/consultations/", {"export": file_format, **filters})
    request.user = admin
    if traced:
        tracemalloc.start()
    began = time.perf_counter()
    response = ConsultationListView.as_view()(request)
    size = 0
    chunks = response.streaming_content
    for chunk in chunks:
        size += len(chunk)
    seconds = time.perf_counter() - began
    if not traced:
        return size, seconds, 0.0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, seconds, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    top_up(arguments.rows)
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    rows = Consultation.objects.count()
    print(f"{rows} consultations on {django.db.connection.vendor}")
    tenth = {"date_before": "2016-12-31"}  # the first of the ten years of sample rows
    tenth_rows = Consultation.objects.filter(date__lte="2016-12-31").count()
    for file_format in ("csv", "xlsx"):
        size, seconds, _ = measure(file_format, admin, traced=False)
        *_, peak_tenth = measure(file_format, admin, traced=True, **tenth)
        *_, peak = measure(file_format, admin, traced=True)
        print(
            f"{file_format}: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, "
            f"{size / 2**20:.1f} MiB; peak Python memory {peak_tenth:.1f} MiB "
            f"for {tenth_rows} rows, {peak:.1f} MiB for {rows} rows"
        )


if __name__ == "__main__":
    main()
