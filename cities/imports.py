"""Imports of cities, officials and organisations from CSV and Excel files, without the admin.

`import_rows` is what the admin's import pages do, as one plain function: a background task
can call it with the file's bytes for a large file. A dry run writes nothing; a real run
writes every row or, when one row is refused, nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from import_export.results import Result, RowResult

from cities.resources import RESOURCES
from scn_portal import roles

FORMATS: dict[str, type[base_formats.Format]] = {
    "csv": base_formats.CSV,
    "xlsx": base_formats.XLSX,
}
NEW, UPDATE, UNCHANGED, REFUSED = "new", "update", "unchanged", "refused"


class ImportFileError(ValueError):
    """The file cannot be read as a spreadsheet of the chosen format, or holds no rows."""


def unreadable_file_message() -> str:
    return _(
        "The file could not be read as a spreadsheet of the chosen format. Save it as .xlsx "
        "or as .csv (UTF-8), with the column names in the first row, and upload it again."
    )


def empty_file_message() -> str:
    return _("The file has no rows to import under its column names.")


def read_dataset(file_bytes: bytes, file_format: str) -> tablib.Dataset:
    """The file's rows, or `ImportFileError` with a message for the person who uploaded it."""
    if file_format not in FORMATS:
        raise ImportFileError(
            _("Unsupported format “%(format)s”: use one of %(formats)s.")
            % {"format": file_format, "formats": ", ".join(FORMATS)}
        )
    input_format = FORMATS[file_format](encoding="utf-8-sig")
    try:
        data = file_bytes if input_format.is_binary() else file_bytes.decode("utf-8-sig")
        dataset = input_format.create_dataset(data)
    except Exception as error:  # any parser failure means "not a file of this format"
        raise ImportFileError(unreadable_file_message()) from error
    if not dataset.headers or not len(dataset):
        raise ImportFileError(empty_file_message())
    return dataset


@dataclass(frozen=True)
class RowReport:
    """One row of the file: its number (1 = the first row under the column names), what
    the import does with it, and why it is refused if it is."""

    number: int
    action: str
    record: str
    errors: tuple[str, ...] = ()


@dataclass
class ImportReport:
    resource_name: str
    dry_run: bool
    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.action == REFUSED for row in self.rows)

    @property
    def written(self) -> bool:
        """Whether anything was written: a real run without a refused row."""
        return self.ok and not self.dry_run

    def count(self, action: str) -> int:
        return sum(row.action == action for row in self.rows)

    @property
    def messages(self) -> list[str]:
        """Every reason for refusal, one line each, naming the row."""
        lines = list(self.file_errors)
        for row in self.rows:
            lines.extend(
                _("Row %(number)d: %(error)s") % {"number": row.number, "error": error}
                for error in row.errors
            )
        return lines


def row_errors(row_result: RowResult) -> tuple[str, ...]:
    """`column: reason` lines for a refused row."""
    if row_result.validation_error is not None:
        error = row_result.validation_error
        errors = getattr(error, "message_dict", None) or {NON_FIELD_ERRORS: error.messages}
        return tuple(
            message if column == NON_FIELD_ERRORS else f"{column}: {message}"
            for column, messages in errors.items()
            for message in messages
        )
    return tuple(str(error.error) for error in row_result.errors)


def report_from_result(resource_name: str, result: Result, *, dry_run: bool) -> ImportReport:
    """A plain report (safe to store or e-mail) of django-import-export's result."""
    actions = {
        RowResult.IMPORT_TYPE_NEW: NEW,
        RowResult.IMPORT_TYPE_UPDATE: UPDATE,
        RowResult.IMPORT_TYPE_SKIP: UNCHANGED,
    }
    report = ImportReport(resource_name=resource_name, dry_run=dry_run)
    report.file_errors = [str(error.error) for error in result.base_errors]
    # The resources report skipped rows too, so `result.rows` holds one entry per file row.
    for number, row_result in enumerate(result.rows, start=1):
        report.rows.append(
            RowReport(
                number=number,
                action=actions.get(row_result.import_type, REFUSED),
                record=row_result.object_repr or "",
                errors=row_errors(row_result),
            )
        )
    return report


def import_rows(
    *,
    resource_name: str,
    file_bytes: bytes,
    file_format: str,
    user: roles.User,
    dry_run: bool,
    file_name: str = "",
) -> ImportReport:
    """Import a CSV or .xlsx file of cities, officials or organisations.

    `resource_name` is a key of `cities.resources.RESOURCES`. The caller checks that `user`
    may import (the admin: add and change permission on the model); the history rows of
    what is written carry `user`. All or nothing: one refused row and nothing is written.
    """
    resource = RESOURCES[resource_name]()
    try:
        dataset = read_dataset(file_bytes, file_format)
    except ImportFileError as error:
        return ImportReport(resource_name=resource_name, dry_run=dry_run, file_errors=[str(error)])
    result = resource.import_data(
        dataset, dry_run=dry_run, user=user, file_name=file_name or _("an uploaded file")
    )
    return report_from_result(resource_name, result, dry_run=dry_run)
