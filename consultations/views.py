from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from cities.models import Official
from cities.selectors import city_from_query
from consultations.filters import ConsultationFilter, FindingFilter, NextStepFilter
from consultations.forms import (
    ConsultationForm,
    FindingFormSet,
    NextStepForm,
    NextStepFormSet,
    NextStepStatusForm,
)
from consultations.models import Consultation, Finding, NextStep, ProgressUpdate
from consultations.services import consultation_save, next_step_save, next_step_set_status
from scn_portal import roles, versions
from scn_portal.archive import PortalArchiveView
from scn_portal.exports import (
    Column,
    choice_labels,
    joined_names,
    person_name,
)
from scn_portal.forms import formset_rows
from scn_portal.generic import (
    FormsetsMixin,
    NotFoundWhenRefusedMixin,
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
)
from scn_portal.models import related_count


class ConsultationListView(PortalListView):
    model = Consultation
    filterset_class = ConsultationFilter
    export_name = "consultations"

    def get_export_columns(self):
        return [
            Column(_("Date"), "date"),
            Column(_("City"), "city__name"),
            Column(_("Title"), "title"),
            Column(_("Held at workshop"), "workshop__title"),
            Column(
                _("Confidentiality"),
                "confidentiality",
                choice_labels(Consultation.Confidentiality.choices),
            ),
            Column(_("Officials met"), "official_names"),
            Column(_("ISD team members"), "team_member_names"),
            Column(_("Key findings"), "finding_count"),
            Column(_("Summary"), "summary"),
        ]

    def page_annotations(self, rows):
        return rows.annotate(finding_count=related_count(Finding.objects.all(), "consultation"))

    def refine_export(self, rows):
        return self.page_annotations(rows).annotate(
            official_names=joined_names(Official.objects.active(), "consultations"),
            team_member_names=joined_names(
                get_user_model().objects.all(), "consultations", person_name()
            ),
        )

    def refine_queryset(self, queryset):
        return queryset.select_related("city", "workshop").order_by("-date", "title", "pk")


class ConsultationDetailView(PortalDetailView):
    model = Consultation

    def refine_queryset(self, queryset):
        user = self.request.user
        return queryset.select_related("city", "workshop", "created_by").prefetch_related(
            Prefetch("officials", queryset=Official.objects.for_user(user).order_by("name")),
            "team_members",
            Prefetch("findings", queryset=Finding.objects.for_user(user).order_by("position")),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            next_steps=NextStep.objects.for_user(self.request.user)
            .filter(consultation=self.object)
            .select_related("owner", "responsible_organisation")
            .with_version()
            .order_by("due_date", "title"),
            status_form=NextStepStatusForm(),
            **kwargs,
        )


class ConsultationFormMixin(FormsetsMixin):
    model = Consultation
    form_class = ConsultationForm
    formset_classes = {"findings": FindingFormSet, "next_steps": NextStepFormSet}
    success_message = _("Consultation “{object}” saved.")

    def save(self, form, formsets):
        return consultation_save(
            actor=self.request.user,
            consultation=form.instance,
            data=form.cleaned_data,
            **{name: formset_rows(formset) for name, formset in formsets.items()},
        )


class ConsultationCreateView(ConsultationFormMixin, PortalCreateView):
    def get_initial(self):
        return {"city": city_from_query(user=self.request.user, slug=self.request.GET.get("city"))}


class ConsultationUpdateView(ConsultationFormMixin, PortalUpdateView):
    pass


class ConsultationArchiveView(PortalArchiveView):
    model = Consultation


class FindingListView(PortalListView):
    model = Finding
    filterset_class = FindingFilter
    export_name = "findings"

    def get_export_columns(self):
        return [
            Column(_("Consultation date"), "consultation__date"),
            Column(_("City"), "consultation__city__name"),
            Column(_("Consultation"), "consultation__title"),
            Column(_("Held at workshop"), "consultation__workshop__title"),
            Column(_("Theme"), "theme", choice_labels(Finding.Theme.choices)),
            Column(_("Finding"), "text"),
            Column(_("Published"), "is_published"),
        ]

    def refine_queryset(self, queryset):
        return queryset.select_related("consultation__city", "consultation__workshop").order_by(
            "-consultation__date", "consultation__title", "position", "pk"
        )


class NextStepListView(PortalListView):
    model = NextStep
    filterset_class = NextStepFilter
    export_name = "next-steps"

    def get_export_columns(self):
        return [
            Column(_("Title"), "title"),
            Column(_("Kind"), "kind", choice_labels(NextStep.Kind.choices)),
            Column(_("City"), "shown_city"),
            Column(_("Owner"), "owner_name"),
            Column(_("Responsible organisation"), "shown_organisation"),
            Column(_("Due"), "due_date"),
            Column(_("Status"), "status", choice_labels(NextStep.Status.choices)),
            Column(_("Completed on"), "completed_on"),
            Column(_("Overdue"), "overdue_now"),
        ]

    def refine_export(self, rows):
        return rows.with_overdue().annotate(owner_name=person_name("owner__"))  # no version

    def refine_queryset(self, queryset):
        return (
            queryset.select_related("city", "owner")
            .with_shown_names(self.request.user)
            .order_by("due_date", "title", "pk")
        )

    def page_annotations(self, rows):
        return rows.with_version()

    def get_context_data(self, **kwargs):
        return super().get_context_data(status_form=NextStepStatusForm(), **kwargs)


class NextStepDetailView(PortalDetailView):
    model = NextStep

    def refine_queryset(self, queryset):
        return (
            queryset.select_related("city", "owner", "consultation", "workshop")
            .with_shown_names(self.request.user)
            .with_version()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            updates=ProgressUpdate.objects.for_user(self.request.user)
            .filter(next_step=self.object)
            .select_related("author")
            .order_by("-date", "-id"),
            status_form=NextStepStatusForm(initial={"status": self.object.status}),
            # The description is internal, as its history has it (`history.INTERNAL_FIELDS`).
            show_internal=roles.can_read_internal(self.request.user),
            **kwargs,
        )


class NextStepFormMixin:
    model = NextStep
    form_class = NextStepForm
    list_url_name = "consultations:next_step_list"
    success_message = _("Next step “{object}” saved.")

    def save(self, form):
        return next_step_save(
            actor=self.request.user, next_step=form.instance, data=form.cleaned_data
        )


class NextStepCreateView(NextStepFormMixin, PortalCreateView):
    pass


class NextStepUpdateView(NextStepFormMixin, PortalUpdateView):
    pass


class NextStepStatusView(NotFoundWhenRefusedMixin, FormView):
    """The quick status change, posted from the next-step list and page."""

    permission_required = "consultations.change_nextstep"
    form_class = NextStepStatusForm
    template_name = "consultations/nextstep_status.html"

    def dispatch(self, request, *args, **kwargs):
        self.next_step = get_object_or_404(NextStep.objects.for_user(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("version", versions.form_version(self.request, self.next_step))
        return super().get_context_data(next_step=self.next_step, **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                versions.check_version(
                    self.next_step, self.request.POST.get(versions.FIELD), self.request.user
                )
                next_step_set_status(
                    actor=self.request.user,
                    next_step=self.next_step,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
        except versions.StaleVersionError as error:
            form.add_error(None, error)
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    changed_meanwhile=error.changes,
                    version=versions.current_version(self.next_step),
                )
            )
        messages.success(
            self.request,
            gettext("“%(step)s” is now %(status)s.")
            % {"step": self.next_step, "status": self.next_step.get_status_display().lower()},
        )
        back = self.request.POST.get("next", "")
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return redirect(self.next_step)
