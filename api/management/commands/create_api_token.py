"""`python manage.py create_api_token USERNAME [--name NAME]`: issue an API token for a partner
user (USERNAME is the user's email) and print it — the only time it is shown."""

from django.core.management.base import BaseCommand, CommandError

from api import services
from core.exceptions import RuleViolation
from core.models import User


class Command(BaseCommand):
    help = "Create an API token for a partner user and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The partner user's email address.")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument(
            "--days", type=int, default=None, help="Days until it expires (0: never)."
        )

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(email__iexact=username.strip()).select_related("partner").first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            _token, raw = services.api_token_create(actor=None, user=user, name=name, days=days)
        except RuleViolation as error:
            raise CommandError(str(error)) from error
        self.stdout.write(raw)
