from django.contrib import admin
from django.urls import include, path

from scn_portal import dashboard, search, views

admin.site.site_header = "SCN Portal administration"
admin.site.site_title = "SCN Portal admin"
admin.site.index_title = "Records of the Strong Cities Network"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("accounts/login/", views.PortalLoginView.as_view(), name="login"),
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
