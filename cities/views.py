from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from cities.filters import CityFilter, OfficialFilter, OrganisationFilter
from cities.forms import CityForm, OfficialForm, OrganisationForm
from cities.models import (
    City,
    Country,
    DevolvedPower,
    LocalMechanism,
    Official,
    Organisation,
)
from cities.selectors import city_from_query, city_timeline
from cities.services import city_save, official_save, organisation_save
from consultations.models import Consultation
from scn_portal import roles
from scn_portal.archive import PortalArchiveView
from scn_portal.exports import Column, choice_labels
from scn_portal.generic import (
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
    sorted_by,
)
from scn_portal.models import related_count
from scn_portal.views import AutocompleteView
from workshops.models import Participation, Workshop


class CityListView(PortalListView):
    model = City
    filterset_class = CityFilter
    export_name = "cities"

    def get_export_columns(self):
        return [
            Column(_("City"), "name"),
            Column(_("Name in local script"), "name_local"),
            Column(_("Country"), "country__name"),
            Column(_("Province or state"), "province"),
            Column(_("Regional hub"), "hub__name"),
            Column(
                _("SCN membership"),
                "membership_status",
                choice_labels(City.Membership.choices),
            ),
            Column(_("Membership status since"), "membership_changed_on"),
            Column(_("Population"), "population"),
            Column(_("Latitude"), "latitude", _number),
            Column(_("Longitude"), "longitude", _number),
            Column(_("Officials"), "official_count"),
            Column(_("Last contact"), "last_contact"),
            Column(_("Published"), "is_published"),
        ]

    def refine_queryset(self, queryset):
        queryset = queryset.select_related("country", "hub").order_by("name", "pk")
        if sorted_by(self.request, "last_contact"):  # then every row needs it, not the page's
            queryset = queryset.with_engagement(self.request.user)
        return queryset

    def page_annotations(self, rows):
        return rows.with_engagement(self.request.user)


OFFICIALS_SHOWN = 40


class CityDetailView(PortalDetailView):
    model = City

    def refine_queryset(self, queryset):
        user = self.request.user
        return queryset.select_related("country", "hub").prefetch_related(
            Prefetch("devolved_powers", queryset=DevolvedPower.objects.for_user(user)),
            Prefetch("mechanisms", queryset=LocalMechanism.objects.for_user(user)),
        )

    def get_context_data(self, **kwargs):
        engagement = city_timeline(city=self.object, user=self.request.user)
        # The first officials by name, and how many there are: the officials' list, filtered
        # by the city, holds them all (the busiest city at scale 1 has 233; listing them all
        # cost a fifth of its page's 80 ms).
        officials = engagement.pop("officials")
        return super().get_context_data(
            show_internal=roles.can_read_internal(self.request.user),
            officials=officials[:OFFICIALS_SHOWN],
            official_count=officials.count(),
            **engagement,
            **kwargs,
        )


class CityFormMixin:
    model = City
    form_class = CityForm
    success_message = _("City {object} saved.")

    def save(self, form):
        return city_save(actor=self.request.user, city=form.instance, data=form.cleaned_data)


class CityCreateView(CityFormMixin, PortalCreateView):
    pass


class CityUpdateView(CityFormMixin, PortalUpdateView):
    pass


class CityArchiveView(PortalArchiveView):
    model = City


class OfficialListView(PortalListView):
    model = Official
    filterset_class = OfficialFilter
    export_name = "officials"

    def get_export_columns(self):
        columns = [
            Column(_("Name"), "name"),
            Column(_("Name in local script"), "name_local"),
            Column(_("Title"), "title"),
            Column(_("Role"), "role_kind", choice_labels(Official.RoleKind.choices)),
            Column(_("City"), "city__name"),
            Column(_("Organisation"), "organisation__name"),
            Column(_("Gender"), "gender", choice_labels(Official.Gender.choices)),
            Column(_("Term start"), "term_start"),
            Column(_("Term end"), "term_end"),
            Column(_("Consents to be named publicly"), "consent_to_be_named"),
        ]
        if Official.contact_visible_to(self.request.user):
            columns += [Column(_("E-mail"), "email"), Column(_("Phone"), "phone")]
        return columns

    def refine_queryset(self, queryset):
        return queryset.select_related("city", "organisation").order_by("name", "pk")


