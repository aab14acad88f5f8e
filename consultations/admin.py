from django.contrib import admin
from django.db.models import Count
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, Finding, NextStep, ProgressUpdate
from scn_portal.admin import ScopedAdmin, StackedInline, TabularInline
from scn_portal.archive import ArchiveAdminMixin


class FindingInline(StackedInline):
    model = Finding
    fields = ["theme", "text", "is_published", "position"]
    extra = 0


class NextStepInline(StackedInline):
    model = NextStep
    fk_name = "consultation"
    fields = [
        "title",
        "kind",
        "city",
        "owner",
        "responsible_organisation",
        "due_date",
        "status",
        "completed_on",
    ]
    autocomplete_fields = ["city", "owner", "responsible_organisation"]
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(ArchiveAdminMixin, ScopedAdmin):
    list_display = [
        "title",
        "city",
        "date",
        "workshop",
        "confidentiality",
        "finding_count",
        "next_step_count",
        "is_sample",
    ]
    list_filter = ["confidentiality", "city", "is_sample"]
    list_select_related = ["city", "workshop"]
    date_hierarchy = "date"
    search_fields = ["title", "summary", "city__name"]
    autocomplete_fields = ["city", "workshop", "officials", "team_members"]
    readonly_fields = ["created_by"]
    inlines = [FindingInline, NextStepInline]
    fieldsets = [
        (None, {"fields": ["city", "date", "workshop", "title"]}),
        (_("Who met"), {"fields": ["officials", "team_members", "created_by"]}),
        (_("What was said"), {"fields": ["summary"]}),
        (_("Confidentiality"), {"fields": ["confidentiality", "public_summary", "is_sample"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                finding_count=Count("findings", distinct=True),
                next_step_count=Count("next_steps", distinct=True),
            )
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("findings"), ordering="finding_count")
    def finding_count(self, obj: Consultation) -> int:
        return obj.finding_count

    @admin.display(description=_("next steps"), ordering="next_step_count")
    def next_step_count(self, obj: Consultation) -> int:
        return obj.next_step_count


@admin.register(Finding)
class FindingAdmin(ScopedAdmin):
    list_display = ["short_text", "theme", "consultation", "city", "is_published"]
    list_filter = ["theme", "is_published", "consultation__city"]
    list_select_related = ["consultation__city"]
    search_fields = ["text", "consultation__title", "consultation__city__name"]
    autocomplete_fields = ["consultation"]

    @admin.display(description=_("finding"))
    def short_text(self, obj: Finding) -> str:
        return Truncator(obj.text).chars(90)

    @admin.display(description=_("city"), ordering="consultation__city__name")
    def city(self, obj: Finding) -> str:
        return obj.consultation.city.name


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=NextStep.objects.overdue().values("pk"))
        return queryset


class ProgressUpdateInline(TabularInline):
    model = ProgressUpdate
    fields = ["date", "author", "status", "note"]
    autocomplete_fields = ["author"]
    extra = 0


@admin.register(NextStep)
class NextStepAdmin(ScopedAdmin):
    list_display = [
        "title",
        "kind",
        "city",
        "owner",
        "responsible_organisation",
        "due_date",
        "status",
        "overdue",
    ]
    list_filter = [OverdueFilter, "status", "kind", "city", "responsible_organisation"]
    list_select_related = ["city", "owner", "responsible_organisation"]
    search_fields = ["title", "description", "city__name"]
    autocomplete_fields = ["consultation", "workshop", "city", "owner", "responsible_organisation"]
    inlines = [ProgressUpdateInline]
    fieldsets = [
        (None, {"fields": ["title", "kind", "description"]}),
        (_("Arising from"), {"fields": ["consultation", "workshop", "city"]}),
        (_("Follow-up"), {"fields": ["owner", "responsible_organisation", "due_date"]}),
        (_("Status"), {"fields": ["status", "completed_on", "is_published", "is_sample"]}),
    ]

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: NextStep) -> bool:
        return obj.is_overdue


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ScopedAdmin):
    list_display = ["next_step", "date", "author", "status", "short_note"]
    list_filter = ["status"]
    list_select_related = ["next_step", "author"]
    search_fields = ["note", "next_step__title"]
    autocomplete_fields = ["next_step", "author"]
    date_hierarchy = "date"

    @admin.display(description=_("note"))
    def short_note(self, obj: ProgressUpdate) -> str:
        return Truncator(obj.note).chars(90)
