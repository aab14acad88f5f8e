"""Exports of the staff lists: exactly the rows the current filters show, in the user's scope.

CSV is streamed (memory does not grow with the rows) with a byte-order mark so that Excel
reads UTF-8 (Urdu included); Excel files are written in openpyxl's write-only mode with real
date cells. Every cell that a spreadsheet could read as a formula is neutralised.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell starting with one of these may be run as a formula by a spreadsheet (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet could run as a formula gets a leading apostrophe; characters
    that an .xlsx file cannot hold are dropped. Other values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value)


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Any], columns: list[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([column.header for column in columns])
    for row in rows:
        yield writer.writerow([_csv_value(column.value(row)) for column in columns])


def csv_response(
    queryset: QuerySet, columns: list[Column], filename: str, on_done: Callable[[int], None]
) -> StreamingHttpResponse:
    """Stream the rows as CSV; `on_done(count)` runs once the last row is sent."""

    count = 0

    def rows() -> Iterator[Any]:
        nonlocal count
        for row in queryset.iterator(chunk_size=CHUNK):
            count += 1
            yield row

    def stream() -> Iterator[str]:
        yield from csv_lines(rows(), columns)
        on_done(count)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    queryset: QuerySet, columns: list[Column], filename: str, on_done: Callable[[int], None]
) -> FileResponse:
    """Write the rows to an .xlsx file (write-only mode: constant memory) and send it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.append([str(column.header) for column in columns])
    count = 0
    for row in queryset.iterator(chunk_size=CHUNK):
        sheet.append([_xlsx_cell(sheet, column.value(row)) for column in columns])
        count += 1
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    on_done(count)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx")


def _xlsx_cell(sheet, value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = (
            "yyyy-mm-dd hh:mm" if isinstance(value, datetime.datetime) else "yyyy-mm-dd"
        )
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=neutralise(value))
        cell.data_type = "s"  # text, never a formula, whatever it looks like
        return cell
    return value


def joined(values: Iterable[Any]) -> str:
    return "; ".join(str(value) for value in values)


EXPORTERS = {"csv": csv_response, "xlsx": xlsx_response}
