"""The admin's base class: history, and rows from the signed-in user's scope."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from scn_portal import versions
from scn_portal.forms import checking_keys
from scn_portal.models import ExportLog


class KeysInRangeAdmin:
    """The admin's choice fields, pages and inline rows alike, as the portal's: a key past
    any record's is not a choice, and is not looked up (SQLite cannot hold it: a 500)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return checking_keys(super().formfield_for_dbfield(db_field, request, **kwargs))


class TabularInline(KeysInRangeAdmin, admin.TabularInline):
    pass


class StackedInline(KeysInRangeAdmin, admin.StackedInline):
    pass


class ScopedAdmin(KeysInRangeAdmin, SimpleHistoryAdmin):
    """Every changelist, change page and autocomplete starts from `Model.objects.for_user`,
    like the portal's own pages; the admin is no back door.

    Its change pages follow the portal's rule against lost updates (scn_portal/versions.py):
    the page carries the version it was opened at, and a save over a newer one is refused on
    the form, with what changed meanwhile, before anything is written.
    """

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            return form

        class VersionCheckedForm(form):
            def clean(self):
                cleaned_data = super().clean()
                try:
                    versions.check_version(
                        self.instance, request.POST.get(versions.FIELD), request.user
                    )
                except versions.StaleVersionError as error:
                    told = "; ".join(
                        f"{change.who}, {change.when:%Y-%m-%d %H:%M}: {change.what}"
                        for change in error.changes
                    )
                    raise ValidationError(
                        f"{error.message} {gettext('Changed meanwhile:')} {told}", code="stale"
                    ) from error
                return cleaned_data

        return VersionCheckedForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            form = context["adminform"].form
            stale = any(error.code == "stale" for error in form.non_field_errors().as_data())
            context["portal_version"] = (
                versions.current_version(obj) if stale else versions.form_version(request, obj)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


# Django's own user and group pages, with the portal's choice fields.
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class PortalUserAdmin(KeysInRangeAdmin, UserAdmin):
    pass


@admin.register(Group)
class PortalGroupAdmin(KeysInRangeAdmin, GroupAdmin):
    pass


# Authenticator devices: admins may see who has enrolled and delete a device (a lost phone,
# so its owner enrols again), never read its key. django-otp's own admin shows keys and QR
# codes, which would let an admin copy anyone's second factor.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username", "name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Who exported what, with which filters: for portal admins, read-only."""

    list_display = ["created_at", "user", "export", "file_format", "row_count"]
    list_filter = ["export", "file_format"]
    list_select_related = ["user"]
    search_fields = ["user__username", "export"]
    date_hierarchy = "created_at"
    fields = ["created_at", "user", "export", "file_format", "filters", "row_count"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
