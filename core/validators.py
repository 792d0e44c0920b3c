"""Input checks at the edge, shared by every form, page and API field: no input reaches a query,
a column or an email header that it could break (never a 500 on bad input).

- Text: NUL and other control characters are refused with a clear message; single-line
  fields (names, titles, search boxes) refuse line breaks too, multi-line fields allow them.
- Numbers and ids: ASCII digits only (`"²".isdigit()` is true but `int("²")` fails) and within
  the column's range (a PostgreSQL bigint).
- Dates: between DATE_MIN and DATE_MAX, so that a day's end and every deadline computed from
  it stay representable.
- Lengths: checked after the normalisation the value gets before it is stored (`"ﬃ".upper()`
  is three letters, `"İ".lower()` two).
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

# C0 controls and DEL, the C1 controls, and Unicode's line and paragraph separators.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, except the tab and the line breaks a multi-line text may hold.
MULTILINE_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ASCII_DIGITS = re.compile(r"[0-9]{1,19}")

EMAIL_MAX_LENGTH = 254  # models.EmailField's column
BIGINT_MAX = 2**63 - 1  # ids (BigAutoField) and bigint columns
INTEGER_MAX = 2**31 - 1  # integer columns
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2999, 12, 31)

CONTROL_MESSAGE = (
    "This text contains a control character (such as a line break, tab or NUL), which isn't "
    "allowed here. Remove it and try again."
)
MULTILINE_CONTROL_MESSAGE = (
    "This text contains a control character (such as NUL), which isn't allowed. Remove it and "
    "try again."
)
DATE_RANGE_MESSAGE = f"Enter a date between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}."


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    pattern = MULTILINE_CONTROL_CHARACTERS if multiline else CONTROL_CHARACTERS
    return bool(pattern.search(value))


def single_line(value) -> None:
    """Validator: refuse control characters, line breaks included (names, titles, ids)."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


def multi_line(value) -> None:
    """Validator: refuse control characters other than tab and line breaks (messages)."""
    if isinstance(value, str) and has_control_characters(value, multiline=True):
        raise ValidationError(MULTILINE_CONTROL_MESSAGE, code="control_characters")


class FitsWhenCaseChanged:
    """Validator: the value still fits `max_length` characters once lower- or upper-cased, as
    domains, emails and country codes are before they are stored."""

    def __init__(self, max_length: int):
        self.max_length = max_length

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        if max(len(value.lower()), len(value.upper())) > self.max_length:
            raise ValidationError(
                f"Ensure this value has at most {self.max_length} characters (it has more once "
                "written in lower or upper case).",
                code="max_length",
            )


def in_date_range(value) -> None:
    """Validator: refuse a date outside DATE_MIN..DATE_MAX."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(day, datetime.date) and not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range")


def parse_int(value, *, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """`value` as an int if it is ASCII digits (no sign, no spaces, no `_`) within
    minimum..maximum; else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and ASCII_DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """A primary key from a URL, query string or form value: a positive bigint, or None."""
    return parse_int(value, minimum=1)


def parse_ids(values) -> list[int]:
    """The valid primary keys among `values` (others are dropped)."""
    return [number for number in map(parse_id, values) if number is not None]


def ids_by_item(items) -> dict:
    """{item: primary key} for the bulk job items (strings) that are valid primary keys."""
    parsed = {item: parse_id(str(item)) for item in items}
    return {item: pk for item, pk in parsed.items() if pk is not None}


class PortalForm(forms.Form):
    """The base of every form of the portal: each text field refuses control characters
    (single-line fields line breaks too) and fits its length once case-changed, each date
    field stays in DATE_MIN..DATE_MAX and each whole-number field within an integer column's
    range, unless the field sets its own bounds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            harden(field)


def harden(field: forms.Field) -> None:
    """Add the edge checks of PortalForm to one form field."""
    if isinstance(field, forms.CharField):
        multiline = isinstance(field.widget, forms.Textarea)
        field.validators.append(multi_line if multiline else single_line)
        if isinstance(field, forms.EmailField) and field.max_length != EMAIL_MAX_LENGTH:
            field.max_length = EMAIL_MAX_LENGTH
            field.validators.append(MaxLengthValidator(EMAIL_MAX_LENGTH))
        if field.max_length is not None:
            field.validators.append(FitsWhenCaseChanged(field.max_length))
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(in_date_range)
    elif isinstance(field, forms.IntegerField):
        if field.max_value is None:
            field.validators.append(MaxValueValidator(INTEGER_MAX))
        if field.min_value is None:
            field.validators.append(MinValueValidator(-INTEGER_MAX))
