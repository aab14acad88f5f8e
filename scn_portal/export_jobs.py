"""Pages of background exports: progress, download, cancel. Each job is its requester's only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin

from scn_portal.models import ExportJob
from scn_portal.services import export_job_cancel
from scn_portal.tasks import may_still_export


class ExportJobScopeMixin(LoginRequiredMixin):
    model = ExportJob

    def get_queryset(self):
        return ExportJob.objects.for_user(self.request.user)


class ExportJobListView(ExportJobScopeMixin, ListView):
    template_name = "scn_portal/exportjob_list.html"
    paginate_by = 25


class ExportJobDetailView(ExportJobScopeMixin, DetailView):
    template_name = "scn_portal/exportjob_detail.html"


class ExportJobStatusView(ExportJobScopeMixin, SingleObjectMixin, View):
    """The job's progress as JSON, for the page's progress bar."""

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "percent": job.percent,
                "finished": job.is_finished,
            }
        )


class ExportJobDownloadView(ExportJobScopeMixin, SingleObjectMixin, View):
    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if not job.downloadable() or not may_still_export(job):
            raise Http404
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=job.filename)


class ExportJobCancelView(ExportJobScopeMixin, SingleObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        job = self.get_object()
        if export_job_cancel(job=job):
            messages.success(request, gettext("The export is cancelled."))
        else:
            messages.info(request, gettext("The export had already finished."))
        return HttpResponseRedirect(job.get_absolute_url())
