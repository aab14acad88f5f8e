"""Workshop and city reports, shaped like the seed report: a printable page and a PDF.

`?format=pdf` on a report's page downloads the same report as a PDF (WeasyPrint). The record
comes from the user's scope like any detail page (outside it: 404), every section from the
report selectors, and every report, page or PDF, leaves a row in the export log.

The PDF loads its stylesheet and fonts from the project's static files only: the URL fetcher
below answers static URLs from local files and refuses everything else, so rendering never
reaches the network (a media-coverage link stays a link, it is never fetched).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cities.models import City
from scn_portal import roles
from scn_portal.generic import PortalDetailView
from scn_portal.report_selectors import city_report, city_report_refine, workshop_report
from scn_portal.services import export_log_finish, export_log_start
from workshops.models import Workshop

PDF_TEMPLATE = "reports/report_pdf.html"
CONTENT_TYPES = {
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


class StaticFilesOnlyFetcher(URLFetcher):
    """Answers the project's static URLs (any host) from local files; refuses the rest."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = _static_file(url)
        if path is None:
            raise ValueError(f"Reports load static files only, not {url}")
        # The response keeps the static URL, so that a stylesheet's relative `url()`s (its
        # fonts) resolve to static URLs too, and come back here.
        return URLFetcherResponse(
            url,
            body=path.read_bytes(),
            headers={"Content-Type": CONTENT_TYPES.get(path.suffix, "application/octet-stream")},
        )


def _static_file(url: str) -> Path | None:
    """The local file behind a static URL, or None for anything else."""
    prefix = staticfiles_storage.base_url  # e.g. "/static/"
    url_path = unquote(urlsplit(url).path)
    if not url_path.startswith(prefix):
        return None
    name = url_path.removeprefix(prefix)
    if not name or ".." in Path(name).parts:
        return None
    # Collected (and hashed) files in production; the source files where nothing is collected.
    if staticfiles_storage.exists(name):
        path = Path(staticfiles_storage.path(name))
    else:
        found = finders.find(name)
        path = Path(found) if isinstance(found, str) else None
    return path if path is not None and path.is_file() else None


def render_pdf(template_name: str, context: dict[str, Any], request: HttpRequest) -> bytes:
    """Render a template to PDF; relative links point at this site, assets are local files."""
    html = render_to_string(template_name, context, request=request)
    fonts = FontConfiguration()
    document = HTML(
        string=html,
        base_url=request.build_absolute_uri("/"),
        url_fetcher=StaticFilesOnlyFetcher(),
    )
    return document.write_pdf(font_config=fonts)


class ReportView(PortalDetailView):
    """A record's report: the printable page, or with `?format=pdf` the PDF download."""

    report_name = ""  # in the export log, e.g. "workshop-report"
    report_title = _("Report")

    def get_report(self) -> Any:
        raise NotImplementedError

    def get_template_names(self) -> list[str]:
        return [f"reports/{self.model._meta.model_name}_report.html"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        wants_pdf = request.GET.get("format") == "pdf"
        log = export_log_start(
            user=request.user,
            export=self.report_name,
            file_format="pdf" if wants_pdf else "html",
            filters={self.model._meta.model_name: [self.object.slug]},
        )
        report = self.get_report()
        context = self.get_context_data(object=self.object, report=report)
        if wants_pdf:
            response = HttpResponse(
                render_pdf(PDF_TEMPLATE, context, request), content_type="application/pdf"
            )
            stamp = timezone.localdate().isoformat()
            filename = f"scn-{self.report_name}-{self.object.slug}-{stamp}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        else:
            response = self.render_to_response(context)
            response.render()
        export_log_finish(log=log, row_count=report.row_count)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meta = self.model._meta
        return super().get_context_data(
            body_template=f"reports/{meta.model_name}_report_body.html",
            generated_on=timezone.localdate(),
            # Internal fields (a city's governance profile) go to staff and viewers only.
            show_internal=roles.can_read_internal(self.request.user),
            language=get_language(),
            **kwargs,
        )


class WorkshopReportView(ReportView):
    model = Workshop
    report_name = "workshop-report"

    def refine_queryset(self, queryset):
        return queryset.select_related("organiser")

    def get_report(self):
        return workshop_report(workshop=self.object, user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            report_title=gettext("Workshop report: %(title)s") % {"title": self.object.title},
            **kwargs,
        )


class CityReportView(ReportView):
    model = City
    report_name = "city-report"

    def refine_queryset(self, queryset):
        return city_report_refine(queryset, self.request.user)

    def get_report(self):
        return city_report(city=self.object, user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            report_title=gettext("City engagement report: %(name)s") % {"name": self.object.name},
            **kwargs,
        )
