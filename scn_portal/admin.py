"""The admin's base class: history, and rows from the signed-in user's scope."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from scn_portal.models import ExportLog


class ScopedAdmin(SimpleHistoryAdmin):
    """Every changelist, change page and autocomplete starts from `Model.objects.for_user`,
    like the portal's own pages; the admin is no back door."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


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
