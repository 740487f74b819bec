from django.core.management.base import BaseCommand, CommandError

from smartcounty.kernel.contract import check_project


class Command(BaseCommand):
    help = "Check every module against the module contract (labels, names, import boundaries)."

    def handle(self, *args, **options):
        violations = check_project()
        for v in violations:
            self.stderr.write(str(v))
        if violations:
            raise CommandError(f"{len(violations)} contract violation(s)")
        self.stdout.write(self.style.SUCCESS("module contract: all modules comply"))
