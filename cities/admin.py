from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cities.admin_imports import SpreadsheetImportMixin
from cities.models import (
    City,
    Country,
    DevolvedPower,
    LocalMechanism,
    Official,
    Organisation,
    RegionalHub,
)
from cities.resources import CityResource, OfficialResource, OrganisationResource
from scn_portal.admin import ScopedAdmin, TabularInline
from scn_portal.archive import ArchiveAdminMixin


@admin.register(RegionalHub)
class RegionalHubAdmin(ScopedAdmin):
    list_display = ["name", "city_count", "is_sample"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(city_count=Count("cities"))

    @admin.display(description=_("cities"), ordering="city_count")
    def city_count(self, obj: RegionalHub) -> int:
        return obj.city_count


@admin.register(Country)
class CountryAdmin(ScopedAdmin):
    list_display = ["name", "code", "city_count"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(city_count=Count("cities"))

    @admin.display(description=_("cities"), ordering="city_count")
    def city_count(self, obj: Country) -> int:
        return obj.city_count


class OfficialInline(TabularInline):
    model = Official
    fields = ["name", "role_kind", "title", "organisation", "term_start", "term_end"]
    autocomplete_fields = ["organisation"]
    extra = 0
    show_change_link = True
    can_delete = False  # officials are archived, never deleted from here

    def get_queryset(self, request):
        return super().get_queryset(request).active()


class DevolvedPowerInline(TabularInline):
    model = DevolvedPower
    fields = ["area", "legislation", "year", "notes"]
    extra = 0


class LocalMechanismInline(TabularInline):
    model = LocalMechanism
    fields = ["name", "kind", "established_year", "is_published"]
    extra = 0


@admin.register(City)
class CityAdmin(ArchiveAdminMixin, SpreadsheetImportMixin, ScopedAdmin):
    resource_classes = [CityResource]
    list_display = [
        "name",
        "name_local",
        "country",
        "province",
        "hub",
        "membership_status",
        "membership_changed_on",
        "is_published",
        "is_sample",
    ]
    list_filter = ["membership_status", "hub", "country", "is_published", "is_sample"]
    list_select_related = ["country", "hub"]
    search_fields = ["name", "name_local", "province", "country__name"]
    autocomplete_fields = ["country", "hub"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OfficialInline, DevolvedPowerInline, LocalMechanismInline]
    fieldsets = [
        (None, {"fields": ["name", "name_local", "slug", "country", "province", "hub"]}),
        (_("Membership"), {"fields": ["membership_status", "membership_changed_on"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "population",
                    "population_year",
                    "latitude",
                    "longitude",
                    "local_government_profile",
                ]
            },
        ),
        (_("Publication"), {"fields": ["is_published", "public_summary", "is_sample"]}),
    ]


@admin.register(DevolvedPower)
class DevolvedPowerAdmin(ScopedAdmin):
    list_display = ["area", "city", "legislation", "year"]
    list_filter = ["area", "city"]
    list_select_related = ["city"]
    search_fields = ["legislation", "notes", "city__name"]
    autocomplete_fields = ["city"]


@admin.register(LocalMechanism)
class LocalMechanismAdmin(ScopedAdmin):
    list_display = ["name", "kind", "city", "established_year", "is_published"]
    list_filter = ["kind", "is_published", "city"]
    list_select_related = ["city"]
    search_fields = ["name", "description", "city__name"]
    autocomplete_fields = ["city"]


@admin.register(Organisation)
class OrganisationAdmin(ArchiveAdminMixin, SpreadsheetImportMixin, ScopedAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "short_name", "kind", "country", "member_count", "is_published"]
    list_filter = ["kind", "country", "is_published", "is_sample"]
    list_select_related = ["country"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["country", "members"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("portal users"), ordering="member_count")
    def member_count(self, obj: Organisation) -> int:
        return obj.member_count


@admin.register(Official)
class OfficialAdmin(ArchiveAdminMixin, SpreadsheetImportMixin, ScopedAdmin):
    resource_classes = [OfficialResource]
    list_display = [
        "name",
        "title",
        "role_kind",
        "city",
        "organisation",
        "term_start",
        "term_end",
        "consent_to_be_named",
        "is_sample",
    ]
    list_filter = ["role_kind", "gender", "consent_to_be_named", "city", "is_sample"]
    list_select_related = ["city", "organisation"]
    search_fields = ["name", "name_local", "title", "city__name"]
    autocomplete_fields = ["city", "organisation"]
    fieldsets = [
        (None, {"fields": ["name", "name_local", "city", "role_kind", "title", "organisation"]}),
        (_("Term"), {"fields": ["term_start", "term_end", "gender"]}),
        (_("Private contact details"), {"fields": ["email", "phone"]}),
        (
            _("Consent and notes"),
            {"fields": ["consent_to_be_named", "consent_recorded_on", "notes"]},
        ),
        (None, {"fields": ["is_sample"]}),
    ]
