"""Archive instead of delete: the portal's "Archive" button, and the admin's archive.

Cities, organisations, officials, workshops and consultations are archived, never deleted,
from the portal: an archived record leaves every list, page, export, search, count and the
public site (each model's `for_user` starts from `active()`), and an admin restores it, or
deletes it for good, from the admin's archive (`ArchiveAdminMixin`).

What happens to the records around an archived one:
- what was logged as part of it leaves with it: a consultation's findings and next steps, a
  workshop's supporters, participants, media coverage and next steps, a city's devolved
  powers and mechanisms (they are all read through the parent's `for_user`);
- a record that only refers to it stays: a consultation or an official of an archived city,
  a workshop convened by an archived organisation, a participant who is an archived official.
  The archived record's name is still shown there, without a link
  (`components/record_link.html`), and lists of many (a workshop's cities, the officials met
  at a consultation) simply leave it out.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from scn_portal import roles
from scn_portal.generic import NotFoundWhenRefusedMixin
from scn_portal.services import record_archive, record_delete_permanently, record_unarchive


class PortalArchiveView(NotFoundWhenRefusedMixin, DetailView):
    """GET: "Archive this record?"; POST: archive it and go back to its list.

    Whoever may change the record may archive it: the model's `change` permission, and the
    record in `get_queryset` (`editable_by` for workshops, so a partner archives their own
    organisation's). Anyone else gets 404, as for any record outside their scope.
    """

    model: type[models.Model]
    template_name = "components/archive_confirm.html"
    context_object_name = "record"

    def get_permission_required(self) -> list[str]:
        meta = self.model._meta
        return [f"{meta.app_label}.change_{meta.model_name}"]

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            verbose_name=self.model._meta.verbose_name, list_url=self.list_url(), **kwargs
        )

    def list_url(self) -> str:
        meta = self.model._meta
        return reverse(f"{meta.app_label}:{meta.model_name}_list")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        record_archive(instance=self.object, actor=request.user)
        messages.success(
            request,
            gettext("“%(record)s” is archived. An admin can restore it from the archive.")
            % {"record": self.object},
        )
        return HttpResponseRedirect(self.list_url())


class ArchiveAdminMixin:
    """For a `ScopedAdmin` of an archivable model: archived records leave the changelist
    (`for_user` hides them); "Archive selected" replaces "Delete selected"; the admin's own
    delete page is gone; and an archive page lists the archived records, to restore (anyone
    who may change them) or delete permanently (portal admins, after a confirmation page).
    """

    actions = ["archive_selected"]

    def has_delete_permission(self, request, obj=None):
        # Deleting goes through the archive (`delete_permanently_view`), never the admin's
        # delete page or its "Delete selected" action (gone with this permission), which
        # would skip the archive and its confirmation.
        return False

    def may_delete_permanently(self, request) -> bool:
        meta = self.model._meta
        return roles.is_portal_admin(request.user) and request.user.has_perm(
            f"{meta.app_label}.delete_{meta.model_name}"
        )

    @admin.action(description=_("Archive selected %(verbose_name_plural)s"), permissions=["change"])
    def archive_selected(self, request, queryset):
        # One record at a time, through the service: each gets its own history row.
        archived = sum(record_archive(instance=record, actor=request.user) for record in queryset)
        self.message_user(
            request,
            gettext("%(count)d archived. They can be restored from the archive.")
            % {"count": archived},
            messages.SUCCESS,
        )

    def get_urls(self):
        meta = self.model._meta
        name = f"{meta.app_label}_{meta.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("archive/", wrap(self.archive_view), name=f"{name}_archive"),
            path(
                "archive/<int:pk>/restore/",
                wrap(require_POST(self.restore_view)),
                name=f"{name}_restore",
            ),
            path(
                "archive/<int:pk>/delete/",
                wrap(self.delete_permanently_view),
                name=f"{name}_delete_permanently",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        meta = self.model._meta
        archive_url = reverse(f"admin:{meta.app_label}_{meta.model_name}_archive")
        return super().changelist_view(
            request, {"archive_url": archive_url, **(extra_context or {})}
        )

    def archived_queryset(self, request) -> models.QuerySet:
        """Archived records: only those who may change the model (the admin's staff, who
        see every record of these models) read them."""
        if not self.has_change_permission(request) or not roles.is_isd_staff(request.user):
            raise PermissionDenied
        return self.model.objects.archived()

    def archive_view(self, request):
        records = self.archived_queryset(request).order_by("-archived_at")
        meta = self.model._meta
        return TemplateResponse(
            request,
            "admin/archive.html",
            {
                **self.admin_site.each_context(request),
                "opts": meta,
                "title": gettext("Archived %(name)s") % {"name": meta.verbose_name_plural},
                "records": records,
                "may_delete": self.may_delete_permanently(request),
                "restore_url": f"admin:{meta.app_label}_{meta.model_name}_restore",
                "delete_url": f"admin:{meta.app_label}_{meta.model_name}_delete_permanently",
            },
        )

    def restore_view(self, request, pk: int):
        record = get_object_or_404(self.archived_queryset(request), pk=pk)
        record_unarchive(instance=record, actor=request.user)
        self.message_user(
            request, gettext("“%(record)s” is restored.") % {"record": record}, messages.SUCCESS
        )
        return HttpResponseRedirect(self._archive_url())

    def delete_permanently_view(self, request, pk: int):
        """GET: what will be deleted, and a confirmation button; POST: delete for good."""
        if not self.may_delete_permanently(request):
            raise PermissionDenied
        record = get_object_or_404(self.archived_queryset(request), pk=pk)
        if request.method == "POST":
            try:
                record_delete_permanently(instance=record, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("“%(record)s” is deleted permanently.") % {"record": record},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(self._archive_url())
        if request.method != "GET":
            raise Http404
        deleted_objects, _count, _perms, protected = self.get_deleted_objects([record], request)
        return TemplateResponse(
            request,
            "admin/archive_delete_confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Delete permanently?"),
                "record": record,
                "deleted_objects": deleted_objects,
                "protected": protected,
                "archive_url": self._archive_url(),
            },
        )

    def _archive_url(self) -> str:
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_archive")
