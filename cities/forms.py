from cities.models import City, Official, Organisation
from scn_portal.forms import DateInput, ScopedModelForm, typeahead


class CityForm(ScopedModelForm):
    class Meta:
        model = City
        fields = [
            "name",
            "name_local",
            "slug",
            "country",
            "province",
            "hub",
            "membership_status",
            "membership_changed_on",
            "population",
            "population_year",
            "latitude",
            "longitude",
            "local_government_profile",
            "public_summary",
            "is_published",
        ]
        widgets = {"membership_changed_on": DateInput()}


class OfficialForm(ScopedModelForm):
    class Meta:
        model = Official
        fields = [
            "name",
            "name_local",
            "city",
            "role_kind",
            "title",
            "organisation",
            "gender",
            "term_start",
            "term_end",
            "email",
            "phone",
            "consent_to_be_named",
            "consent_recorded_on",
            "notes",
        ]
        widgets = {
            "city": typeahead("cities:city_autocomplete"),
            "organisation": typeahead("cities:organisation_autocomplete"),
            "term_start": DateInput(),
            "term_end": DateInput(),
            "consent_recorded_on": DateInput(),
        }


class OrganisationForm(ScopedModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "slug",
            "kind",
            "country",
            "website",
            "description",
            "is_published",
        ]