class OfficialDetailView(PortalDetailView):
    model = Official

    def refine_queryset(self, queryset):
        return queryset.select_related("city", "organisation")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            show_contact=Official.contact_visible_to(user),
            participations=Participation.objects.for_user(user)
            .filter(official=self.object)
            .select_related("workshop")
            .order_by("-workshop__start_date"),
            consultations=Consultation.objects.for_user(user)
            .filter(officials=self.object)
            .select_related("city")
            .order_by("-date"),
            **kwargs,
        )


class OfficialFormMixin:
    model = Official
    form_class = OfficialForm
    success_message = _("Official {object} saved.")

    def save(self, form):
        return official_save(
            actor=self.request.user, official=form.instance, data=form.cleaned_data
        )


class OfficialCreateView(OfficialFormMixin, PortalCreateView):
    def get_initial(self):
        return {"city": city_from_query(user=self.request.user, slug=self.request.GET.get("city"))}


class OfficialUpdateView(OfficialFormMixin, PortalUpdateView):
    pass


class OfficialArchiveView(PortalArchiveView):
    model = Official


class OrganisationListView(PortalListView):
    model = Organisation
    filterset_class = OrganisationFilter
    export_name = "organisations"

    def get_export_columns(self):
        return [
            Column(_("Name"), "name"),
            Column(_("Short name"), "short_name"),
            Column(_("Kind"), "kind", choice_labels(Organisation.Kind.choices)),
            Column(_("Country"), "country__name"),
            Column(_("Website"), "website"),
            Column(_("Workshops organised"), "workshop_count"),
            Column(_("Published"), "is_published"),
        ]

    def refine_queryset(self, queryset):
        queryset = queryset.select_related("country").order_by("name", "pk")
        if sorted_by(self.request, "workshops"):  # then every row needs it, not the page's
            queryset = self.page_annotations(queryset)
        return queryset

    def page_annotations(self, rows):
        # Counted per organisation through the organiser's index (EXPLAIN at scale 1: an index
        # probe per row instead of a join filtered by a hash of every workshop, 5 -> 0.3 ms).
        workshops = Workshop.objects.for_user(self.request.user)
        return rows.annotate(workshop_count=related_count(workshops, "organiser"))


class OrganisationDetailView(PortalDetailView):
    model = Organisation

    def refine_queryset(self, queryset):
        return queryset.select_related("country")

    def get_context_data(self, **kwargs):
        workshops = Workshop.objects.for_user(self.request.user)
        return super().get_context_data(
            organised=workshops.filter(organiser=self.object).order_by("-start_date"),
            supported=workshops.filter(supports__organisation=self.object)
            .with_shown_organiser(self.request.user)
            .order_by("-start_date"),
            officials=Official.objects.for_user(self.request.user)
            .filter(organisation=self.object)
            .select_related("city"),
            **kwargs,
        )


class OrganisationFormMixin:
    model = Organisation
    form_class = OrganisationForm
    success_message = _("Organisation {object} saved.")

    def save(self, form):
        return organisation_save(
            actor=self.request.user, organisation=form.instance, data=form.cleaned_data
        )


class OrganisationCreateView(OrganisationFormMixin, PortalCreateView):
    pass


class OrganisationUpdateView(OrganisationFormMixin, PortalUpdateView):
    pass


class OrganisationArchiveView(PortalArchiveView):
    model = Organisation


class CountryAutocompleteView(AutocompleteView):
    search_fields = ("name", "code")

    def get_queryset(self):
        return Country.objects.for_user(self.request.user).order_by("name")


class CityAutocompleteView(AutocompleteView):
    search_fields = ("name", "name_local")

    def get_queryset(self):
        return City.objects.for_user(self.request.user).order_by("name")


class OfficialAutocompleteView(AutocompleteView):
    search_fields = ("name", "name_local", "title", "city__name")

    def get_queryset(self):
        officials = Official.objects.for_user(self.request.user).select_related("city")
        city = self.request.GET.get("city", "")
        if city.isascii() and city.isdigit() and len(city) < 19:
            officials = officials.filter(city__pk=city)
        return officials.order_by("name")


class OrganisationAutocompleteView(AutocompleteView):
    search_fields = ("name", "short_name")

    def get_queryset(self):
        return Organisation.objects.for_user(self.request.user).order_by("name")


def _number(value):
    return float(value) if value is not None else None
