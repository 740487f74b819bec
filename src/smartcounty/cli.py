"""The ``smartcounty`` command: every Django management command, plus ours.

``smartcounty migrate``, ``smartcounty runserver``, ``smartcounty demo``, ``smartcounty audit verify``...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "smartcounty"
    # Django command names cannot hold "-": accept the dashed spelling of ours (ingest-mqtt, ...).
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
