from django.db import OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from core.validators import CONTROL_CHARACTERS, CONTROL_MESSAGE, has_control_characters


class DatabaseUnavailableMiddleware:
    """When PostgreSQL cannot be reached, answer 503 with a clear page instead of a 500.

    Nothing is half-written: every change runs in one transaction that the failure rolls back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except OperationalError:
            for conn in connections.all():
                conn.close_if_unusable_or_obsolete()
            return self.unavailable(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError):
            return self.unavailable(request)
        return None

    @staticmethod
    def unavailable(request):
        """The 503 page; for the API, Partner Center's error body (AP-1)."""
        if request.path.lower().startswith("/v1/"):
            from api.exceptions import error_body

            message = "The service is temporarily unavailable. Retry after 30 seconds."
            response = JsonResponse(error_body("service_unavailable", message), status=503)
            response["Retry-After"] = "30"
            return response
        html = render_to_string("503.html")
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response


class QueryStringControlCharactersMiddleware:
    """Refuse a query string holding a control character (NUL, a line break, ...) with a 400
    that says so, before any view passes it to a query: search boxes, filters and page numbers
    never need one. The APIs answer with their error bodies (AP-1; Graph's under /graph/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = next(
            (
                name
                for name, values in request.GET.lists()
                if has_control_characters(name)
                or any(has_control_characters(value) for value in values)
            ),
            None,
        )
        if bad is None:
            return self.get_response(request)
        message = f"The address's “{_printable(bad)}” parameter contains a control character."
        if request.path.startswith(("/v1/", "/webhooks/v1/")):
            from api.exceptions import error_body

            data = [{"field": _printable(bad), "message": CONTROL_MESSAGE}]
            return JsonResponse(error_body("invalid_input", message, data), status=400)
        if request.path.startswith("/graph/"):
            from graph.odata import error_body as graph_error_body

            return JsonResponse(graph_error_body(request, 400, message), status=400)
        return render(request, "400.html", {"message": message}, status=400)


def _printable(text: str) -> str:
    return CONTROL_CHARACTERS.sub("?", text)[:50]
