from django.db import connections
from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.models import City, Organisation
from consultations.models import Consultation, NextStep
from scn_portal import roles
from scn_portal.archive import PortalArchiveView
from scn_portal.exports import Column, choice_labels, joined_names
from scn_portal.forms import formset_rows
from scn_portal.generic import (
    DEEP_PAGE_ROWS,
    FormsetsMixin,
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
    sorted_by,
)
from scn_portal.models import related_count, visible_name
from scn_portal.views import AutocompleteView
from workshops.filters import MediaCoverageFilter, ParticipationFilter, WorkshopFilter
from workshops.forms import (
    MediaCoverageFormSet,
    ParticipationFormSet,
    SupportFormSet,
    WorkshopForm,
)
from workshops.models import MediaCoverage, Participation, Workshop, WorkshopSupport
from workshops.services import workshop_save


class WorkshopListView(PortalListView):
    model = Workshop
    filterset_class = WorkshopFilter
    export_name = "workshops"

    def get_export_columns(self):
        columns = [
            Column(_("Title"), "title"),
            Column(_("Kind"), "kind", choice_labels(Workshop.Kind.choices)),
            Column(_("Starts on"), "start_date"),
            Column(_("Ends on"), "end_date"),
            Column(_("Venue"), "venue"),
            Column(_("Organiser"), "shown_organiser"),
            Column(_("Cities"), "city_names"),
            Column(_("Participants"), "participant_count"),
            Column(_("Published"), "is_published"),
        ]
        return columns

    def page_annotations(self, rows):
        return rows.annotate(
            participant_count=related_count(Participation.objects.all(), "workshop")
        )

    def refine_export(self, rows):
        cities = City.objects.for_user(self.request.user)
        return self.page_annotations(rows).annotate(city_names=joined_names(cities, "workshops"))

    def refine_queryset(self, queryset):
        return (
            queryset.with_shown_organiser(self.request.user)
            .prefetch_related(
                Prefetch(
                    "cities", queryset=City.objects.for_user(self.request.user).order_by("name")
                )
            )
            .order_by("-start_date", "title", "pk")
        )


class WorkshopDetailView(PortalDetailView):
    model = Workshop

    def refine_queryset(self, queryset):
        user = self.request.user
        supports = WorkshopSupport.objects.select_related("organisation").annotate(
            shown_organisation=visible_name(Organisation, user, "organisation")
        )
        return (
            queryset.select_related("organiser")
            .with_shown_organiser(user)
            .prefetch_related(
                Prefetch("cities", queryset=City.objects.for_user(user)),
                Prefetch("supports", queryset=supports),
            )
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            participations=Participation.objects.for_user(user)
            .filter(workshop=self.object)
            .with_shown_names(user)
            .select_related("official")
            .order_by("-is_high_level", "city__name", "name"),
            media_coverage=MediaCoverage.objects.for_user(user)
            .filter(workshop=self.object)
            .with_shown_outlet(user)
            .order_by("published_on"),
            consultations=Consultation.objects.for_user(user)
            .filter(workshop=self.object)
            .select_related("city")
            .order_by("city__name"),
            next_steps=NextStep.objects.for_user(user)
            .filter(workshop=self.object)
            .select_related("owner", "responsible_organisation", "city")
            .order_by("due_date", "title"),
            can_edit=Workshop.objects.editable_by(user).filter(pk=self.object.pk).exists(),
            show_internal_notes=roles.is_isd_staff(user),
            **kwargs,
        )


class WorkshopFormMixin(FormsetsMixin):
    model = Workshop
    form_class = WorkshopForm
    formset_classes = {
        "supports": SupportFormSet,
        "participations": ParticipationFormSet,
        "media_coverage": MediaCoverageFormSet,
    }
    success_message = _("Workshop {object} saved.")

    def get_formsets(self):
        formsets = super().get_formsets()
        if not roles.is_isd_staff(self.request.user):
            formsets.pop("supports")  # who supports a workshop decides who may edit it
        return formsets

    def save(self, form, formsets):
        return workshop_save(
            actor=self.request.user,
            workshop=form.instance,
            data=form.cleaned_data,
            **{name: formset_rows(formset) for name, formset in formsets.items()},
        )


