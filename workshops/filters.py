import django_filters
from django.utils.translation import gettext_lazy as _

from cities.models import City, Organisation
from scn_portal.generic import PortalFilterSet, PortalOrderingFilter, scoped_choices
from workshops.models import Workshop


class WorkshopFilter(PortalFilterSet):
    search_fields = ("title", "venue", "organiser__name", "public_summary")
    kind = django_filters.ChoiceFilter(choices=Workshop.Kind.choices)
    city = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(City), method="filter_city", label=_("City")
    )
    organiser = django_filters.ModelChoiceFilter(queryset=scoped_choices(Organisation))
    start_date = django_filters.DateFromToRangeFilter(
        label=_("Starts between"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    is_published = django_filters.BooleanFilter(label=_("Published"))
    o = PortalOrderingFilter(
        fields=[("start_date", "date"), ("title", "title"), ("organiser__name", "organiser")],
        field_labels={
            "start_date": _("Date"),
            "title": _("Title"),
            "organiser__name": _("Organiser"),
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
