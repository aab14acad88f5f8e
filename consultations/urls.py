from django.urls import path

from consultations import views

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
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("next-steps/", views.NextStepListView.as_view(), name="next_step_list"),
    path("next-steps/new/", views.NextStepCreateView.as_view(), name="next_step_create"),
    path("next-steps/<int:pk>/", views.NextStepDetailView.as_view(), name="next_step_detail"),
    path("next-steps/<int:pk>/edit/", views.NextStepUpdateView.as_view(), name="next_step_update"),
    path(
        "next-steps/<int:pk>/status/", views.NextStepStatusView.as_view(), name="next_step_status"
    ),
]
