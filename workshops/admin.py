from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from scn_portal.admin import ScopedAdmin, TabularInline
from scn_portal.archive import ArchiveAdminMixin
from workshops.models import MediaCoverage, Participation, Workshop, WorkshopSupport


class WorkshopSupportInline(TabularInline):
    model = WorkshopSupport
    fields = ["organisation", "role"]
    autocomplete_fields = ["organisation"]
    extra = 0


class ParticipationInline(TabularInline):
    model = Participation
    fields = ["official", "name", "role", "organisation", "city", "attendance", "is_high_level"]
    autocomplete_fields = ["official", "organisation", "city"]
    extra = 0


class MediaCoverageInline(TabularInline):
    model = MediaCoverage
    fields = ["outlet", "outlet_name", "language", "headline", "url", "published_on"]
    autocomplete_fields = ["outlet"]
    extra = 0


@admin.register(Workshop)
class WorkshopAdmin(ArchiveAdminMixin, ScopedAdmin):
    list_display = [
        "title",
        "kind",
        "start_date",
        "end_date",
        "organiser",
        "city_names",
        "participant_count",
        "is_published",
        "is_sample",
    ]
    list_filter = ["kind", "is_published", "organiser", "is_sample"]
    list_select_related = ["organiser"]
    date_hierarchy = "start_date"
    search_fields = ["title", "venue", "organiser__name"]
    autocomplete_fields = ["organiser", "cities"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [WorkshopSupportInline, ParticipationInline, MediaCoverageInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "start_date", "end_date", "venue"]}),
        (_("Who and where"), {"fields": ["organiser", "cities"]}),
        (_("What happened"), {"fields": ["agenda", "outcomes", "internal_notes"]}),
        (_("Publication"), {"fields": ["is_published", "public_summary", "is_sample"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(participant_count=Count("participations", distinct=True))
            .prefetch_related("cities")
        )

    @admin.display(description=_("cities"))
    def city_names(self, obj: Workshop) -> str:
        return ", ".join(city.name for city in obj.cities.all())

    @admin.display(description=_("participants"), ordering="participant_count")
    def participant_count(self, obj: Workshop) -> int:
        return obj.participant_count


@admin.register(WorkshopSupport)
class WorkshopSupportAdmin(ScopedAdmin):
    list_display = ["workshop", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["workshop", "organisation"]
    search_fields = ["workshop__title", "organisation__name"]
    autocomplete_fields = ["workshop", "organisation"]


@admin.register(Participation)
class ParticipationAdmin(ScopedAdmin):
    list_display = [
        "participant",
        "role",
        "workshop",
        "city",
        "organisation",
        "attendance",
        "is_high_level",
    ]
    list_filter = ["attendance", "is_high_level", "city"]
    list_select_related = ["workshop", "official", "city", "organisation"]
    search_fields = ["name", "official__name", "role", "workshop__title"]
    autocomplete_fields = ["workshop", "official", "organisation", "city"]

    @admin.display(description=_("participant"), ordering="name")
    def participant(self, obj: Participation) -> str:
        return obj.official.name if obj.official else obj.name


@admin.register(MediaCoverage)
class MediaCoverageAdmin(ScopedAdmin):
    list_display = ["headline", "outlet_display", "language", "published_on", "workshop"]
    list_filter = ["language", "is_published", "is_sample"]
    list_select_related = ["workshop", "outlet"]
    search_fields = ["headline", "outlet_name", "outlet__name", "workshop__title"]
    autocomplete_fields = ["workshop", "outlet"]
    date_hierarchy = "published_on"

    @admin.display(description=_("outlet"), ordering="outlet_name")
    def outlet_display(self, obj: MediaCoverage) -> str:
        return obj.outlet.name if obj.outlet else obj.outlet_name
