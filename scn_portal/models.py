"""Abstract building blocks shared by the portal's models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalModel(models.Model):
    """Timestamps and the sample-data mark every record of the portal carries."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("Invented to make the demo richer: not a real record."),
    )

    class Meta:
        abstract = True


class ExportLog(models.Model):
    """Who exported or reported what, with which filters, how many rows, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="exports",
        verbose_name=_("user"),
        null=True,
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    export = models.CharField(_("what"), max_length=100, help_text=_("The list or report."))
    file_format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(
        _("rows"), null=True, blank=True, help_text=_("Empty while the export is running.")
    )

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.export} ({self.file_format})"
