"""The admin's import pages (django-import-export): upload, preview, confirm.

Import only: the admin offers no export of its own (the portal's exports respect each user's
scope and write the export log). The preview is a dry run, rolled back; the confirmed import
runs in one transaction and writes every row or none (see `cities.resources`).
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats

from cities.imports import REFUSED, report_from_result, unreadable_file_message
from cities.resources import RESOURCES
from cities.tasks import import_job_start

logger = logging.getLogger(__name__)

# What `process_dataset` answers when the import went to the background worker.
QUEUED = object()


class SpreadsheetImportMixin(ImportMixin):
    """CSV and .xlsx imports for users who may add and change the model in the admin."""

    import_formats = [base_formats.CSV, base_formats.XLSX]
    import_error_display = ("message",)

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_url(self) -> str:
        return reverse(
            "admin:{}_{}_import".format(*self.get_model_info()), current_app=self.admin_site.name
        )

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", unreadable_file_message())

    def process_import(self, request, **kwargs):
        formats = {str(index) for index in range(len(self.get_import_formats()))}
        chosen = request.POST.get("format")
        tampered = chosen is not None and chosen not in formats  # no such format
        try:
            if tampered and self.has_import_permission(request):
                raise FileNotFoundError
            return super().process_import(request, **kwargs)
        except OSError as error:  # gone, or tampered with (a folder, a name too long)
            logger.warning("Import confirmation refused: %s", error)
            messages.error(
                request, _("The uploaded file is no longer available: please upload it again.")
            )
            return HttpResponseRedirect(self.import_url())

    def process_dataset(self, dataset, form, request, **kwargs):
        """A confirmed import of many rows goes to the background worker instead."""
        if len(dataset) <= settings.IMPORT_BACKGROUND_ROWS:
            return super().process_dataset(dataset, form, request, **kwargs)
        # The file as uploaded (not the parsed rows): the worker reads it as the preview did.
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])](
            encoding=self.from_encoding
        )
        data = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        ).read()
        import_job_start(
            user=request.user,
            resource_name=next(
                name for name, resource in RESOURCES.items() if resource.Meta.model is self.model
            ),
            file_bytes=data if isinstance(data, bytes) else data.encode(),
            file_format="xlsx" if input_format.is_binary() else "csv",
            file_name=form.cleaned_data.get("original_file_name") or "",
        )
        return QUEUED

    def process_result(self, result, request):
        """After the confirmed import: the totals, or, if a row was refused after all (the
        records changed since the preview), why nothing was written."""
        if result is QUEUED:
            messages.info(
                request,
                _(
                    "The import runs in the background: you will get an e-mail when it is "
                    "done. Until then the records stay as they were."
                ),
            )
            return HttpResponseRedirect(
                reverse(
                    "admin:{}_{}_changelist".format(*self.get_model_info()),
                    current_app=self.admin_site.name,
                )
            )
        if result.has_errors() or result.has_validation_errors():
            report = report_from_result(self.model._meta.model_name, result, dry_run=False)
            messages.error(
                request,
                _("Nothing was imported: %(count)d rows were refused. %(reasons)s")
                % {"count": report.count(REFUSED), "reasons": " ".join(report.messages)},
            )
            return HttpResponseRedirect(self.import_url())
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _(
                "Import finished: %(new)d new and %(updated)d updated %(records)s, "
                "%(unchanged)d rows unchanged."
            )
            % {
                "new": totals["new"],
                "updated": totals["update"],
                "unchanged": totals["skip"],
                "records": self.model._meta.verbose_name_plural,
            },
        )
