"""Electronic licences and result documents (电子证照): issue, verify (public), a holder's valid licences,
and filling materials from them (免提交) only with the holder's consent, recorded per application."""

import secrets
from datetime import date

import segno
from django.urls import reverse
from django.utils import timezone

from smartcounty.domains.services.models import Consent, Licence, SubmittedMaterial
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import audit, events, masking

#: Verification codes: 12 characters without look-alikes (0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_verify_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _issue(app, *, actor=None, today: date | None = None) -> Licence | None:
    """The licence of an approved application whose item issues one (None for a document-only item)."""
    item = app.item
    if not item.licence_type:
        return None
    today = today or timezone.localdate()
    org = accounts.organisation_by_id(app.organisation_id) if app.organisation_id else None
    lic = Licence.objects.create(
        number=f"tmp-{secrets.token_hex(8)}", licence_type=item.licence_type, item=item, application=app,
        holder_id=app.applicant_id, holder_name=app.applicant_name, holder_id_number=app.applicant_id_number,
        issuer_id=app.organisation_id, issuer_name=org.name if org else "", issued_on=today,
        valid_until=_add_years(today, item.licence_years) if item.licence_years else None,
        verify_code=new_verify_code())
    lic.number = f"371525{today:%Y}{item.item_type}{lic.pk:08d}"
    Licence.objects.filter(pk=lic.pk).update(number=lic.number)
    audit.record("services.licence_issued", actor=actor, obj=lic,
                 detail={"number": lic.number, "type": lic.licence_type, "application": app.number})
    events.publish("services.licence_issued", {"id": lic.pk, "number": lic.number, "type": lic.licence_type,
                                               "application_id": app.pk})
    return lic


def is_valid(lic: Licence, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return not lic.revoked and (lic.valid_until is None or lic.valid_until >= today)


def status_of(lic: Licence, today: date | None = None) -> str:
    if lic.revoked:
        return "revoked"
    return "valid" if is_valid(lic, today) else "expired"


STATUS_NAMES = {"valid": "有效", "expired": "已过期", "revoked": "已注销"}


def verify_path(code: str) -> str:
    return reverse("services:verify_code", args=[code])


def qr_svg(url: str) -> str:
    """An inline SVG QR code of the verification address (segno; nothing loaded from anywhere)."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2)


def public_view(code: str) -> dict | None:
    """What anyone with the verification code reads: the licence with the holder's name and ID masked."""
    lic = Licence.objects.filter(verify_code=(code or "").strip().upper()[:CODE_LENGTH]).first()
    if lic is None:
        return None
    st = status_of(lic)
    return {"number": lic.number, "licence_type": lic.licence_type, "holder": masking.mask_name(lic.holder_name),
            "holder_id_number": masking.mask_id_number(lic.holder_id_number) if lic.holder_id_number else "",
            "issuer": lic.issuer_name, "issued_on": lic.issued_on, "valid_until": lic.valid_until, "status": st,
            "status_name": STATUS_NAMES[st], "verify_code": lic.verify_code}


def licence_out(lic: Licence) -> dict:
    st = status_of(lic)
    return {"id": lic.pk, "number": lic.number, "licence_type": lic.licence_type, "holder": lic.holder_name,
            "issuer": lic.issuer_name, "issued_on": lic.issued_on, "valid_until": lic.valid_until, "status": st,
            "status_name": STATUS_NAMES[st], "verify_code": lic.verify_code, "verify_path": verify_path(lic.verify_code)}


def licences_of(holder_id: int) -> list[dict]:
    return [licence_out(lic) for lic in Licence.objects.filter(holder_id=holder_id).order_by("-issued_on", "-id")[:200]]


def _valid_licence(*, holder_id: int | None, id_number: str, licence_type: str) -> Licence | None:
    """The holder's newest valid licence of a type (by account, or by ID number for a window applicant)."""
    if holder_id is None and not id_number:
        return None
    qs = Licence.objects.filter(licence_type=licence_type, revoked=False)
    qs = qs.filter(holder_id=holder_id) if holder_id is not None else qs.filter(holder_id_number=id_number)
    today = timezone.localdate()
    for lic in qs.order_by("-issued_on", "-id")[:5]:
        if is_valid(lic, today):
            return lic
    return None


def fill_from_licences(app, materials, *, consent: bool, now) -> list[str]:
    """For each material a platform licence may stand in for, use the holder's valid licence (免提交) — only
    when he consented, recorded as a ``Consent`` per licence used. Returns the names of the filled materials."""
    if not consent:
        return []
    filled, rows, consents = [], [], []
    for m in materials:
        if not m.licence_type:
            continue
        lic = _valid_licence(holder_id=app.applicant_id, id_number=app.applicant_id_number,
                            licence_type=m.licence_type)
        if lic is None:
            continue
        consents.append(Consent(holder_id=app.applicant_id or 0, application=app, licence=lic, given_at=now))
        rows.append(SubmittedMaterial(application=app, material=m, name=m.name, source="licence", licence=lic,
                                      file_name=lic.number, supplied_at=now))
        filled.append(m.name)
    Consent.objects.bulk_create(consents)
    SubmittedMaterial.objects.bulk_create(rows)
    if consents:
        audit.record("services.licence_reused", obj=app,
                     detail={"application": app.number, "licences": [c.licence.number for c in consents]})
    return filled
