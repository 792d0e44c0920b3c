"""Hypothesis strategies for the values of each kind of form field, the run's seed and its
profile.

FUZZ_SEED=<n> replays a run (every fuzz test prints its seed); FUZZ_PROFILE=long runs many
more examples than `make test`'s "ci" profile.
"""

import os
import random
import string

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))
PROFILE = os.environ.get("FUZZ_PROFILE", "ci")
# Random examples per form and per page, besides the explicit ones.
EXAMPLES = {"ci": 2, "long": 40}[PROFILE]
PAGE_EXAMPLES = {"ci": 1, "long": 20}[PROFILE]

settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)


def replay_hint() -> str:
    return f"fuzz seed {SEED} (replay: FUZZ_SEED={SEED} FUZZ_PROFILE={PROFILE})"


# Inputs that once answered a 500, and their relatives.
NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "line\nbreak",
    "tab\there",
    "\r\nBcc: x@example.com",
    "\u2028",
    "²",
    "١٢",
    "ﬃ" * 101,
    "İ" * 201,
    "ß" * 130,
    "x" * 5000,
    "9" * 40,
    "-1",
    "0",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "\ud7ff\ue000\U0010ffff",
]
NASTY_NUMBERS = ["0", "-1", "1", "2147483648", "9223372036854775808", "9" * 40, "²", "1_000"]
NASTY_DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01", "2026-02-30", "today"]

text = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=60),
    st.text(alphabet=string.printable, max_size=300),
)
number = st.one_of(
    st.sampled_from(NASTY_NUMBERS), st.integers().map(str), st.integers(-10, 1000).map(str)
)
date = st.one_of(st.sampled_from(NASTY_DATES), st.dates().map(lambda d: d.isoformat()))
datetime_local = st.one_of(
    st.sampled_from([d + "T23:59" for d in NASTY_DATES]),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
)
email = st.one_of(
    st.emails().map(str),
    st.sampled_from(["İ" * 250 + "@example.com", "a@" + "b" * 300 + ".example", "a\n@b.c"]),
)


def for_field(field) -> st.SearchStrategy:
    """The values a user (or an attacker) might send for `field` (htmlforms.Field)."""
    kind = field.kind
    if kind in ("select", "radio"):
        return st.one_of(st.sampled_from(field.options or [""]), text)
    if kind in ("select-multiple", "checkbox"):
        return st.one_of(
            st.lists(st.sampled_from(field.options or ["on"]), max_size=3, unique=True),
            st.lists(text, max_size=2),
        )
    if kind == "number":
        return number
    if kind == "date":
        return date
    if kind == "datetime-local":
        return datetime_local
    if kind == "email":
        return email
    if kind == "hidden":
        return st.one_of(st.just(field.value), text, number)
    return text


def values_for(fields: dict) -> st.SearchStrategy:
    """A POST body for the fields: each field's value, or the field left out."""
    return st.fixed_dictionaries({}, optional={name: for_field(f) for name, f in fields.items()})


# Per field kind, the value most likely to break a parser or a column (see explicit_examples).
EXTREME_BY_KIND = {
    "number": "9" * 40,
    "date": "9999-12-31",
    "datetime-local": "9999-12-31T23:59",
    "email": "İ" * 250 + "@example.com",
}
CHOICE_KINDS = {"select", "radio", "select-multiple", "checkbox"}


def explicit_examples(fields: dict) -> list[dict]:
    """The examples every form and page gets whatever the seed: every field NUL, every field
    a digit that isn't ASCII ("²"), and every field the extreme value of its kind (a date in
    year 9999, a 40-digit number, a name that outgrows its column once case-changed) with a
    valid choice in each choice field, so that the form gets as far as using them."""
    return [
        {name: "\x00" for name in fields},
        {name: "²" for name in fields},
        {name: _extreme(f) for name, f in fields.items()},
    ]


def _extreme(field):
    if field.kind in CHOICE_KINDS:
        valid = [option for option in field.options if option] or [""]
        return valid[-1] if field.kind in ("select", "radio") else valid[-1:]
    return EXTREME_BY_KIND.get(field.kind, "İ" * 300)
