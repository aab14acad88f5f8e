from django.contrib import admin
from django.urls import path

from scn_portal import views

admin.site.site_header = "SCN Portal administration"
admin.site.site_title = "SCN Portal admin"
admin.site.index_title = "Records of the Strong Cities Network"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
]
