from django.urls import path

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
    path("workshops/<slug:slug>/", views.WorkshopDetailView.as_view(), name="workshop_detail"),
    path("workshops/<slug:slug>/edit/", views.WorkshopUpdateView.as_view(), name="workshop_update"),
]
