"""Abstract building blocks shared by the portal's models."""

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
