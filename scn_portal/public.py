"""The public site: the network and its published work, and nothing else.

Every query here starts from the public scope (`for_user` of an anonymous visitor), whoever
is signed in: a staff member looking at the public site sees exactly what the public sees.
Rendered data is cached per "public version", which any change to a record moves on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import django_filters
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView, TemplateView, View
from django_filters.views import FilterView

from cities.models import City, Country, LocalMechanism, Official, Organisation, RegionalHub
from consultations.models import Consultation, Finding, NextStep
from scn_portal.generic import StyledFilterSet
from scn_portal.maps import network_map
from workshops.models import MediaCoverage, Participation, Workshop, WorkshopSupport

PUBLIC = AnonymousUser()
VERSION_KEY = "public-site-version"
# Without a shared cache (Redis) each worker keeps its own copy: keep it brief there.
CACHE_SECONDS = 60 * 60 if settings.REDIS_URL else 60


# --- cache -------------------------------------------------------------------------------


def public_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return version


def public_changed(**kwargs: Any) -> None:
    """A record changed: every cached public page is stale (connected in apps.py). The
    version moves on once the change is committed, so nobody caches the old data under it."""
    transaction.on_commit(_next_version)


def _next_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def cached(name: str, build, *parts: Any):
    """`build()` cached under this public version (and the current language)."""
    from django.utils.translation import get_language

    key = ":".join(["public", str(public_version()), get_language() or "", name, *map(str, parts)])
    return cache.get_or_set(key, build, CACHE_SECONDS)


# --- selectors ---------------------------------------------------------------------------


def city_url(city: City) -> str:
    return reverse("public:city", args=[city.slug])


def network_numbers() -> dict[str, int]:
    cities = City.objects.for_user(PUBLIC)
    return {
        "members": cities.members().count(),
        "cities": cities.count(),
        "countries": cities.values("country").distinct().count(),
        "workshops": Workshop.objects.for_user(PUBLIC).count(),
    }


def published_workshops() -> Any:
    return (
        Workshop.objects.for_user(PUBLIC)
        .select_related("organiser")
        .prefetch_related(Prefetch("cities", queryset=City.objects.for_user(PUBLIC)))
        .order_by("-start_date", "title")
    )


def public_map(cities, *, url=city_url, grouped: bool = False) -> str:
    """The map of `cities`, drawn as SVG markup; in Urdu, the markers carry the cities'
    local-script names. Rendered here, once, so that a cached page caches the drawing too
    (hundreds of country outlines and markers cost more to render than to look up).
    `grouped`: each marker stands for a country's cities (`country_groups`)."""
    from django.template.loader import render_to_string
    from django.utils.translation import get_language

    drawing = network_map(cities, url=url, local_names=get_language() == "ur")
    return render_to_string("components/network_map.html", {"map": drawing, "grouped": grouped})


# The home page's map draws every public city while there are at most this many. Past that,
# one marker per country stands for its cities, with their number, and links to the
# directory of that country's cities: thousands of dots on a 600-pixel map tell nobody
# anything, and the page grew with the network (scale 10's 20,000 cities: 8.7 ms a request,
# against 1.9 ms for 200 cities, most of it the cached drawing's size).
HOME_MAP_CITIES = 500


@dataclass(frozen=True)
class CountryGroup:
    """A country's public cities as one marker: what `network_map` reads of a city."""

    country: int
    name: str
    latitude: float
    longitude: float
    name_local: str = ""
    membership_status: str = "group"

    def url(self) -> str:
        return f"{reverse('public:directory')}?country={self.country}"


def country_groups(cities) -> list[CountryGroup]:
    """One group per country of `cities`, counting them all, placed at the mean position of
    those with coordinates (a country with none is not drawn)."""
    rows = (
        cities.order_by()
        .values("country", "country__name")
        .annotate(n=Count("*"), latitude=Avg("latitude"), longitude=Avg("longitude"))
        .order_by("country__name")
    )
    return [
        CountryGroup(
            country=row["country"],
            name=ngettext("%(country)s: %(count)s city", "%(country)s: %(count)s cities", row["n"])
            % {"country": row["country__name"], "count": row["n"]},
            latitude=row["latitude"],
            longitude=row["longitude"],
        )
        for row in rows
        if row["latitude"] is not None and row["longitude"] is not None
    ]


# A city's page shows its most recent workshops and media coverage, and the first officials,
# with a link to all of them (`?all=1`): the busiest public city at scale 10 has 93 workshops,
# 405 officials named publicly and their coverage, and its page took 30 ms to unpickle and
# render them all (8 ms at scale 0.1).
CITY_PAGE_SHOWS = {"workshops": 20, "officials": 40, "media": 10}


