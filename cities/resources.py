"""Spreadsheet columns for cities, officials and organisations (django-import-export).

Columns are read by name, never by database id: a country by its name or ISO code, a hub by
its name, an official's city by name (and country), an organisation by its name or slug.

Rows are matched on a natural key, so importing the same sheet again updates instead of
duplicating:

- city: name + country (backed by the `city_unique_name_per_country` constraint);
- organisation: name (backed by the unique `name` field);
- official: name + city. No constraint backs this one (two officials of one city may share
  a name): a row that matches more than one official is refused with a message saying so.

Every import runs in one transaction: one refused row and nothing is written (`import_data`
below forces it, for the admin and for `cities.imports.import_rows` alike).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, TextChoices
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from cities.models import City, Country, Official, Organisation, RegionalHub

YES = {"1", "yes", "y", "true", "t", "x", "✓"}
NO = {"", "0", "no", "n", "false", "f"}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class TextWidget(widgets.Widget):
    """Text, trimmed; an empty cell is an empty string."""

    def clean(self, value, row=None, **kwargs):
        return _text(value)

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ChoiceWidget(widgets.Widget):
    """A choice by its stored value (`member`) or its label (`Member`), any case."""

    def __init__(self, choices: type[TextChoices], default: str = ""):
        super().__init__()
        self.choices = choices
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = _text(value).casefold()
        if not text:
            return self.default
        for choice in self.choices:
            if text in {choice.value.casefold(), str(choice.label).casefold()}:
                return choice.value
        raise ValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(self.choices.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class YesNoWidget(widgets.Widget):
    """yes/no, true/false, 1/0; an empty cell is no."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).casefold()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(_("“%(value)s” is not yes or no.") % {"value": value})


