from django.apps import AppConfig


class ScnPortalConfig(AppConfig):
    name = "scn_portal"
    verbose_name = "SCN Portal"
