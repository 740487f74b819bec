from django.core.management.base import BaseCommand, CommandError

from smartcounty.kernel.contract import check_project


class Command(BaseCommand):
    help = ("Check every module against the module contract (labels, names, import boundaries, plain-data services, "
            "no lookups through another module's fields, no ORM in api.py, no import circles).")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="also list the known violations still waiting in kernel/contract_todo.py")

    def handle(self, *args, **options):
        everything = check_project(with_todo=True)
        violations = check_project()
        if options["all"]:
            for v in everything:
                if v not in violations:
                    self.stdout.write(f"(todo) {v}")
        for v in violations:
            self.stderr.write(str(v))
        if violations:
            raise CommandError(f"{len(violations)} contract violation(s)")
        left = len(everything) - len(violations)
        note = f" ({left} known, listed in kernel/contract_todo.py)" if left else ""
        self.stdout.write(self.style.SUCCESS(f"module contract: all modules comply{note}"))
