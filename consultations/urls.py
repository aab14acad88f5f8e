from django.urls import path

from consultations import views
from scn_portal import history

app_name = "consultations"

urlpatterns = [
    path("consultations/", views.ConsultationListView.as_view(), name="consultation_list"),
    path("consultations/new/", views.ConsultationCreateView.as_view(), name="consultation_create"),
    path(
        "consultations/<int:pk>/",
        views.ConsultationDetailView.as_view(),
        name="consultation_detail",
    ),
    path(
        "consultations/<int:pk>/edit/",
        views.ConsultationUpdateView.as_view(),
        name="consultation_update",
    ),
    path(
        "consultations/<int:pk>/history/",
        history.ConsultationHistoryView.as_view(),
        name="consultation_history",
    ),
    path(
        "consultations/<int:pk>/history/<int:history_id>/restore/",
        history.RecordRestoreView.as_view(history_view=history.ConsultationHistoryView),
        name="consultation_history_restore",
    ),
    path(
        "consultations/<int:pk>/archive/",
        views.ConsultationArchiveView.as_view(),
        name="consultation_archive",
    ),
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("next-steps/", views.NextStepListView.as_view(), name="next_step_list"),
    path("next-steps/new/", views.NextStepCreateView.as_view(), name="next_step_create"),
    path("next-steps/<int:pk>/", views.NextStepDetailView.as_view(), name="next_step_detail"),
    path("next-steps/<int:pk>/edit/", views.NextStepUpdateView.as_view(), name="next_step_update"),
    path(
        "next-steps/<int:pk>/status/", views.NextStepStatusView.as_view(), name="next_step_status"
    ),
    path(
        "next-steps/<int:pk>/history/",
        history.NextStepHistoryView.as_view(),
        name="next_step_history",
    ),
    path(
        "next-steps/<int:pk>/history/<int:history_id>/restore/",
        history.RecordRestoreView.as_view(history_view=history.NextStepHistoryView),
        name="next_step_history_restore",
    ),
]