class DateWidget(widgets.Widget):
    """A date cell (Excel) or text in ISO form, 2017-11-21: never a guess at 11/12/2017."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2017-11-21.")
                % {"value": value}
            ) from None


MAX_DIGITS = 18


class NumberWidget(widgets.Widget):
    """A whole number or a decimal; thousands separators (1,970,042) are allowed."""

    def __init__(self, whole: bool = False):
        super().__init__()
        self.whole = whole

    def clean(self, value, row=None, **kwargs):
        text = _text(value).replace(",", "").replace(" ", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            message = _("“%(value)s” is not a whole number.") if self.whole else None
            raise ValueError((message or _("“%(value)s” is not a number.")) % {"value": value})
        # Before any arithmetic: 1e1000000 is a million digits long (turning it into an integer
        # held an import for minutes), and no field here holds a number of 19 digits.
        if number.adjusted() >= MAX_DIGITS:
            raise ValueError(_("“%(value)s” is too large.") % {"value": value})
        if self.whole and number != int(number):
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        return int(number) if self.whole else number


class LookupWidget(widgets.Widget):
    """A record named in a cell: found by any of `lookups` (case-insensitive), or refused."""

    model: type[Model]
    lookups: tuple[str, ...] = ("name__iexact",)
    unknown_message = gettext_lazy("Unknown %(model)s “%(value)s”.")

    def queryset(self, value: str, row):
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{lookup: value})
        return self.model.objects.filter(condition)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        matches = list(self.queryset(text, row)[:2])
        if any(_is_archived(match) for match in matches):
            raise ValueError(archived_message(matches[0]))
        if not matches:
            raise ValueError(self.unknown(text, row))
        if len(matches) > 1:
            raise ValueError(self.ambiguous(text, row))
        return matches[0]

    def unknown(self, text: str, row) -> str:
        return self.unknown_message % {"model": self.model._meta.verbose_name, "value": text}

    def ambiguous(self, text: str, row) -> str:
        return _("More than one %(model)s matches “%(value)s”.") % {
            "model": self.model._meta.verbose_name,
            "value": text,
        }

    def render(self, value, obj=None, **kwargs):
        return str(value) if value is not None else ""


def _is_archived(record) -> bool:
    return getattr(record, "archived_at", None) is not None


def archived_message(record) -> str:
    return _(
        "“%(record)s” is archived: restore it from the admin's archive before importing it."
    ) % {"record": record}


def _not_archived(record):
    """A row matching an archived record is refused: an import neither updates nor links
    to what nobody can see, and never brings it back silently."""
    if _is_archived(record):
        raise ValidationError(archived_message(record))
    return record


class CountryWidget(LookupWidget):
    model = Country
    lookups = ("name__iexact", "code__iexact")
    unknown_message = gettext_lazy(
        "Unknown country “%(value)s”: use a country's name or ISO code, as in the portal."
    )


class HubWidget(LookupWidget):
    model = RegionalHub
    lookups = ("name__iexact", "slug__iexact")
    unknown_message = gettext_lazy("Unknown regional hub “%(value)s”.")


class OrganisationWidget(LookupWidget):
    model = Organisation
    lookups = ("name__iexact", "slug__iexact")
    unknown_message = gettext_lazy(
        "Unknown organisation “%(value)s”: import or add the organisation first."
    )


class CityWidget(LookupWidget):
    """An official's city: by name, within the row's `country` column when there is one."""

    model = City
    unknown_message = gettext_lazy("Unknown city “%(value)s”: import or add the city first.")

    def queryset(self, value, row):
        cities = City.objects.filter(Q(name__iexact=value) | Q(slug__iexact=value))
        country = _text((row or {}).get("country"))
        if country:
            cities = cities.filter(
                Q(country__name__iexact=country) | Q(country__code__iexact=country)
            )
        return cities

    def unknown(self, text, row):
        country = _text((row or {}).get("country"))
        if country:
            return _("Unknown city “%(city)s” in “%(country)s”: import or add the city first.") % {
                "city": text,
                "country": country,
            }
        return super().unknown(text, row)

    def ambiguous(self, text, row):
        return _(
            "There is more than one city named “%(value)s”: add a country column to say which."
        ) % {"value": text}


def column(attribute: str, widget: widgets.Widget | None = None, *, name: str = "") -> fields.Field:
    """A column (named like the model field unless `name` says otherwise), read with
    `widget` (text by default)."""
    return fields.Field(
        attribute=attribute, column_name=name or attribute, widget=widget or TextWidget()
    )


class PortalResource(resources.ModelResource):
    """All or nothing, history rows attributed to the importing user, readable errors."""

    #: Columns a file must have; a file without them is refused before any row is read.
    required_columns: tuple[str, ...] = ()
    #: Whether a new record without a `slug` cell gets one made from its name.
    makes_slug = False

    class Meta:
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """One transaction, rolled back on any refused row, whoever calls this."""
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        headers = {_text(header) for header in dataset.headers or []}
        missing = [name for name in self.required_columns if name not in headers]
        if missing:
            raise ValueError(
                _("The file has no column %(columns)s. The first row must name the columns.")
                % {"columns": ", ".join(f"“{name}”" for name in missing)}
            )

    def get_instance(self, instance_loader, row):
        """The record the row's natural key names, or None for a new one. Each resource
        reads its key itself: an unreadable key (unknown country) means a new record, which
        the key's column then refuses with its own message."""
        raise NotImplementedError

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own rules (constraints, e-mail, blank name), errors named by column."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            columns = {field.attribute: field.column_name for field in self.get_import_fields()}
            raise ValidationError(
                {columns.get(key, key): value for key, value in error.error_dict.items()}
            ) from None

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = kwargs.get("user")
        instance._change_reason = _("Imported from %(file)s") % {
            "file": kwargs.get("file_name") or _("a file")
        }

    def unique_slug(self, instance, base: str) -> str:
        base = slugify(base)[:140] or self._meta.model._meta.model_name
        others = type(instance).objects.exclude(pk=instance.pk)
        slug, n = base, 2
        while others.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if self.makes_slug and not instance.slug and instance.name:
                instance.slug = self.slug_for(instance)

    def slug_for(self, instance) -> str:
        return self.unique_slug(instance, instance.name)


