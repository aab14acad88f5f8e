import django_filters

from cities.models import City, Country, Official, Organisation, RegionalHub
from scn_portal.generic import PortalFilterSet, scoped_choices


class CityFilter(PortalFilterSet):
    search_fields = ("name", "name_local", "province", "country__name")
    country = django_filters.ModelChoiceFilter(queryset=scoped_choices(Country))
    hub = django_filters.ModelChoiceFilter(queryset=scoped_choices(RegionalHub), label="Hub")
    membership_status = django_filters.ChoiceFilter(
        choices=City.Membership.choices, label="Membership"
    )
    province = django_filters.CharFilter(lookup_expr="icontains", label="Province or state")
    o = django_filters.OrderingFilter(
        fields=[
            ("name", "name"),
            ("country__name", "country"),
            ("province", "province"),
            ("membership_status", "membership"),
            ("last_contact", "last_contact"),
        ],
        label="Sort by",
    )

    class Meta:
        model = City
        fields = ["q", "country", "hub", "membership_status", "province"]


class OfficialFilter(PortalFilterSet):
    search_fields = ("name", "name_local", "title", "city__name")
    city = django_filters.ModelChoiceFilter(queryset=scoped_choices(City))
    country = django_filters.ModelChoiceFilter(
        field_name="city__country", queryset=scoped_choices(Country), label="Country"
    )
    role_kind = django_filters.ChoiceFilter(choices=Official.RoleKind.choices, label="Role")
    consent_to_be_named = django_filters.BooleanFilter(label="Consents to be named")
    o = django_filters.OrderingFilter(
        fields=[("name", "name"), ("city__name", "city"), ("role_kind", "role")],
        label="Sort by",
    )

    class Meta:
        model = Official
        fields = ["q", "city", "country", "role_kind", "consent_to_be_named"]


class OrganisationFilter(PortalFilterSet):
    search_fields = ("name", "short_name", "description")
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    country = django_filters.ModelChoiceFilter(queryset=scoped_choices(Country))
    o = django_filters.OrderingFilter(
        fields=[("name", "name"), ("kind", "kind"), ("workshop_count", "workshops")],
        label="Sort by",
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "country"]
