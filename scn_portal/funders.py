"""The funders' summary: what the network did in a period, for a hub, country or city.

Workshops held, consultations, officials engaged (by role and by gender), key findings by
theme and next steps by status, as a page with server-drawn SVG charts (no JavaScript, no
inline styles; each chart has its table) and as an Excel file (`?export=xlsx`).

Every count starts from the model's `for_user` scope, so a viewer's summary never counts a
confidential consultation, its findings or its next steps. The page is for those who read the
staff portal's internal records (ISD staff, admins, viewers); others get a 404. Each summary
shown or downloaded leaves an export-log row.
"""

from __future__ import annotations

import datetime
import io
import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from openpyxl import Workbook
from openpyxl.styles import Font

from cities.models import City, Country, Official, RegionalHub
from consultations.models import Consultation, Finding, NextStep
from scn_portal import roles
from scn_portal.dashboard import _tick_step  # the quarterly chart's 1-2-5 gridline steps
from scn_portal.exports import neutralise
from scn_portal.forms import DateInput
from scn_portal.generic import NotFoundWhenRefusedMixin
from scn_portal.services import export_log_finish, export_log_start
from workshops.models import Participation, Workshop

EXPORT_NAME = "funders-summary"
# Taking part in a workshop means being there, for all of it or part of it.
TOOK_PART = (Participation.Attendance.ATTENDED, Participation.Attendance.PARTLY)


# --- The form -----------------------------------------------------------------------------


