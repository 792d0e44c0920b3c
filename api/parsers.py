"""The API's JSON parser: DRF's, with a nesting depth limit, read as leniently as Partner
Center's own (JSON.NET) reader. Python's parser recurses once per level, so a body of nested
brackets within the size limit ended in a RecursionError (a 500); Partner Center's request
bodies nest a few levels at most.

Microsoft's documented sample bodies, which clients copy, are not all strict JSON: "Create a
customer" and "Create a new commerce migration" print trailing commas (`"Domain": "x",}`) and
"Change the quantity of a subscription" a `// original value = 10` comment
(https://learn.microsoft.com/en-us/partner-center/developer/create-a-customer,
https://learn.microsoft.com/en-us/partner-center/developer/create-migration,
https://learn.microsoft.com/en-us/partner-center/developer/change-the-quantity-of-a-subscription).
JSON.NET, which Partner Center reads them with, accepts both, so `loads` does too."""

import json

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

DEFAULT_MAX_DEPTH = 32


def max_depth() -> int:
    return getattr(settings, "API_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH)


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON `text` (brackets inside strings don't
    count), without recursing."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads(text: str):
    """`json.loads` for text from a client: ValueError for invalid JSON, for NaN/Infinity and
    for nesting deeper than `max_depth()`."""
    limit = max_depth()
    if nesting_depth(text) > limit:
        raise ValueError(f"The JSON nests deeper than {limit} levels.")
    return json.loads(json_net_text(text), parse_constant=_refuse_constant)


def json_net_text(text: str) -> str:
    """`text` without what JSON.NET tolerates and strict JSON does not: `//` and `/* */`
    comments, a trailing comma before `}` or `]`, and Unicode spaces between tokens (strings
    untouched). One pass, no
    recursion; anything else stays for json.loads to judge."""
    if text.isascii() and "/" not in text and "," not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    pending_comma = -1  # index in `out` of a comma that a closing bracket would make trailing
    last = ""  # the last character that is neither white space nor in a comment
    while i < n:
        char = text[i]
        if char == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            pending_comma, last = -1, '"'
            i = end
            continue
        if char == "/" and text.startswith("//", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if char == "/" and text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
            continue
        if char in "}]" and pending_comma >= 0:
            out[pending_comma] = ""
        if char == ",":
            # Only a comma after a value can trail; `[,]` and `{"a": 1,,}` stay invalid.
            pending_comma = len(out) if last not in ("", "[", "{", ",", ":") else -1
        elif not char.isspace():
            pending_comma = -1
        if not char.isspace():
            last = char
        elif not char.isascii():
            char = " "  # JSON.NET skips any Unicode space (the migration sample has U+202F)
        out.append(char)
        i += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """The index just past the JSON string that opens at `start` (or the end of `text`)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return len(text)


class BoundedJSONParser(JSONParser):
    """JSON bodies nested at most `settings.API_MAX_JSON_DEPTH` levels (400 beyond)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise exceptions.ParseError(f"The request body is not valid {encoding}.") from error
        try:
            return loads(text)
        except ValueError as error:
            raise exceptions.ParseError(f"The request body is not valid JSON: {error}") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")
