import django_filters
from django.utils.translation import gettext_lazy as _

from cities.models import City, Country, Official, Organisation, RegionalHub
from scn_portal.forms import typeahead
from scn_portal.generic import PortalFilterSet, PortalOrderingFilter, scoped_choices

# Countries are chosen by typing, like cities: no <select> of every country rendered on each
# list (4 ms of the organisations list's 25, profiled at scale 1).
COUNTRY = typeahead("cities:country_autocomplete")


class CityFilter(PortalFilterSet):
    search_fields = ("name", "name_local", "province", "country__name")
    country = django_filters.ModelChoiceFilter(queryset=scoped_choices(Country), widget=COUNTRY)
    hub = django_filters.ModelChoiceFilter(queryset=scoped_choices(RegionalHub), label=_("Hub"))
    membership_status = django_filters.ChoiceFilter(
        choices=City.Membership.choices, label=_("Membership")
    )
    province = django_filters.CharFilter(lookup_expr="icontains", label=_("Province or state"))
    o = PortalOrderingFilter(
        fields=[
            ("name", "name"),
            ("country__name", "country"),
            ("province", "province"),
            ("membership_status", "membership"),
            ("last_contact", "last_contact"),
        ],
        field_labels={
            "name": _("Name"),
            "country__name": _("Country"),
            "province": _("Province"),
            "membership_status": _("Membership"),
            "last_contact": _("Last contact"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = City
        fields = ["q", "country", "hub", "membership_status", "province"]


class OfficialFilter(PortalFilterSet):
    search_fields = ("name", "name_local", "title", "city__name")
    city = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(City), widget=typeahead("cities:city_autocomplete")
    )
    country = django_filters.ModelChoiceFilter(
        field_name="city__country",
        queryset=scoped_choices(Country),
        label=_("Country"),
        widget=COUNTRY,
    )
    role_kind = django_filters.ChoiceFilter(choices=Official.RoleKind.choices, label=_("Role"))
    consent_to_be_named = django_filters.BooleanFilter(label=_("Consents to be named"))
    o = PortalOrderingFilter(
        fields=[("name", "name"), ("city__name", "city"), ("role_kind", "role")],
        field_labels={"name": _("Name"), "city__name": _("City"), "role_kind": _("Role")},
        label=_("Sort by"),
    )

    class Meta:
        model = Official
        fields = ["q", "city", "country", "role_kind", "consent_to_be_named"]


class OrganisationFilter(PortalFilterSet):
    search_fields = ("name", "short_name", "description")
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    country = django_filters.ModelChoiceFilter(queryset=scoped_choices(Country), widget=COUNTRY)
    o = PortalOrderingFilter(
        fields=[("name", "name"), ("kind", "kind"), ("workshop_count", "workshops")],
        field_labels={"name": _("Name"), "kind": _("Kind"), "workshop_count": _("Workshops")},
        label=_("Sort by"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "country"]
