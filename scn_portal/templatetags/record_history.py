"""The History link of a record's page: shown to those whose history page it opens."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from scn_portal.history import history_url_of, may_read_history

register = template.Library()


@register.simple_tag(takes_context=True)
def history_link(context, record) -> str:
    """A small "History" button to the record's history, or nothing for those it would 404."""
    request = context.get("request")
    if request is None or not may_read_history(request.user, record):
        return ""
    return format_html(
        '<a class="btn btn-outline-secondary btn-sm" href="{}">{}</a>',
        history_url_of(record),
        gettext("History"),
    )
