"""The consent a person gave each client: recorded at the consent page, shown and withdrawn on the
profile page. Withdrawing it revokes the client's tokens for that person; a sensitive claim (phone,
ID number) is given only while the consent holds its scope."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from smartcounty.foundation.accounts.models import OidcConsent
from smartcounty.foundation.accounts.oidc.scopes import all_scopes
from smartcounty.kernel import audit


@dataclass(frozen=True)
class ConsentOut:
    id: int
    client: str
    scopes: list[str]
    scope_titles: list[str]
    granted_at: datetime


def granted(user_id: int, client_id: int) -> set[str]:
    """The scopes the person's active consent to this client holds (empty without one)."""
    return decided(user_id, client_id)[0]


def decided(user_id: int, client_id: int) -> tuple[set[str], set[str]]:
    """(allowed, declined) scopes of the person's active consent to this client (both empty without one)."""
    row = OidcConsent.objects.filter(user_id=user_id, client_id=client_id, revoked_at__isnull=True).first()
    return (set(row.scopes), set(row.declined)) if row else (set(), set())


def record(user, client, allowed, declined=()) -> None:
    """Add what the person allowed and declined now to their consent to this client; audited."""
    held, refused = decided(user.pk, client.pk)
    allowed = held | set(allowed)
    declined = (refused | set(declined)) - set(allowed)
    with transaction.atomic():
        OidcConsent.objects.update_or_create(user=user, client=client, defaults={
            "scopes": sorted(allowed), "declined": sorted(declined), "granted_at": timezone.now(), "revoked_at": None})
        audit.record("accounts.oidc_consent", actor=user, obj=client,
                     detail={"user": user.username, "client": client.client_id, "scopes": sorted(allowed),
                             "declined": sorted(declined)})


def of_user(user_id: int) -> list[ConsentOut]:
    titles = all_scopes()
    rows = OidcConsent.objects.filter(user_id=user_id, revoked_at__isnull=True).select_related("client")
    return [ConsentOut(id=r.pk, client=r.client.name or r.client.client_id, scopes=list(r.scopes),
                       scope_titles=[str(titles.get(s, s)) for s in r.scopes], granted_at=r.granted_at)
            for r in rows[:100]]


def withdraw(user, consent_id: int) -> bool:
    """Withdraw one's own consent and revoke the client's tokens for oneself; False if there is none."""
    with transaction.atomic():
        row = OidcConsent.objects.filter(pk=consent_id, user=user, revoked_at__isnull=True).select_related("client").first()
        if row is None:
            return False
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        revoke_tokens(user, row.client)
        audit.record("accounts.oidc_consent_withdraw", actor=user, obj=row.client,
                     detail={"user": user.username, "client": row.client.client_id, "scopes": row.scopes})
    return True


def revoke_tokens(user, client) -> None:
    AccessToken, RefreshToken = get_access_token_model(), get_refresh_token_model()
    for rt in RefreshToken.objects.filter(user=user, application=client, revoked__isnull=True):
        rt.revoke()
    for at in AccessToken.objects.filter(user=user, application=client):
        at.revoke()
