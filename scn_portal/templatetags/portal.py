"""Small template helpers shared by the portal's pages."""

from django import template
from django.utils.html import format_html

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
        state, arrow = "ascending", " ▲"
    elif current == f"-{field}":
        state, arrow = "descending", " ▼"
    else:
        state, arrow = "none", ""
    return format_html(
        '<a href="?{}" class="sort-link" aria-sort="{}">{}<span aria-hidden="true">{}</span></a>',
        query.urlencode(),
        state,
        label,
        arrow,
    )


@register.filter
def person(user, empty: str = "—") -> str:
    """A user's full name, else their user name; `empty` when there is nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()
