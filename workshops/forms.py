from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext

from scn_portal import roles
from scn_portal.forms import (
    MAX_ROWS,
    DateInput,
    ScopedInlineFormSet,
    ScopedModelForm,
    typeahead,
)
from workshops.models import MediaCoverage, Participation, Workshop, WorkshopSupport


class WorkshopForm(ScopedModelForm):
    class Meta:
        model = Workshop
        fields = [
            "title",
            "slug",
            "kind",
            "start_date",
            "end_date",
            "venue",
            "organiser",
            "cities",
            "agenda",
            "outcomes",
            "public_summary",
            "internal_notes",
            "is_published",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "organiser": typeahead("cities:organisation_autocomplete"),
            "cities": typeahead("cities:city_autocomplete", multiple=True),
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "outcomes": forms.Textarea(attrs={"rows": 4}),
            "public_summary": forms.Textarea(attrs={"rows": 3}),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not roles.is_isd_staff(self.user):
            for name in Workshop.STAFF_ONLY_FIELDS:
                del self.fields[name]


class WorkshopSupportForm(ScopedModelForm):
    class Meta:
        model = WorkshopSupport
        fields = ["organisation", "role"]
        widgets = {"organisation": typeahead("cities:organisation_autocomplete")}


class ParticipationForm(ScopedModelForm):
    class Meta:
        model = Participation
        fields = ["official", "name", "role", "organisation", "city", "attendance", "is_high_level"]
        widgets = {
            "official": typeahead("cities:official_autocomplete"),
            "organisation": typeahead("cities:organisation_autocomplete"),
            "city": typeahead("cities:city_autocomplete"),
        }


class MediaCoverageForm(ScopedModelForm):
    class Meta:
        model = MediaCoverage
        fields = [
            "outlet",
            "outlet_name",
            "language",
            "headline",
            "url",
            "published_on",
            "is_published",
        ]
        widgets = {
            "outlet": typeahead("cities:organisation_autocomplete"),
            "published_on": DateInput(),
        }


class BaseParticipationFormSet(ScopedInlineFormSet):
    """Refuses the same official, or the same guest name, twice in one workshop."""

    def clean(self):
        super().clean()
        kept = [form for form in self.forms if not self._should_delete_form(form)]
        # The rows left as they are first: a changed or new row may not repeat one of them,
        # in any case ("a guest" beside a stored "A Guest": the database tells case apart).
        seen = {_person(form) for form in kept if not form.has_changed()}
        for form in kept:
            if not form.has_changed():
                continue
            key = _person(form)
            field = key[0]
            # A row the database's rules refused already says so (stored twice, no person).
            if key in seen and not form.has_error(field) and not form.has_error(NON_FIELD_ERRORS):
                form.add_error(field, gettext("This person is already listed as a participant."))
            seen.add(key)


def _person(form) -> tuple[str, object]:
    """Who a participant row names: its official, or else its guest's name in any case."""
    official, name = form.cleaned_data.get("official"), form.cleaned_data.get("name")
    return ("official", official.pk) if official else ("name", (name or "").casefold())


def _inline(model, form, formset=ScopedInlineFormSet):
    return forms.inlineformset_factory(
        Workshop,
        model,
        form=form,
        formset=formset,
        extra=0,
        can_delete=True,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )


SupportFormSet = _inline(WorkshopSupport, WorkshopSupportForm)
ParticipationFormSet = _inline(Participation, ParticipationForm, BaseParticipationFormSet)
MediaCoverageFormSet = _inline(MediaCoverage, MediaCoverageForm)
