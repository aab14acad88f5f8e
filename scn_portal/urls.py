from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from scn_portal import dashboard, search, two_factor, views

admin.site.site_header = "SCN Portal administration"
admin.site.site_title = "SCN Portal admin"
admin.site.index_title = "Records of the Strong Cities Network"

urlpatterns = [
    path("", login_not_required(views.HomeView.as_view()), name="home"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("search/", search.SearchView.as_view(), name="search"),
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
