"""The admin's base class: history, and rows from the signed-in user's scope."""

from simple_history.admin import SimpleHistoryAdmin


class ScopedAdmin(SimpleHistoryAdmin):
    """Every changelist, change page and autocomplete starts from `Model.objects.for_user`,
    like the portal's own pages; the admin is no back door."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)