class WorkshopCreateView(WorkshopFormMixin, PortalCreateView):
    pass


class WorkshopUpdateView(WorkshopFormMixin, PortalUpdateView):
    def get_queryset(self):
        return Workshop.objects.editable_by(self.request.user)


class WorkshopArchiveView(PortalArchiveView):
    """A partner archives their own organisation's workshops, as they edit them."""

    model = Workshop

    def get_queryset(self):
        return Workshop.objects.editable_by(self.request.user)


class WorkshopAutocompleteView(AutocompleteView):
    search_fields = ("title", "venue")

    def get_queryset(self):
        return Workshop.objects.for_user(self.request.user).order_by("-start_date")


def _name_or_not_shown(name: str) -> str:
    return name or gettext("Name not shown")


class ParticipationListView(PortalListView):
    model = Participation
    filterset_class = ParticipationFilter
    export_name = "participants"

    def get_export_columns(self):
        return [
            Column(_("Workshop"), "workshop__title"),
            Column(_("Workshop date"), "workshop__start_date"),
            Column(_("Participant"), "shown_name", _name_or_not_shown),
            Column(_("Role at the event"), "role"),
            Column(_("City represented"), "shown_city"),
            Column(_("Organisation"), "shown_organisation"),
            Column(_("Attendance"), "attendance", choice_labels(Participation.Attendance.choices)),
            Column(_("High-level guest"), "is_high_level"),
        ]

    def refine_queryset(self, queryset):
        queryset = queryset.select_related("workshop").order_by(
            "-workshop__start_date", "workshop__title", "-is_high_level", "name", "pk"
        )
        # Searched, or sorted by name or city: every row needs what the user may read of them.
        request = self.request
        if request.GET.get("q") or sorted_by(request, "name") or sorted_by(request, "city"):
            queryset = queryset.with_shown_names(request.user)
        return queryset

    def page_keys(self, queryset, low, high, paginator=None):
        """Sorted by name alone, within the first pages: the page's rows found by walking
        indexes, not by naming and sorting every row (see `keys_by_shown_name`; its three
        walks of `high` rows each lose to one sort past DEEP_PAGE_ROWS: EXPLAIN at 100,000
        participations, a partner's page 45: 190 ms against 110)."""
        order = tuple(queryset.query.order_by)
        by_name = order in (("shown_name", "pk"), ("-shown_name", "pk"))
        # The walks' UNION of sorted, limited parts: PostgreSQL (SQLite sorts every row).
        walkable = connections[queryset.db].features.supports_slicing_ordering_in_compound
        if by_name and walkable and high <= DEEP_PAGE_ROWS:
            return queryset.keys_by_shown_name(
                self.request.user, descending=order[0].startswith("-"), low=low, high=high
            )
        return super().page_keys(queryset, low, high, paginator)

    def rows_by_keys(self, queryset, keys):
        """Not `queryset`: searched or sorted by name, it names every official, city and
        organisation of the user's scope (hashed, whatever the page); `page_annotations`
        names the page's rows only."""
        return (
            Participation.objects.for_user(self.request.user)
            .select_related("workshop")
            .filter(pk__in=keys)
        )

    def page_annotations(self, rows):
        """What the user may read of the page's participants (at 1,000,000 participations,
        computed for every row first cost 100 ms of the first page)."""
        if "shown_name" in rows.query.annotations:
            return rows
        return rows.with_shown_names(self.request.user, few=True)


class MediaCoverageListView(PortalListView):
    model = MediaCoverage
    filterset_class = MediaCoverageFilter
    export_name = "media-coverage"

    def get_export_columns(self):
        return [
            Column(_("Published on"), "published_on"),
            Column(_("Headline"), "headline"),
            Column(_("Outlet"), "shown_outlet"),
            Column(_("Language"), "language", choice_labels(MediaCoverage.Language.choices)),
            Column(_("Link"), "url"),
            Column(_("Workshop"), "workshop__title"),
            Column(_("Shown publicly"), "is_published"),
        ]

    def refine_queryset(self, queryset):
        return (
            queryset.select_related("workshop")
            .with_shown_outlet(self.request.user)
            .order_by("-published_on", "headline", "pk")
        )
