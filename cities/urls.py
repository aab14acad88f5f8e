from django.urls import path

from cities import views
from scn_portal import history
from scn_portal.reports import CityReportView

app_name = "cities"

urlpatterns = [
    path("cities/", views.CityListView.as_view(), name="city_list"),
    path("cities/new/", views.CityCreateView.as_view(), name="city_create"),
    path("cities/autocomplete/", views.CityAutocompleteView.as_view(), name="city_autocomplete"),
    path(
        "countries/autocomplete/",
        views.CountryAutocompleteView.as_view(),
        name="country_autocomplete",
    ),
    path("cities/<slug:slug>/", views.CityDetailView.as_view(), name="city_detail"),
    path("cities/<slug:slug>/edit/", views.CityUpdateView.as_view(), name="city_update"),
    path("cities/<slug:slug>/archive/", views.CityArchiveView.as_view(), name="city_archive"),
    path("cities/<slug:slug>/report/", CityReportView.as_view(), name="city_report"),
    path("cities/<slug:slug>/history/", history.CityHistoryView.as_view(), name="city_history"),
    path(
        "cities/<slug:slug>/history/<int:history_id>/restore/",
        history.RecordRestoreView.as_view(history_view=history.CityHistoryView),
        name="city_history_restore",
    ),
    path("officials/", views.OfficialListView.as_view(), name="official_list"),
    path("officials/new/", views.OfficialCreateView.as_view(), name="official_create"),
    path(
        "officials/autocomplete/",
        views.OfficialAutocompleteView.as_view(),
        name="official_autocomplete",
    ),
    path("officials/<int:pk>/", views.OfficialDetailView.as_view(), name="official_detail"),
    path("officials/<int:pk>/edit/", views.OfficialUpdateView.as_view(), name="official_update"),
    path(
        "officials/<int:pk>/history/",
        history.OfficialHistoryView.as_view(),
        name="official_history",
    ),
    path(
        "officials/<int:pk>/history/<int:history_id>/restore/",
        history.RecordRestoreView.as_view(history_view=history.OfficialHistoryView),
        name="official_history_restore",
    ),
    path(
        "officials/<int:pk>/archive/", views.OfficialArchiveView.as_view(), name="official_archive"
    ),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="organisation_create"),
    path(
        "organisations/autocomplete/",
        views.OrganisationAutocompleteView.as_view(),
        name="organisation_autocomplete",
    ),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "organisations/<slug:slug>/edit/",
        views.OrganisationUpdateView.as_view(),
        name="organisation_update",
    ),
    path(
        "organisations/<slug:slug>/history/",
        history.OrganisationHistoryView.as_view(),
        name="organisation_history",
    ),
    path(
        "organisations/<slug:slug>/history/<int:history_id>/restore/",
        history.RecordRestoreView.as_view(history_view=history.OrganisationHistoryView),
        name="organisation_history_restore",
    ),
    path(
        "organisations/<slug:slug>/archive/",
        views.OrganisationArchiveView.as_view(),
        name="organisation_archive",
    ),
]
