"""Pages that tie the apps together."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView
from django.db.models import QuerySet
from django.http import JsonResponse
from django.views import View

from scn_portal import roles
from scn_portal.forms import choice_label
from scn_portal.text import every_word_in, search_words


class PortalLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class AutocompleteView(LoginRequiredMixin, View):
    """JSON choices for a type-ahead field: `?q=` matched against `search_fields`.

    Subclasses say which records (`get_queryset`, always from the user's scope) and how a
    choice reads (`label`: the record's `choice_label`, as the forms show it once chosen). At
    most `limit` results.
    """

    search_fields: tuple[str, ...] = ()
    limit = 20

    def get_queryset(self) -> QuerySet:
        raise NotImplementedError

    def label(self, obj) -> str:
        return choice_label(obj)

    def get(self, request, *args, **kwargs):
        words = search_words(request.GET.get("q"))
        queryset = self.get_queryset().filter(every_word_in(self.search_fields, words))
        results = [{"id": obj.pk, "text": self.label(obj)} for obj in queryset[: self.limit]]
        return JsonResponse({"results": results})


class UserAutocompleteView(AutocompleteView):
    """ISD team members, for a consultation's team."""

    search_fields = ("username", "first_name", "last_name", "email")

    def get_queryset(self) -> QuerySet:
        return roles.team_members_for(self.request.user).order_by("username")

    def label(self, obj) -> str:
        return roles.display_name(obj)
