"""``smartcounty oidc_keys list|rotate|retire KID|prune --days N``: the OpenID Connect signing keys.

``rotate`` makes a new key that signs from then on (the old ones stay in the JWKS); ``prune`` retires the
keys replaced more than N days ago (default: twice the ID token lifetime, at least one day)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from smartcounty.foundation.accounts.oidc import keys


class Command(BaseCommand):
    help = "List, rotate or retire the OpenID Connect signing keys."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "rotate", "retire", "prune"])
        parser.add_argument("kid", nargs="?")
        parser.add_argument("--days", type=float, default=None)

    def handle(self, action, kid=None, days=None, **options):
        if action == "rotate":
            self.stdout.write(keys.rotate().kid)
        elif action == "retire":
            if not kid or not keys.retire(kid):
                raise CommandError("no such active key, or it is the newest one (rotate first)")
            self.stdout.write(f"retired {kid}")
        elif action == "prune":
            lifetime = settings.OAUTH2_PROVIDER["ID_TOKEN_EXPIRE_SECONDS"]
            grace = timedelta(days=days) if days is not None else max(timedelta(days=1), timedelta(seconds=2 * lifetime))
            for done in keys.retire_superseded(grace):
                self.stdout.write(f"retired {done}")
        for row in keys.keys_list() if action == "list" else ():
            state = f"retired {row['retired_at']:%Y-%m-%d %H:%M}" if row["retired_at"] else "active"
            self.stdout.write(f"{row['kid']}  {row['created_at']:%Y-%m-%d %H:%M}  {state}")
