"""What several relationships pages share: breadcrumbs, the link-problem page and ids."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.validators import parse_id

from ..exceptions import LinkProblem


def crumbs(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return list(pairs)


def link_problem(request: HttpRequest, error: LinkProblem) -> HttpResponse:
    """PV-3: a link that can't be used gets its own page (what is wrong with the link and what
    to do), not a refusal message on another page: there is no page to go back to."""
    return render(
        request,
        "relationships/link_problem.html",
        {"error": error, "title": error.title},
        status=error.http_status,
    )


def int_or_404(value: object) -> int:
    number = parse_id(value)
    if number is None:
        raise Http404("Not found.")
    return number
