from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from scn_portal import dashboard, export_jobs, funders, public, search, two_factor, views
from scn_portal.sitemaps import SITEMAPS

admin.site.site_header = _("SCN Portal administration")
admin.site.site_title = _("SCN Portal admin")
admin.site.index_title = _("Records of the Strong Cities Network")

urlpatterns = [
    path("", login_not_required(public.HomeView.as_view()), name="home"),
    path("", include("scn_portal.public_urls")),
    path(
        "sitemap.xml",
        login_not_required(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", login_not_required(public.RobotsView.as_view()), name="robots"),
    path("favicon.ico", login_not_required(public.FaviconView.as_view()), name="favicon"),
    path("language/", login_not_required(set_language), name="set_language"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("funders/", funders.FundersSummaryView.as_view(), name="funders_summary"),
    path("exports/", export_jobs.ExportJobListView.as_view(), name="export_job_list"),
    path("exports/<uuid:pk>/", export_jobs.ExportJobDetailView.as_view(), name="export_job"),
    path(
        "exports/<uuid:pk>/status/",
        export_jobs.ExportJobStatusView.as_view(),
        name="export_job_status",
    ),
    path(
        "exports/<uuid:pk>/download/",
        export_jobs.ExportJobDownloadView.as_view(),
        name="export_job_download",
    ),
    path(
        "exports/<uuid:pk>/cancel/",
        export_jobs.ExportJobCancelView.as_view(),
        name="export_job_cancel",
    ),
    path("accounts/login/", views.PortalLoginView.as_view(), name="login"),
    path(
        "accounts/two-factor/",
        two_factor.TwoFactorVerifyView.as_view(),
        name="two_factor_verify",
    ),
    path(
        "accounts/two-factor/setup/",
        two_factor.TwoFactorSetupView.as_view(),
        name="two_factor_setup",
    ),
    path(
        "accounts/users/autocomplete/",
        views.UserAutocompleteView.as_view(),
        name="user_autocomplete",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("cities.urls")),
    path("", include("workshops.urls")),
    path("", include("consultations.urls")),
    path("admin/", admin.site.urls),
]
