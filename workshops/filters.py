import django_filters
from django.utils.translation import gettext_lazy as _

from cities.models import City, Organisation
from scn_portal.forms import typeahead
from scn_portal.generic import (
    DATE_RANGE,
    PortalFilterSet,
    PortalOrderingFilter,
    scoped_choices,
)
from workshops.models import MediaCoverage, Participation, Workshop


class WorkshopFilter(PortalFilterSet):
    # The organiser as the user may read it (`with_shown_organiser`): a partner's search or
    # sort never goes by the name of an organisation hidden from them.
    search_fields = ("title", "venue", "shown_organiser", "public_summary")
    kind = django_filters.ChoiceFilter(choices=Workshop.Kind.choices)
    city = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(City),
        widget=typeahead("cities:city_autocomplete"),
        method="filter_city",
        label=_("City"),
    )
    organiser = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(Organisation), widget=typeahead("cities:organisation_autocomplete")
    )
    start_date = django_filters.DateFromToRangeFilter(label=_("Starts between"), widget=DATE_RANGE)
    is_published = django_filters.BooleanFilter(label=_("Published"))
    o = PortalOrderingFilter(
        fields=[("start_date", "date"), ("title", "title"), ("shown_organiser", "organiser")],
        field_labels={
            "start_date": _("Date"),
            "title": _("Title"),
            "shown_organiser": _("Organiser"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Workshop
        fields = ["q", "kind", "city", "organiser", "start_date", "is_published"]

    def filter_city(self, queryset, name, value):
        # A subquery, not a join on the cities table: a join would repeat workshops.
        return queryset.filter(
            pk__in=Workshop.cities.through.objects.filter(city=value).values("workshop_id")
        )


class ParticipationFilter(PortalFilterSet):
    # `shown_name`: an official the user may not see is not found by their name either.
    search_fields = ("shown_name", "role", "workshop__title")
    workshop = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(Workshop), widget=typeahead("workshops:workshop_autocomplete")
    )
    city = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(City), widget=typeahead("cities:city_autocomplete"), label=_("City")
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(Organisation), widget=typeahead("cities:organisation_autocomplete")
    )
    attendance = django_filters.ChoiceFilter(choices=Participation.Attendance.choices)
    is_high_level = django_filters.BooleanFilter(label=_("High-level guest"))
    workshop__start_date = django_filters.DateFromToRangeFilter(
        label=_("Workshop between"), widget=DATE_RANGE
    )
    o = PortalOrderingFilter(
        fields=[("workshop__start_date", "date"), ("shown_name", "name"), ("shown_city", "city")],
        field_labels={
            "workshop__start_date": _("Workshop date"),
            "shown_name": _("Name"),
            "shown_city": _("City"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Participation
        fields = ["q", "workshop", "city", "organisation", "attendance", "is_high_level"]


class MediaCoverageFilter(PortalFilterSet):
    search_fields = ("headline", "outlet_name", "shown_outlet", "workshop__title")
    workshop = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(Workshop), widget=typeahead("workshops:workshop_autocomplete")
    )
    language = django_filters.ChoiceFilter(choices=MediaCoverage.Language.choices)
    published_on = django_filters.DateFromToRangeFilter(
        label=_("Published between"), widget=DATE_RANGE
    )
    o = PortalOrderingFilter(
        fields=[("published_on", "date"), ("headline", "headline")],
        field_labels={"published_on": _("Published on"), "headline": _("Headline")},
        label=_("Sort by"),
    )

    class Meta:
        model = MediaCoverage
        fields = ["q", "workshop", "language", "published_on"]
