"""The forms of a rendered page, read from its HTML: each form's method, action and fields
(name, kind, the values a select, radio or checkbox offers)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


@dataclass
class Field:
    name: str
    kind: str  # an <input> type, "select", "select-multiple" or "textarea"
    options: list = field(default_factory=list)
    value: str = ""


@dataclass
class Form:
    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name -> Field

    def signature(self) -> tuple:
        return (self.method, self.action, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = (a.get("action") or self.page_url).split("#")[0]
            self.form = Form(method=(a.get("method") or "get").lower(), action=action)
            self.forms.append(self.form)
        elif self.form is None or not a.get("name"):
            if tag == "option" and self.select is not None:
                self.select.options.append(a.get("value", ""))
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            existing = self.form.fields.get(a["name"])
            if existing is not None and kind in ("radio", "checkbox"):
                existing.options.append(a.get("value", "on"))
            else:
                self.form.fields[a["name"]] = Field(
                    a["name"], kind, options=[a.get("value", "on")], value=a.get("value", "")
                )
        elif tag == "textarea":
            self.form.fields[a["name"]] = Field(a["name"], "textarea")
        elif tag == "select":
            kind = "select-multiple" if "multiple" in a else "select"
            self.select = self.form.fields[a["name"]] = Field(a["name"], kind)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def forms_of(html: str, page_url: str) -> list[Form]:
    """The forms of `html` (rendered at `page_url`), relative actions resolved to paths."""
    parser = _FormParser(page_url)
    parser.feed(html)
    for form in parser.forms:
        if not form.action.startswith("/"):
            form.action = page_url.split("?")[0]
    return parser.forms
