"""The API's JSON parser: DRF's, with a nesting depth limit. Python's parser recurses once per
level, so a body of nested brackets within the size limit ended in a RecursionError (a 500);
Partner Center's request bodies nest a few levels at most."""

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
    return json.loads(text, parse_constant=_refuse_constant)


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
