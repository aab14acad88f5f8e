from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, Finding, NextStep
from scn_portal.forms import (
    MAX_ROWS,
    DateInput,
    ScopedInlineFormSet,
    ScopedModelForm,
    typeahead,
)


class ConsultationForm(ScopedModelForm):
    team_fields = ("team_members",)

    class Meta:
        model = Consultation
        fields = [
            "city",
            "date",
            "workshop",
            "title",
            "officials",
            "team_members",
            "summary",
            "confidentiality",
            "public_summary",
        ]
        widgets = {
            "city": typeahead("cities:city_autocomplete"),
            "workshop": typeahead("workshops:workshop_autocomplete"),
            "date": DateInput(),
            "officials": typeahead("cities:official_autocomplete", multiple=True),
            "team_members": typeahead("user_autocomplete", multiple=True),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "public_summary": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        city, officials = cleaned.get("city"), cleaned.get("officials")
        if city and officials:
            others = [official.name for official in officials if official.city_id != city.pk]
            if others:
                self.add_error(
                    "officials",
                    gettext("Not officials of %(city)s: %(names)s. Pick officials of the city met.")
                    % {"city": city, "names": ", ".join(others)},
                )
        return cleaned


class FindingForm(ScopedModelForm):
    class Meta:
        model = Finding
        fields = ["theme", "text", "is_published"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class NextStepForm(ScopedModelForm):
    team_fields = ("owner",)

    class Meta:
        model = NextStep
        fields = [
            "title",
            "kind",
            "description",
            "consultation",
            "workshop",
            "city",
            "owner",
            "responsible_organisation",
            "due_date",
            "is_published",
        ]
        widgets = {
            "consultation": forms.HiddenInput(),
            "workshop": typeahead("workshops:workshop_autocomplete"),
            "city": typeahead("cities:city_autocomplete"),
            "owner": typeahead("user_autocomplete"),
            "responsible_organisation": typeahead("cities:organisation_autocomplete"),
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class InlineNextStepForm(ScopedModelForm):
    """A next step inside a consultation's form: it inherits the consultation's city."""

    team_fields = ("owner",)

    class Meta:
        model = NextStep
        fields = ["title", "kind", "owner", "responsible_organisation", "due_date"]
        widgets = {
            "owner": typeahead("user_autocomplete"),
            "responsible_organisation": typeahead("cities:organisation_autocomplete"),
            "due_date": DateInput(),
        }


class NextStepStatusForm(forms.Form):
    """A quick status change, with the progress note that explains it."""

    status = forms.ChoiceField(label=_("Status"), choices=NextStep.Status.choices)
    note = forms.CharField(
        label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


ROW_LIMITS = {
    "formset": ScopedInlineFormSet,
    "max_num": MAX_ROWS,
    "absolute_max": MAX_ROWS,
    "validate_max": True,
}
FindingFormSet = forms.inlineformset_factory(
    Consultation, Finding, form=FindingForm, extra=1, can_delete=True, **ROW_LIMITS
)
NextStepFormSet = forms.inlineformset_factory(
    Consultation,
    NextStep,
    form=InlineNextStepForm,
    fk_name="consultation",
    extra=1,
    can_delete=True,
    **ROW_LIMITS,
)