def city_profile(city: City, *, everything: bool = False) -> dict[str, Any]:
    """What the city's public page lists, each list with its count ("<name>_count");
    `everything`: every row, else the first CITY_PAGE_SHOWS of each."""
    workshops = published_workshops().filter(pk__in=city.workshops.values("pk"))
    lists = {
        "workshops": workshops,
        "officials": Official.objects.for_user(PUBLIC)
        .filter(city=city)
        .order_by("role_kind", "name", "pk"),
        "media": MediaCoverage.objects.for_user(PUBLIC)
        .filter(workshop__in=workshops.values("pk"))
        .select_related("outlet", "workshop")
        .order_by("-published_on", "pk"),
    }
    profile: dict[str, Any] = {
        "mechanisms": list(LocalMechanism.objects.for_user(PUBLIC).filter(city=city)),
    }
    for name, rows in lists.items():
        shown = list(rows if everything else rows[: CITY_PAGE_SHOWS[name]])
        profile[name] = shown
        profile[f"{name}_count"] = len(shown) if everything else rows.count()
    return profile


def workshop_page(workshop: Workshop) -> dict[str, Any]:
    organisations = Organisation.objects.for_user(PUBLIC)
    consultations = list(
        Consultation.objects.for_user(PUBLIC)
        .filter(workshop=workshop)
        .select_related("city")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.for_user(PUBLIC).order_by("position", "pk"),
                to_attr="public_findings",
            )
        )
        .order_by("city__name")
    )
    cities = list(City.objects.for_user(PUBLIC).filter(workshops=workshop).order_by("name"))
    supports = list(
        WorkshopSupport.objects.filter(workshop=workshop, organisation__in=organisations)
        .select_related("organisation")
        .order_by("role", "organisation__name")
    )
    return {
        "cities": cities,
        "city_names": _listed(city.name for city in cities),
        "supports": supports,
        "supporter_names": _listed(support.organisation.name for support in supports),
        "organiser_public": organisations.filter(pk=workshop.organiser_id).exists(),
        "media": list(
            MediaCoverage.objects.for_user(PUBLIC)
            .filter(workshop=workshop)
            .select_related("outlet")
            .order_by("published_on", "headline")
        ),
        "participants": public_participants(workshop),
        "consultations": [c for c in consultations if c.public_findings or c.public_summary],
        "next_steps": list(
            NextStep.objects.for_user(PUBLIC)
            .filter(Q(workshop=workshop) | Q(consultation__workshop=workshop))
            .select_related("city")
            .order_by("kind", "title")
        ),
    }


