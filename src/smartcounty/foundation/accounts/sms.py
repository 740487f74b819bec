"""Text messages to a mobile number (sign-up codes), through the backend ``SMARTCOUNTY_SMS_BACKEND`` names.

Like Django's e-mail backends: ``console`` (the default: the message is written to the server's standard
error, so whoever runs the demo reads the code there), ``file`` (one JSON line per message appended to
``SMARTCOUNTY_SMS_FILE``, default ``<data dir>/sms-outbox.jsonl``), ``locmem`` (kept in ``outbox``, for
tests), or the dotted path of a callable ``send(phone, text)`` that hands it to the county's SMS gateway.
"""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

#: Messages sent with the ``locmem`` backend, oldest first: ``{"phone", "text"}``.
outbox: list[dict] = []


def _file_path() -> Path:
    path = getattr(settings, "SMARTCOUNTY_SMS_FILE", "") or Path(settings.DATA_DIR) / "sms-outbox.jsonl"
    return Path(path)


def send(phone: str, text: str) -> None:
    backend = getattr(settings, "SMARTCOUNTY_SMS_BACKEND", "console") or "console"
    if backend == "console":
        print(f"[SMS to {phone}] {text}", file=sys.stderr, flush=True)
    elif backend == "locmem":
        outbox.append({"phone": phone, "text": text})
    elif backend == "file":
        line = json.dumps({"phone": phone, "text": text, "at": timezone.now().isoformat()}, ensure_ascii=False)
        with _file_path().open("a", encoding="utf-8") as f:
            f.write(line + "\n")
    else:
        import_string(backend)(phone, text)
