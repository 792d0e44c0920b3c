from django.core.management.base import BaseCommand
from django.db import connection

from demo import world


class Command(BaseCommand):
    help = "Build the deterministic demo world (idempotent: a re-run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=20, help="Customers of Contoso Cloud.")
        parser.add_argument(
            "--subscriptions", type=int, default=3, help="Subscriptions per customer."
        )
        parser.add_argument(
            "--print-password", action="store_true", help="Print the demo password and exit."
        )

    def handle(self, *args, customers, subscriptions, print_password, **options):
        if print_password:
            self.stdout.write(world.DEMO_PASSWORD)
            return
        if customers < 0 or subscriptions < 1:
            self.stderr.write("--customers must be ≥ 0 and --subscriptions ≥ 1.")
            raise SystemExit(2)
        built = world.build(customers=customers, subscriptions=subscriptions)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after a bulk load: good query plans
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo world ready: {built.contoso}, {built.fabrikam}, {built.northwind}, "
                f"{len(built.customers)} customers. Demo password: {world.DEMO_PASSWORD}"
            )
        )
