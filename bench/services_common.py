"""Shared set-up of the services benchmarks: a fresh database (SQLite in a temporary data directory, or the
PostgreSQL database of DATABASE_URL, its schema dropped and migrated), the plan's organisations and the demo
catalogue."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def setup(database: str):
    os.environ["SMARTCOUNTY_DATA_DIR"] = tempfile.mkdtemp(prefix="sc-bench-services-")
    if database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("--database postgres needs DATABASE_URL=postgres://… (a database of its own: its schema is dropped)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        from django.db.utils import OperationalError

        try:
            connection.ensure_connection()
        except OperationalError:  # the benchmark's own database does not exist yet: create it
            import psycopg

            params = connection.get_connection_params()
            name = connection.settings_dict["NAME"]
            params.update(dbname="postgres", autocommit=True)
            params.pop("cursor_factory", None)
            params.pop("context", None)
            with psycopg.connect(**params) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    from smartcounty.domains.services import demo
    from smartcounty.foundation.accounts import services as accounts

    accounts.ensure_plan_organisations()
    demo.load_catalogue()
    return connection.vendor


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