def _listed(names) -> str:
    """Names as a sentence lists them, in the current language: "A, B and C"."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return gettext("%(names)s and %(last)s") % {
        "names": gettext(", ").join(names[:-1]),
        "last": names[-1],
    }


def public_participants(workshop: Workshop) -> list[dict[str, Any]]:
    """Who took part, as the public may know it: roles and cities; a name only for an
    official who consented to be named."""
    named = set(Official.objects.for_user(PUBLIC).values_list("pk", flat=True))
    rows = (
        Participation.objects.filter(workshop=workshop)
        .exclude(attendance=Participation.Attendance.ABSENT)
        .select_related("official", "city")
        .order_by("-is_high_level", "city__name", "role")
    )
    return [
        {
            "name": row.official.name if row.official_id in named else "",
            "role": row.role or (row.official.get_role_kind_display() if row.official else ""),
            "city": row.city.name
            if row.city and row.city.is_published and not row.city.is_archived
            else "",
            "high_level": row.is_high_level,
        }
        for row in rows
    ]


def upcoming_workshops(today: datetime.date) -> Any:
    return published_workshops().filter(end_date__gte=today).order_by("start_date")


# --- views -------------------------------------------------------------------------------


class HomeView(TemplateView):
    """The network in numbers, its map and the latest published workshops."""

    template_name = "public/home.html"

    def get_context_data(self, **kwargs):
        def build():
            # Only the drawing is kept, not the cities drawn: each cached copy is unpickled
            # on every request (20,000 cities: 280 ms a page at scale 10).
            cities = City.objects.for_user(PUBLIC)
            numbers = network_numbers()
            if numbers["cities"] > HOME_MAP_CITIES:
                drawing = public_map(country_groups(cities), url=CountryGroup.url, grouped=True)
            else:
                drawing = public_map(cities.select_related("country", "hub").order_by("name"))
            return {
                "numbers": numbers,
                "map": drawing,
                "workshops": list(published_workshops()[:5]),
            }

        return super().get_context_data(**cached("home", build), **kwargs)


class CityDirectoryFilter(StyledFilterSet):
    country = django_filters.ModelChoiceFilter(
        queryset=lambda request: Country.objects.filter(
            pk__in=City.objects.for_user(PUBLIC).values("country")
        ),
        label=_("Country"),
    )
    province = django_filters.ChoiceFilter(label=_("Province or state"), choices=[])
    hub = django_filters.ModelChoiceFilter(
        queryset=lambda request: RegionalHub.objects.filter(
            pk__in=City.objects.for_user(PUBLIC).values("hub")
        ),
        label=_("Regional hub"),
    )
    membership_status = django_filters.ChoiceFilter(
        choices=City.Membership.choices, label=_("Membership")
    )

    class Meta:
        model = City
        fields = ["country", "province", "hub", "membership_status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["province"].extra["choices"] = cached("directory-provinces", _provinces)


def _provinces() -> list[tuple[str, str]]:
    provinces = (
        City.objects.for_user(PUBLIC)
        .exclude(province="")
        .values_list("province", flat=True)
        .distinct()
        .order_by("province")
    )
    return [(province, province) for province in provinces]


class CityDirectoryView(FilterView):
    template_name = "public/city_directory.html"
    filterset_class = CityDirectoryFilter
    paginate_by = 50
    strict = True

    def get_queryset(self):
        return City.objects.for_user(PUBLIC).select_related("country", "hub").order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cities = list(context["object_list"])
        # Counted for the page's cities only, not grouped over every city first, each row's
        # workshop tested where it is joined: as `workshop__in=<the public workshops>`,
        # PostgreSQL hashed all 29,000 of them at scale 10 (20 ms; 3 ms so, EXPLAIN).
        counts = dict(
            Workshop.cities.through.objects.filter(
                Workshop.objects.visible_to(PUBLIC, "workshop"), city__in=cities
            )
            .values("city")
            .annotate(n=Count("*"))
            .values_list("city", "n")
        )
        for city in cities:
            city.workshop_count = counts.get(city.pk, 0)
        context["object_list"] = cities
        context["map"] = cached(
            "directory-map", lambda: public_map(cities), *[city.pk for city in cities]
        )
        return context


class PublicCityView(TemplateView):
    template_name = "public/city.html"

    def get_context_data(self, **kwargs):
        city = get_object_or_404(
            City.objects.for_user(PUBLIC).select_related("country", "hub"), slug=kwargs["slug"]
        )
        everything = self.request.GET.get("all") == "1"
        return super().get_context_data(
            city=city,
            map=cached("city-map", lambda: public_map([city]), city.pk),
            everything=everything,
            **cached(
                "city", lambda: city_profile(city, everything=everything), city.pk, everything
            ),
            **kwargs,
        )


class PublicWorkshopView(TemplateView):
    template_name = "public/workshop.html"

    def get_workshop(self) -> Workshop:
        return get_object_or_404(
            Workshop.objects.for_user(PUBLIC).select_related("organiser"),
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        workshop = self.get_workshop()
        return super().get_context_data(
            workshop=workshop,
            **cached("workshop", lambda: workshop_page(workshop), workshop.pk),
            **kwargs,
        )


class WorkshopStoryView(PublicWorkshopView):
    """The workshop told as the seed report tells it, generated from the data."""

    template_name = "public/story.html"


class WorkshopCalendarView(View):
    """An iCalendar feed of upcoming published workshops."""

    def get(self, request, *args, **kwargs):
        # The same for every subscriber until the data or the day changes: cached, as a
        # feed grows with the workshops to come (scale 10: 55 ms a request, 10x scale 0.1).
        today = timezone.localdate()
        body = cached(
            "calendar",
            lambda: self.calendar(request, today),
            today.isoformat(),
            request.scheme,
            request.get_host(),
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="scn-workshops.ics"'
        return response

    def calendar(self, request, today: datetime.date) -> bytes:
        from icalendar import Calendar, Event

        calendar = Calendar()
        calendar.add("prodid", "-//Strong Cities Network//SCN Portal//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", "Strong Cities Network workshops")
        stamp = timezone.now()
        for workshop in upcoming_workshops(today):
            event = Event()
            event.add("uid", f"workshop-{workshop.pk}@{request.get_host()}")
            event.add("dtstamp", stamp)
            event.add("summary", workshop.title)
            event.add("dtstart", workshop.start_date)
            if workshop.end_date < datetime.date.max:  # the day after the last, exclusive
                event.add("dtend", workshop.end_date + datetime.timedelta(days=1))
            if workshop.venue:
                event.add("location", workshop.venue)
            event.add("description", workshop.public_summary)
            event.add(
                "url", request.build_absolute_uri(reverse("public:workshop", args=[workshop.slug]))
            )
            calendar.add_component(event)
        return calendar.to_ical()


class FaviconView(RedirectView):
    """The icon, where a browser asks for /favicon.ico: on a page that names none (Django's
    admin, a file opened in the browser); a 404 otherwise. Not a permanent redirect: the
    icon's file name carries its content's hash, and a browser keeps a permanent one for good."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.svg")


class RobotsView(View):
    def get(self, request, *args, **kwargs):
        lines = [
            "User-agent: *",
            "Allow: /$",
            "Allow: /network/",
            "Allow: /events/",
            "Disallow: /",
            f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        ]
        return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
