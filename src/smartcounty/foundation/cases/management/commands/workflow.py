"""Import, export, check and publish workflow definitions: ``smartcounty workflow import FILE [--publish]``,
``workflow export KEY [--format json] [--number N]``, ``workflow check FILE``, ``workflow publish KEY``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartcounty.foundation.cases.models import WorkflowDefinition
from smartcounty.foundation.cases.workflow import document, store
from smartcounty.foundation.cases.workflow.problems import DefinitionInvalid


class Command(BaseCommand):
    help = "Import, export, check and publish workflow definitions (YAML or JSON)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("import", "export", "check", "publish", "list"))
        parser.add_argument("target", nargs="?", default="", help="a file (import, check) or a key")
        parser.add_argument("--publish", action="store_true", help="publish on import")
        parser.add_argument("--format", choices=("yaml", "json"), default="yaml")
        parser.add_argument("--number", type=int, default=None, dest="number")

    def handle(self, action, target, **opts):
        try:
            if action in ("import", "check"):
                text = Path(target).read_text(encoding="utf-8")
                if action == "check":
                    problems = store.check(document.parse(text))
                    if problems:
                        raise DefinitionInvalid(problems)
                    self.stdout.write("ok")
                    return
                definition = store.import_text(text, publish_it=opts["publish"])
                self.stdout.write(f"{definition.key}")
            elif action == "export":
                self.stdout.write(store.export_text(target, opts["format"], version=opts["number"]), ending="")
            elif action == "publish":
                self.stdout.write(f"{target} v{store.publish(target).number}")
            else:
                for d in WorkflowDefinition.objects.order_by("key"):
                    versions = store.versions_in_use(d)
                    self.stdout.write(f"{d.key}\t{d.title}\t" + " ".join(f"v{v['number']}:{v['cases']}"
                                                                          for v in versions))
        except DefinitionInvalid as exc:
            raise CommandError("\n".join(f"{p.path}: {p.message}" for p in exc.problems)) from None
        except (OSError, WorkflowDefinition.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None
