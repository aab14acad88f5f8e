import django_filters
from django.utils.translation import gettext_lazy as _

from cities.filters import COUNTRY
from cities.models import City, Country, Organisation, RegionalHub
from consultations.models import Consultation, Finding, NextStep
from scn_portal import roles
from scn_portal.forms import typeahead
from scn_portal.generic import (
    DATE_RANGE,
    PortalFilterSet,
    PortalOrderingFilter,
    scoped_choices,
)
from workshops.models import Workshop


class ConsultationFilter(PortalFilterSet):
    search_fields = ("title", "summary", "city__name")
    city = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(City), widget=typeahead("cities:city_autocomplete")
    )
    country = django_filters.ModelChoiceFilter(
        field_name="city__country",
        queryset=scoped_choices(Country),
        label=_("Country"),
        widget=COUNTRY,
    )
    hub = django_filters.ModelChoiceFilter(
        field_name="city__hub", queryset=scoped_choices(RegionalHub), label=_("Hub")
    )
    workshop = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(Workshop), widget=typeahead("workshops:workshop_autocomplete")
    )
    confidentiality = django_filters.ChoiceFilter(choices=Consultation.Confidentiality.choices)
    date = django_filters.DateFromToRangeFilter(label=_("Held between"), widget=DATE_RANGE)
    o = PortalOrderingFilter(
        fields=[("date", "date"), ("city__name", "city"), ("title", "title")],
        field_labels={"date": _("Date"), "city__name": _("City"), "title": _("Title")},
        label=_("Sort by"),
    )

    class Meta:
        model = Consultation
        fields = ["q", "city", "country", "hub", "workshop", "confidentiality", "date"]


class NextStepFilter(PortalFilterSet):
    search_fields = ("title", "description", "city__name")
    city = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(City), widget=typeahead("cities:city_autocomplete")
    )
    kind = django_filters.ChoiceFilter(choices=NextStep.Kind.choices)
    status = django_filters.ChoiceFilter(choices=NextStep.Status.choices)
    # A type-ahead, like the forms' owner: a <select> of every team member grew with the team
    # (200 staff at scale 10: 30 ms of the list's 75).
    owner = django_filters.ModelChoiceFilter(
        queryset=lambda request: roles.team_members_for(request.user),
        widget=typeahead("user_autocomplete"),
    )
    responsible_organisation = django_filters.ModelChoiceFilter(
        queryset=scoped_choices(Organisation),
        widget=typeahead("cities:organisation_autocomplete"),
        label=_("Responsible organisation"),
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    due_date = django_filters.DateFromToRangeFilter(label=_("Due between"), widget=DATE_RANGE)
    o = PortalOrderingFilter(
        fields=[
            ("due_date", "due"),
            ("status", "status"),
            ("title", "title"),
            ("city__name", "city"),
        ],
        field_labels={
            "due_date": _("Due"),
            "status": _("Status"),
            "title": _("Title"),
            "city__name": _("City"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = NextStep
        fields = [
            "q",
            "city",
            "kind",
            "status",
            "owner",
            "responsible_organisation",
            "overdue",
            "due_date",
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        if value:  # on the list's own rows: no second pass over every step (EXPLAIN: 98 -> 60 ms)
            return queryset.overdue()
        return queryset.exclude(pk__in=NextStep.objects.overdue().values("pk"))


class FindingFilter(PortalFilterSet):
    search_fields = ("text", "consultation__title", "consultation__city__name")
    theme = django_filters.ChoiceFilter(choices=Finding.Theme.choices)
    city = django_filters.ModelChoiceFilter(
        field_name="consultation__city",
        queryset=scoped_choices(City),
        widget=typeahead("cities:city_autocomplete"),
        label=_("City"),
    )
    country = django_filters.ModelChoiceFilter(
        field_name="consultation__city__country",
        queryset=scoped_choices(Country),
        widget=COUNTRY,
        label=_("Country"),
    )
    hub = django_filters.ModelChoiceFilter(
        field_name="consultation__city__hub", queryset=scoped_choices(RegionalHub), label=_("Hub")
    )
    workshop = django_filters.ModelChoiceFilter(
        field_name="consultation__workshop",
        queryset=scoped_choices(Workshop),
        widget=typeahead("workshops:workshop_autocomplete"),
        label=_("Workshop"),
    )
    consultation__date = django_filters.DateFromToRangeFilter(
        label=_("Consultation between"), widget=DATE_RANGE
    )
    is_published = django_filters.BooleanFilter(label=_("Published"))
    o = PortalOrderingFilter(
        fields=[
            ("consultation__date", "date"),
            ("theme", "theme"),
            ("consultation__city__name", "city"),
        ],
        field_labels={
            "consultation__date": _("Date"),
            "theme": _("Theme"),
            "consultation__city__name": _("City"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Finding
        fields = ["q", "theme", "city", "country", "hub", "workshop", "is_published"]