class FundersSummaryForm(forms.Form):
    """The period (both ends included) and, optionally, a hub, country or city.

    Places are offered from the user's scope; a city outside the chosen hub or country is an
    error, not an empty summary.
    """

    start = forms.DateField(label=pgettext_lazy("period", "From"), widget=DateInput())
    end = forms.DateField(label=pgettext_lazy("period", "To"), widget=DateInput())
    hub = forms.ModelChoiceField(
        label=_("Hub"), queryset=RegionalHub.objects.none(), required=False
    )
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.none(), required=False
    )
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none(), required=False)

    def __init__(self, *args, user: roles.User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = RegionalHub.objects.for_user(user)
        self.fields["country"].queryset = Country.objects.for_user(user)
        self.fields["city"].queryset = City.objects.for_user(user)

    @staticmethod
    def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The current calendar year."""
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)

    @classmethod
    def from_query(cls, query, *, user: roles.User, today: datetime.date) -> FundersSummaryForm:
        """A form bound to the query string; a period end left out takes the default (one
        sent empty stays empty, and is an error)."""
        data = query.copy()
        start, end = cls.default_period(today)
        data.setdefault("start", start.isoformat())
        data.setdefault("end", end.isoformat())
        return cls(data, user=user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", gettext("The period cannot end before it starts."))
        city, hub, country = cleaned.get("city"), cleaned.get("hub"), cleaned.get("country")
        if city and hub and city.hub_id != hub.pk:
            self.add_error("city", gettext("This city is not in the chosen hub."))
        if city and country and city.country_id != country.pk:
            self.add_error("city", gettext("This city is not in the chosen country."))
        return cleaned

    def query_string(self) -> dict[str, str]:
        """The form's values as query parameters (for the Excel link): the shown summary."""
        return {name: str(self.data.get(name, "")) for name in self.fields if self.data.get(name)}


# --- The figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class Breakdown:
    """One table of the summary: a label and a count per row."""

    key: str
    title: str
    rows: list[Figure]

    @property
    def total(self) -> int:
        return sum(row.value for row in self.rows)


@dataclass(frozen=True)
class FundersSummary:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    hub: RegionalHub | None
    country: Country | None
    city: City | None
    headline: Breakdown
    officials_by_role: Breakdown
    officials_by_gender: Breakdown
    findings_by_theme: Breakdown
    next_steps: Breakdown

    @property
    def breakdowns(self) -> list[Breakdown]:
        return [
            self.officials_by_role,
            self.officials_by_gender,
            self.findings_by_theme,
            self.next_steps,
        ]

    @property
    def places(self) -> list[tuple[str, str]]:
        """The place filters given, as (label, name)."""
        chosen = [(_("Hub"), self.hub), (_("Country"), self.country), (_("City"), self.city)]
        return [(str(label), str(place)) for label, place in chosen if place is not None]

    @property
    def row_count(self) -> int:
        """The number of figures the summary holds (the export log's row count)."""
        return len(self.headline.rows) + sum(len(b.rows) for b in self.breakdowns)


def _place_cities(
    user: roles.User, hub: RegionalHub | None, country: Country | None, city: City | None
) -> QuerySet | None:
    """The pks of the cities the place filter keeps, or None when there is no place filter
    (then records tied to no city, e.g. a country-wide step, count too)."""
    if hub is None and country is None and city is None:
        return None
    cities = City.objects.for_user(user)
    if hub is not None:
        cities = cities.filter(hub=hub)
    if country is not None:
        cities = cities.filter(country=country)
    if city is not None:
        cities = cities.filter(pk=city.pk)
    return cities.values("pk")


def _counts_by(queryset: QuerySet, field_name: str, choices) -> tuple[int, dict[str, int]]:
    """Total and per-choice counts of `queryset`, in one aggregate query."""
    counts = queryset.aggregate(
        total=Count("pk"),
        **{f"by_{value}": Count("pk", filter=Q(**{field_name: value})) for value in choices.values},
    )
    return counts["total"], {value: counts[f"by_{value}"] for value in choices.values}


def _breakdown(key: str, title: str, choices, counts: dict[str, int]) -> Breakdown:
    return Breakdown(
        key=key,
        title=title,
        rows=[Figure(value, str(label), counts[value]) for value, label in choices.choices],
    )


def funders_summary(
    *,
    user: roles.User,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    hub: RegionalHub | None = None,
    country: Country | None = None,
    city: City | None = None,
) -> FundersSummary:
    """The summary's figures for `user`'s scope; five aggregate queries whatever the rows.

    - Workshops: those starting in the period that involve a city of the place; "held" if
      they started by `today`, "planned" if later.
    - Consultations: those dated in the period in a city of the place.
    - Officials engaged: distinct officials of the place's cities who took part (attended,
      in full or in part) in a workshop starting in the period, or were met at a
      consultation dated in it.
    - Findings: the key findings of those consultations, by theme.
    - Next steps: those due or completed in the period and concerning the place (their city,
      or when they have none, their consultation's city or their workshop's cities), by
      their status today: done, open, overdue (open and past due, as on the dashboard),
      cancelled.
    """
    period = (start, end)
    place = _place_cities(user, hub, country, city)
    workshops_with_place = (
        Workshop.objects.filter(cities__in=place).values("pk") if place is not None else None
    )

    period_workshops = Workshop.objects.for_user(user).filter(start_date__range=period)
    workshops = period_workshops
    if workshops_with_place is not None:
        workshops = workshops.filter(pk__in=workshops_with_place)
    workshop_counts = workshops.aggregate(
        held=Count("pk", filter=Q(start_date__lte=today)),
        planned=Count("pk", filter=Q(start_date__gt=today)),
    )

    period_consultations = Consultation.objects.for_user(user).filter(date__range=period)
    consultations = period_consultations
    if place is not None:
        consultations = consultations.filter(city__in=place)
    consultation_count = consultations.count()

    # Engagement anywhere in the period; the place is the official's own city.
    took_part = (
        Participation.objects.for_user(user)
        .filter(
            workshop__in=period_workshops.values("pk"),
            attendance__in=TOOK_PART,
            official__isnull=False,
        )
        .values("official")
    )
    met = Consultation.officials.through.objects.filter(
        consultation__in=period_consultations.values("pk")
    ).values("official")
    officials = Official.objects.for_user(user).filter(Q(pk__in=took_part) | Q(pk__in=met))
    if place is not None:
        officials = officials.filter(city__in=place)
    role_counts = Official.RoleKind.values
    gender_counts = Official.Gender.values
    counts = officials.aggregate(
        total=Count("pk"),
        **{f"role_{value}": Count("pk", filter=Q(role_kind=value)) for value in role_counts},
        **{f"gender_{value}": Count("pk", filter=Q(gender=value)) for value in gender_counts},
    )
    official_count = counts["total"]

    finding_count, by_theme = _counts_by(
        Finding.objects.for_user(user).filter(consultation__in=consultations.values("pk")),
        "theme",
        Finding.Theme,
    )

    steps = NextStep.objects.for_user(user).filter(
        Q(due_date__range=period) | Q(completed_on__range=period)
    )
    if place is not None:
        steps = steps.filter(
            Q(city__in=place)
            | Q(city__isnull=True, consultation__city__in=place)
            | Q(city__isnull=True, workshop__in=workshops_with_place)
        )
    is_open = Q(status__in=NextStep.OPEN_STATUSES)
    past_due = Q(due_date__lt=today)
    step_counts = steps.aggregate(
        done=Count("pk", filter=Q(status=NextStep.Status.DONE)),
        open=Count("pk", filter=is_open & ~past_due),
        overdue=Count("pk", filter=is_open & past_due),
        cancelled=Count("pk", filter=Q(status=NextStep.Status.CANCELLED)),
    )

    return FundersSummary(
        start=start,
        end=end,
        today=today,
        hub=hub,
        country=country,
        city=city,
        headline=Breakdown(
            key="headline",
            title=gettext("In figures"),
            rows=[
                Figure("workshops_held", gettext("Workshops held"), workshop_counts["held"]),
                Figure(
                    "workshops_planned",
                    gettext("Workshops planned later in the period"),
                    workshop_counts["planned"],
                ),
                Figure("consultations", gettext("Consultations"), consultation_count),
                Figure("officials", gettext("Officials engaged"), official_count),
                Figure("findings", gettext("Key findings"), finding_count),
            ],
        ),
        officials_by_role=_breakdown(
            "officials_by_role",
            gettext("Officials engaged by role"),
            Official.RoleKind,
            {value: counts[f"role_{value}"] for value in role_counts},
        ),
        officials_by_gender=_breakdown(
            "officials_by_gender",
            gettext("Officials engaged by gender"),
            Official.Gender,
            {value: counts[f"gender_{value}"] for value in gender_counts},
        ),
        findings_by_theme=_breakdown(
            "findings_by_theme", gettext("Key findings by theme"), Finding.Theme, by_theme
        ),
        next_steps=Breakdown(
            key="next_steps",
            title=gettext("Next steps due or completed in the period"),
            rows=[
                Figure("done", gettext("Done"), step_counts["done"]),
                Figure("open", gettext("Open"), step_counts["open"]),
                Figure("overdue", gettext("Overdue"), step_counts["overdue"]),
                Figure("cancelled", gettext("Cancelled"), step_counts["cancelled"]),
            ],
        ),
    )


# --- The charts ---------------------------------------------------------------------------

BAR_COLOUR = "#1f5fa8"  # the dashboard's blue
STEP_COLOURS = {"done": "#146c43", "open": "#1f5fa8", "overdue": "#b02a37", "cancelled": "#6c757d"}


@dataclass(frozen=True)
class HorizontalBar:
    label: str
    value: int
    y: float  # the bar's top
    label_y: float  # the baseline of its label, above the bar
    width: float
    colour: str


@dataclass(frozen=True)
class GridLine:
    x: float
    value: int


@dataclass(frozen=True)
class HorizontalBarChart:
    """One labelled bar per row, labels above the bars (long or translated labels fit);
    coordinates in viewBox units."""

    breakdown: Breakdown  # the chart's table
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bar_height: int
    bars: list[HorizontalBar] = field(default_factory=list)
    grid: list[GridLine] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.breakdown.key

    @property
    def title(self) -> str:
        return self.breakdown.title

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    @property
    def axis_label_y(self) -> int:
        return self.bottom + 14


def horizontal_bar_chart(
    breakdown: Breakdown,
    colours: dict[str, str] | None = None,
    *,
    width: int = 400,
    row_height: int = 34,
) -> HorizontalBarChart:
    colours = colours or {}
    left, right, top, bar_height = 4, width - 36, 4, 14
    bottom = top + row_height * len(breakdown.rows)
    largest = max((row.value for row in breakdown.rows), default=0)
    step = _tick_step(max(largest, 1))
    ceiling = step * math.ceil(max(largest, 1) / step)
    scale = (right - left) / ceiling
    bars = []
    for index, row in enumerate(breakdown.rows):
        row_top = top + row_height * index
        bars.append(
            HorizontalBar(
                label=row.label,
                value=row.value,
                y=row_top + 16,
                label_y=row_top + 12,
                width=round(row.value * scale, 1),
                colour=colours.get(row.key, BAR_COLOUR),
            )
        )
    grid = [
        GridLine(x=round(left + value * scale, 1), value=value)
        for value in range(0, ceiling + 1, step)
    ]
    return HorizontalBarChart(
        breakdown=breakdown,
        width=width,
        height=bottom + 22,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bar_height=bar_height,
        bars=bars,
        grid=grid,
    )


# --- The Excel file -----------------------------------------------------------------------


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"


def summary_workbook(summary: FundersSummary) -> bytes:
    """The summary as an .xlsx file: a "Summary" sheet (period, place, headline figures),
    then one sheet per table. Figures are numbers and the period's ends real dates."""
    workbook = Workbook()
    bold = Font(bold=True)
    sheet = workbook.active
    sheet.title = _sheet_title(gettext("Summary"))
    sheet.append([gettext("SCN funders' summary")])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, day in (
        (pgettext_lazy("period", "From"), summary.start),
        (pgettext_lazy("period", "To"), summary.end),
        (gettext("Status of next steps as of"), summary.today),
    ):
        sheet.append([str(label), day])
        sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd"
    for label, name in summary.places:
        sheet.append([label, neutralise(name)])
        sheet.cell(row=sheet.max_row, column=2).data_type = "s"
    sheet.append([])
    _append_table(sheet, summary.headline, bold)
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 14
    for breakdown in summary.breakdowns:
        table = workbook.create_sheet(_sheet_title(breakdown.title))
        _append_table(table, breakdown, bold)
        table.column_dimensions["A"].width = 42
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def _append_table(sheet, breakdown: Breakdown, bold: Font) -> None:
    sheet.append([breakdown.title, gettext("Number")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in breakdown.rows:
        sheet.append([row.label, row.value])


# --- The view -----------------------------------------------------------------------------


class FundersSummaryView(NotFoundWhenRefusedMixin, TemplateView):
    """The summary for readers of internal records (ISD staff, admins, viewers): anyone else
    signed in gets a 404. Invalid input shows the form's errors, never a file."""

    template_name = "scn_portal/funders_summary.html"

    def has_permission(self) -> bool:
        return roles.can_read_internal(self.request.user)

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        form = FundersSummaryForm.from_query(request.GET, user=request.user, today=today)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        file_format = "xlsx" if request.GET.get("export") == "xlsx" else "html"
        log = export_log_start(
            user=request.user,
            export=EXPORT_NAME,
            file_format=file_format,
            filters={key: values for key, values in request.GET.lists() if key != "export"},
        )
        summary = funders_summary(user=request.user, today=today, **form.cleaned_data)
        if file_format == "xlsx":
            response = HttpResponse(
                summary_workbook(summary),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            filename = f"scn-{EXPORT_NAME}-{summary.start:%Y%m%d}-{summary.end:%Y%m%d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        else:
            response = self.render_to_response(
                self.get_context_data(
                    form=form,
                    summary=summary,
                    period=_period_label(summary.start, summary.end),
                    charts=[
                        horizontal_bar_chart(summary.officials_by_role),
                        horizontal_bar_chart(summary.officials_by_gender),
                        horizontal_bar_chart(summary.findings_by_theme),
                        horizontal_bar_chart(summary.next_steps, STEP_COLOURS),
                    ],
                    export_url="?" + urlencode({**form.query_string(), "export": "xlsx"}),
                )
            )
        export_log_finish(log=log, row_count=summary.row_count)
        return response


def _period_label(start: datetime.date, end: datetime.date) -> str:
    return gettext("%(start)s to %(end)s") % {
        "start": date_format(start, "j F Y"),
        "end": date_format(end, "j F Y"),
    }
