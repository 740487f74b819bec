"""The RSA keys that sign ID tokens, kept in the database and rotated.

``current()`` is the newest active key (one is made on first use); ``published()`` every active key, for
the JWKS; ``rotate()`` makes a new key that signs from then on (the old ones stay published, so tokens
they signed still verify); ``retire(kid)`` stops publishing one; ``retire_superseded(older_than)``
retires every key replaced longer ago than that. Each change is audited."""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from jwcrypto import jwk

from smartcounty.foundation.accounts.models import OidcSigningKey
from smartcounty.kernel import audit

KEY_BITS = 2048


@dataclass(frozen=True)
class SigningKey:
    kid: str
    jwk: jwk.JWK
    created_at: object

    def public(self) -> dict:
        return {**json.loads(self.jwk.export_public()), "kid": self.kid, "alg": "RS256", "use": "sig"}


_cache: dict[str, SigningKey] = {}


def _load(row: OidcSigningKey) -> SigningKey:
    found = _cache.get(row.kid)
    if found is None:
        found = _cache[row.kid] = SigningKey(row.kid, jwk.JWK.from_pem(row.private_pem.encode()), row.created_at)
    return found


def rotate(*, actor=None) -> SigningKey:
    """Make a new signing key; it signs every ID token from now on."""
    key = jwk.JWK.generate(kty="RSA", size=KEY_BITS)
    kid = key.thumbprint()
    with transaction.atomic():
        row = OidcSigningKey.objects.create(kid=kid, private_pem=key.export_to_pem(private_key=True, password=None).decode(),
                                            created_at=timezone.now())
        audit.record("accounts.oidc_key_rotate", actor=actor, obj=row, detail={"kid": kid})
    return _load(row)


def current() -> SigningKey:
    """The newest active key (made now when there is none)."""
    row = OidcSigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id").first()
    return _load(row) if row else rotate()


def published() -> list[SigningKey]:
    """Every active key, newest first (the JWKS; the first key is made now when there is none)."""
    current()
    return [_load(r) for r in OidcSigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id")]


def by_kid(kid: str) -> SigningKey | None:
    row = OidcSigningKey.objects.filter(kid=kid, retired_at__isnull=True).first()
    return _load(row) if row else None


def retire(kid: str, *, actor=None) -> bool:
    """Stop publishing a key (tokens it signed no longer verify). The newest key cannot be retired: rotate first."""
    newest = OidcSigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id").first()
    with transaction.atomic():
        row = OidcSigningKey.objects.filter(kid=kid, retired_at__isnull=True).first()
        if row is None or (newest and row.pk == newest.pk):
            return False
        row.retired_at = timezone.now()
        row.save(update_fields=["retired_at"])
        audit.record("accounts.oidc_key_retire", actor=actor, obj=row, detail={"kid": kid})
    _cache.pop(kid, None)
    return True


def retire_superseded(older_than: timedelta, *, actor=None) -> list[str]:
    """Retire every key that a newer one replaced more than ``older_than`` ago; the kids retired."""
    rows = list(OidcSigningKey.objects.filter(retired_at__isnull=True).order_by("created_at", "id"))
    cutoff = timezone.now() - older_than
    done = []
    for row, successor in zip(rows, rows[1:], strict=False):
        if successor.created_at <= cutoff and retire(row.kid, actor=actor):
            done.append(row.kid)
    return done


def keys_list() -> list[dict]:
    """Every key (also retired ones) as plain facts, newest first."""
    return [{"kid": r.kid, "created_at": r.created_at, "retired_at": r.retired_at}
            for r in OidcSigningKey.objects.order_by("-created_at", "-id")]
