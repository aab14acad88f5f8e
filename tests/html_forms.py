"""Read pages the way a browser does: the links on a page, and a form's current values."""

from html.parser import HTMLParser


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def links(html: str) -> list[str]:
    parser = _LinkParser()
    parser.feed(html)
    return parser.links


class _FormParser(HTMLParser):
    """The values a browser would submit for the form with the given CSS class or id, or the
    first form."""

    def __init__(self, form_class: str | None):
        super().__init__()
        self.form_class = form_class
        self.inside = False
        self.done = False
        self.in_template = 0
        self.data: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "template":
            self.in_template += 1
        if self.done or self.in_template:
            return
        if tag == "form" and not self.inside:
            classes = (attributes.get("class") or "").split()
            self.inside = (
                self.form_class is None
                or self.form_class in classes
                or self.form_class == attributes.get("id")
            )
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.data.append((name, attributes.get("value", "on")))
            elif kind not in {"submit", "button"}:
                self.data.append((name, attributes.get("value", "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attributes:
            self.data.append((self.select, attributes.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template -= 1
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def form_values(html: str, form_class: str | None = None) -> dict[str, list[str]]:
    parser = _FormParser(form_class)
    parser.feed(html)
    values: dict[str, list[str]] = {}
    for name, value in parser.data:
        values.setdefault(name, []).append(value)
    return values


def version_of(record) -> dict[str, str]:
    """The version field an edit form of `record` carries when opened now."""
    from scn_portal.versions import FIELD, current_version

    return {FIELD: current_version(record)}
