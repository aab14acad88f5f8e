"""The admin's import pages (django-import-export): upload, preview, confirm.

Import only: the admin offers no export of its own (the portal's exports respect each user's
scope and write the export log). The preview is a dry run, rolled back; the confirmed import
runs in one transaction and writes every row or none (see `cities.resources`).
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats

from cities.imports import REFUSED, report_from_result, unreadable_file_message


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
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            messages.error(
                request, _("The uploaded file is no longer available: please upload it again.")
            )
            return HttpResponseRedirect(self.import_url())

    def process_result(self, result, request):
        """After the confirmed import: the totals, or, if a row was refused after all (the
        records changed since the preview), why nothing was written."""
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
