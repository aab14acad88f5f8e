from django.urls import path

from scn_portal import history
from scn_portal.reports import WorkshopReportView
from workshops import views

app_name = "workshops"

urlpatterns = [
    path("workshops/", views.WorkshopListView.as_view(), name="workshop_list"),
    path("workshops/new/", views.WorkshopCreateView.as_view(), name="workshop_create"),
    path(
        "workshops/autocomplete/",
        views.WorkshopAutocompleteView.as_view(),
        name="workshop_autocomplete",
    ),
    path("participants/", views.ParticipationListView.as_view(), name="participation_list"),
    path("media-coverage/", views.MediaCoverageListView.as_view(), name="mediacoverage_list"),
    path("workshops/<slug:slug>/", views.WorkshopDetailView.as_view(), name="workshop_detail"),
    path("workshops/<slug:slug>/edit/", views.WorkshopUpdateView.as_view(), name="workshop_update"),
    path(
        "workshops/<slug:slug>/archive/",
        views.WorkshopArchiveView.as_view(),
        name="workshop_archive",
    ),
    path("workshops/<slug:slug>/report/", WorkshopReportView.as_view(), name="workshop_report"),
    path(
        "workshops/<slug:slug>/history/",
        history.WorkshopHistoryView.as_view(),
        name="workshop_history",
    ),
    path(
        "workshops/<slug:slug>/history/<int:history_id>/restore/",
        history.RecordRestoreView.as_view(history_view=history.WorkshopHistoryView),
        name="workshop_history_restore",
    ),
]
