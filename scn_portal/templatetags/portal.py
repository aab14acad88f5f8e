"""Small template helpers shared by the portal's pages."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from scn_portal import roles

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, label: str, field: str, param: str = "o") -> str:
    """A column heading that sorts the list by `field`, toggling the direction.

    Keeps every other query parameter (the filters) and returns to the first page.
    """
    request = context["request"]
    current = request.GET.get(param, "")
    descending = current == field
    query = request.GET.copy()
    query[param] = f"-{field}" if descending else field
    query.pop("page", None)
    if current == field:
        state, arrow = _("sorted ascending"), " ▲"
    elif current == f"-{field}":
        state, arrow = _("sorted descending"), " ▼"
    else:
        state, arrow = "", ""
    return format_html(
        '<a href="?{}" class="sort-link">{}<span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></a>',
        query.urlencode(),
        label,
        arrow,
        f" ({state})" if state else "",
    )


@register.filter
def person(user, empty: str = "—") -> str:
    """A user's full name, else their user name; `empty` when there is nobody."""
    if user is None:
        return empty
    return roles.display_name(user)


STATUS_CLASSES = {
    "done": "text-bg-success",
    "blocked": "text-bg-warning",
    "cancelled": "text-bg-secondary",
}


@register.simple_tag
def status_badge(step) -> str:
    """A next step's status, with "overdue" impossible to miss. A tag, not an included
    template: the busiest city's page shows 88 of them (an include each cost 60 us)."""
    overdue = format_html('<span class="badge badge-overdue">{}</span> ', _("Overdue"))
    return format_html(
        '{}<span class="badge {}">{}</span>',
        overdue if step.is_overdue else "",
        STATUS_CLASSES.get(step.status, "text-bg-light border"),
        step.get_status_display(),
    )