class CityResource(PortalResource):
    name = column("name")
    name_local = column("name_local")
    slug = column("slug")
    country = column("country", CountryWidget())
    province = column("province")
    hub = column("hub", HubWidget())
    population = column("population", NumberWidget(whole=True))
    population_year = column("population_year", NumberWidget(whole=True))
    latitude = column("latitude", NumberWidget())
    longitude = column("longitude", NumberWidget())
    membership_status = column(
        "membership_status", ChoiceWidget(City.Membership, default=City.Membership.NONE)
    )
    membership_changed_on = column("membership_changed_on", DateWidget())
    local_government_profile = column("local_government_profile")
    public_summary = column("public_summary")
    is_published = column("is_published", YesNoWidget())

    required_columns = ("name", "country")
    makes_slug = True

    class Meta:
        model = City
        name = gettext_lazy("Cities")
        import_id_fields = ["name", "country"]
        fields = [
            "name",
            "name_local",
            "slug",
            "country",
            "province",
            "hub",
            "population",
            "population_year",
            "latitude",
            "longitude",
            "membership_status",
            "membership_changed_on",
            "local_government_profile",
            "public_summary",
            "is_published",
        ]

    def get_instance(self, instance_loader, row):
        # name__iexact: "peshawar" in a sheet is the Peshawar already in the portal.
        try:
            country = CountryWidget().clean(row.get("country"))
        except ValueError:
            return None
        name = _text(row.get("name"))
        if not name or country is None:
            return None
        return _not_archived(City.objects.filter(name__iexact=name, country=country).first())

    def slug_for(self, instance) -> str:
        slug = slugify(instance.name)
        taken = City.objects.exclude(pk=instance.pk).filter(slug=slug).exists()
        if slug and taken and instance.country_id:
            return self.unique_slug(instance, f"{instance.name} {instance.country.code}")
        return self.unique_slug(instance, instance.name)


class OrganisationResource(PortalResource):
    name = column("name")
    short_name = column("short_name")
    slug = column("slug")
    kind = column("kind", ChoiceWidget(Organisation.Kind))
    country = column("country", CountryWidget())
    website = column("website")
    description = column("description")
    is_published = column("is_published", YesNoWidget())

    required_columns = ("name", "kind")
    makes_slug = True

    class Meta:
        model = Organisation
        name = gettext_lazy("Organisations")
        import_id_fields = ["name"]
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

    def get_instance(self, instance_loader, row):
        name = _text(row.get("name"))
        return _not_archived(
            Organisation.objects.filter(name__iexact=name).first() if name else None
        )


class OfficialResource(PortalResource):
    name = column("name")
    name_local = column("name_local")
    city = column("city", CityWidget())
    role_kind = column("role_kind", ChoiceWidget(Official.RoleKind), name="role")
    title = column("title")
    organisation = column("organisation", OrganisationWidget())
    gender = column("gender", ChoiceWidget(Official.Gender, default=Official.Gender.UNKNOWN))
    term_start = column("term_start", DateWidget())
    term_end = column("term_end", DateWidget())
    email = column("email")
    phone = column("phone")
    consent_to_be_named = column("consent_to_be_named", YesNoWidget())
    consent_recorded_on = column("consent_recorded_on", DateWidget())
    notes = column("notes")

    required_columns = ("name", "city", "role")

    class Meta:
        model = Official
        name = gettext_lazy("Officials")
        # Not backed by a unique constraint: see the module's docstring.
        import_id_fields = ["name", "city"]
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

    def get_instance(self, instance_loader, row):
        name = _text(row.get("name"))
        try:
            city = CityWidget().clean(row.get("city"), row=row)
        except ValueError:
            return None
        if not name or city is None:
            return None
        matches = list(Official.objects.filter(name__iexact=name, city=city)[:2])
        if len(matches) > 1:
            raise ValidationError(
                _(
                    "More than one official named “%(name)s” in %(city)s: the import cannot "
                    "tell which to update. Merge or rename them in the portal first."
                )
                % {"name": name, "city": city}
            )
        return _not_archived(matches[0]) if matches else None


RESOURCES: dict[str, type[PortalResource]] = {
    "cities": CityResource,
    "officials": OfficialResource,
    "organisations": OrganisationResource,
}
