from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.exceptions import RuleViolation
from core.progress import Progress
from demo import services, stages, trainees, world
from demo.exceptions import StageError


class Command(BaseCommand):
    help = (
        "Build the deterministic demo world (idempotent: a re-run changes nothing); with "
        "--stage, bring it to that point of the transition journey through the services."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=20, help="Customers of Contoso Cloud.")
        parser.add_argument(
            "--subscriptions", type=int, default=3, help="Subscriptions per customer."
        )
        parser.add_argument(
            "--stage",
            choices=stages.NAMES,
            help="Land the demo world at this stage of the journey (README, rehearsal steps).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="With --stage: erase the portal's data and rebuild the demo world at the stage.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Don't ask before erasing (with --reset).",
        )
        parser.add_argument(
            "--trainees",
            type=int,
            metavar="N",
            help="Make sure a class of N trainee partners exists (trainee01@contoso.example …), "
            "each a copy of Contoso's world sharing the providers; a re-run adds only the "
            "missing ones.",
        )
        parser.add_argument(
            "--print-password", action="store_true", help="Print the demo password and exit."
        )

    def handle(
        self,
        *args,
        customers,
        subscriptions,
        stage,
        reset,
        interactive,
        print_password,
        trainees=None,
        **options,
    ):
        if print_password:
            self.stdout.write(world.DEMO_PASSWORD)
            return
        if customers < 0 or subscriptions < 1:
            self.stderr.write("--customers must be ≥ 0 and --subscriptions ≥ 1.")
            raise SystemExit(2)
        if reset and not stage:
            raise CommandError("--reset rebuilds the demo world at a stage: give --stage too.")
        if trainees is not None:
            if stage or reset:
                raise CommandError(
                    "--trainees builds the class; reset one trainee to a stage on the staff "
                    "Rehearsals board."
                )
            self._trainees(trainees, customers=customers, subscriptions=subscriptions)
            return
        if stage:
            self._to_stage(
                stage, reset, interactive, customers=customers, subscriptions=subscriptions
            )
        else:
            bar = Progress(
                "Seeding customers",
                customers,
                stream=self.stderr._out,  # raw: Django's wrapper would end every redraw
                quiet=options.get("verbosity", 1) < 1,
            )
            built = world.build(
                customers=customers, subscriptions=subscriptions, progress=bar.advance
            )
            bar.close()
            self._analyze()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo world ready: {built.contoso}, {built.fabrikam}, {built.northwind}, "
                    f"{customers} customers. Demo password: {world.DEMO_PASSWORD}"
                )
            )

    def _trainees(self, count, **size):
        try:
            partners = services.demo_trainees_seed(actor=None, count=count, **size)
        except RuleViolation as refusal:
            raise CommandError(str(refusal)) from None
        self._analyze()
        for partner in partners:
            number = trainees.number_of(partner)
            self.stdout.write(f"{trainees.key(number)}: {trainees.login_email(number)} ({partner})")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(partners)} trainees ready, sharing Fabrikam and Northwind. "
                f"Demo password: {world.DEMO_PASSWORD}"
            )
        )

    def _to_stage(self, stage, reset, interactive, **size):
        try:
            if reset:
                self._confirm_erase(interactive)
                stages.reset_to(stage, **size)
            else:
                stages.advance_to(stage, **size)
        except StageError as error:
            raise CommandError(str(error)) from None
        self._analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo world at stage {stage!r}: {stages.STAGES[stages.index_of(stage)].does} "
                f"Demo password: {world.DEMO_PASSWORD}"
            )
        )

    def _confirm_erase(self, interactive):
        if not interactive:
            return
        answer = input(
            "This erases every partner, customer, user (staff without an organisation are kept), "
            "audit event and session in the database, then rebuilds the demo world.\n"
            "Type 'yes' to continue: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError("Reset cancelled; nothing changed.")

    def _analyze(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after a bulk load: good query plans
