from django.db import OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string


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
            return self.unavailable()

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError):
            return self.unavailable()
        return None

    @staticmethod
    def unavailable():
        html = render_to_string("503.html")
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response
