"""Attachments: only photos, PDF and plain documents, checked by their first bytes, at most 10 MB."""

from django.db import transaction
from django.utils import timezone

from smartcounty.foundation.cases.models import Attachment, Case, CaseEvent
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_CASE = 20
# content type -> (extensions, magic-number test)
ALLOWED = {
    "image/jpeg": ((".jpg", ".jpeg"), lambda b: b[:3] == b"\xff\xd8\xff"),
    "image/png": ((".png",), lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
    "image/webp": ((".webp",), lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    "application/pdf": ((".pdf",), lambda b: b[:5] == b"%PDF-"),
}


def sniff(head: bytes, name: str) -> str | None:
    """The content type of a file from its first bytes, if it is allowed and its name agrees."""
    lower = name.lower()
    for ctype, (exts, test) in ALLOWED.items():
        if test(head):
            return ctype if lower.endswith(exts) else None
    return None


def add_attachment(case_id: int, upload, *, actor, now=None) -> Attachment:
    """Store an uploaded file (a Django ``UploadedFile``) on a case, after checking its type and size."""
    now = now or timezone.now()
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:120]
    size = upload.size
    if size > MAX_BYTES:
        raise ApiError(413, "file-too-large", f"files may be at most {MAX_BYTES // (1024 * 1024)} MB", field="file")
    if size == 0:
        raise ApiError(422, "invalid", "the file is empty", field="file")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ctype = sniff(head, name)
    if ctype is None:
        raise ApiError(415, "file-type", "only JPEG, PNG, WebP photos and PDF documents are accepted", field="file")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        if case.attachments.count() >= MAX_PER_CASE:
            raise ApiError(409, "conflict", f"a case holds at most {MAX_PER_CASE} files")
        att = Attachment(case=case, name=name, content_type=ctype, size=size, uploaded_by=actor, uploaded_at=now)
        att.file.save(name, upload, save=False)
        att.save()
        CaseEvent.objects.create(case=case, at=now, action="attach", from_state=case.state, to_state=case.state,
                                 actor=actor, actor_name=str(actor) if actor else "system",
                                 organisation_id=getattr(actor, "organisation_id", None),
                                 note=name, data={"attachment": att.pk, "size": size, "type": ctype})
        audit.record("cases.attach", actor=actor, obj=att, detail={"case": case.number, "name": name, "size": size})
    return att
