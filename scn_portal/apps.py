from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScnPortalConfig(AppConfig):
    name = "scn_portal"
    verbose_name = _("SCN Portal")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from scn_portal.public import public_changed

        # Cached public pages are rebuilt after any change to what they may show.
        for app_label in ("cities", "workshops", "consultations"):
            for model in apps.get_app_config(app_label).get_models():
                post_save.connect(public_changed, sender=model, dispatch_uid=f"public-{model}")
                post_delete.connect(
                    public_changed, sender=model, dispatch_uid=f"public-del-{model}"
                )
        for through in ("workshops.Workshop_cities",):
            m2m_changed.connect(public_changed, sender=through, dispatch_uid="public-m2m")
