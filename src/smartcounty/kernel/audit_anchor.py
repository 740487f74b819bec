"""What anchors the audit chain outside the database: its HMAC key and its checkpoint file.

The key is ``SMARTCOUNTY_AUDIT_KEY``, or else a random key kept in ``SMARTCOUNTY_AUDIT_KEY_FILE``
(created 0600 on first use). Without it no one can recompute a valid hash for an edited row.

A checkpoint is one line appended to ``SMARTCOUNTY_AUDIT_CHECKPOINTS``: a row id, the time, and an
HMAC over both and that row's hash. Deleting the newest rows, or rewriting rows up to a checkpoint,
leaves a line that no longer matches the database. Checkpoints are written only for committed rows
(from ``transaction.on_commit``): every ``SMARTCOUNTY_AUDIT_CHECKPOINT_ROWS`` rows this process
committed, ``SMARTCOUNTY_AUDIT_CHECKPOINT_SECONDS`` after a row was committed (a one-shot timer), at
process exit, and after ``audit verify`` found the chain intact. Each pending checkpoint keeps the
file and key it was made under, so a later change of settings (as tests do) does not misdirect it.
"""

import atexit
import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings


@lru_cache(maxsize=8)
def _load_key(explicit: str, key_file: str) -> bytes:
    if explicit:
        return explicit.encode()
    path = Path(key_file)
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"the audit key file {path} is empty")
    return key.encode()


def key() -> bytes:
    return _load_key(settings.SMARTCOUNTY_AUDIT_KEY, settings.SMARTCOUNTY_AUDIT_KEY_FILE)


def mac(key_bytes: bytes, text: str) -> str:
    return hmac.new(key_bytes, text.encode(), hashlib.sha256).hexdigest()


def _line_mac(key_bytes: bytes, row_id: int, row_hash: str, at: str) -> str:
    return mac(key_bytes, f"checkpoint:{row_id}:{row_hash}:{at}")


def write_checkpoint(row_id: int, row_hash: str, *, path: str | None = None, key_bytes: bytes | None = None) -> None:
    path = path or settings.SMARTCOUNTY_AUDIT_CHECKPOINTS
    key_bytes = key_bytes or key()
    at = datetime.now(UTC).isoformat(timespec="seconds")
    line = json.dumps({"id": row_id, "at": at, "mac": _line_mac(key_bytes, row_id, row_hash, at)}) + "\n"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())  # one write to an O_APPEND file: lines of several processes never interleave
    finally:
        os.close(fd)


@dataclass
class Checkpoint:
    line: int
    id: int
    at: str
    mac: str

    def matches(self, key_bytes: bytes, row_hash: str) -> bool:
        return hmac.compare_digest(self.mac, _line_mac(key_bytes, self.id, row_hash, self.at))

    def __str__(self):
        return f"checkpoint line {self.line} (row {self.id}, {self.at})"


def read_checkpoints(path: str | None = None) -> tuple[list[Checkpoint], list[int]]:
    """The file's checkpoints, and the numbers of lines that are not checkpoints at all."""
    path = Path(path or settings.SMARTCOUNTY_AUDIT_CHECKPOINTS)
    if not path.exists():
        return [], []
    found, bad = [], []
    for n, text in enumerate(path.read_text().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            item = json.loads(text)
            found.append(Checkpoint(n, int(item["id"]), str(item["at"]), str(item["mac"])))
        except (ValueError, KeyError, TypeError):
            bad.append(n)
    return found, bad


class _Pending:
    """Rows this process committed since its last checkpoint (the newest is what the next one names)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.head = None  # (row id, hash, file, key)
        self.count = 0
        self.timer = None

    def committed(self, row_id: int, row_hash: str, path: str, key_bytes: bytes) -> None:
        with self.lock:
            if self.head is not None and self.head[2:] != (path, key_bytes):
                self._flush_locked()  # settings changed: the earlier rows' checkpoint goes where they belong
            if self.head is None or row_id > self.head[0]:
                self.head = (row_id, row_hash, path, key_bytes)
            self.count += 1
            if self.count >= settings.SMARTCOUNTY_AUDIT_CHECKPOINT_ROWS:
                self._flush_locked()
            elif self.timer is None:
                self.timer = threading.Timer(settings.SMARTCOUNTY_AUDIT_CHECKPOINT_SECONDS, self.flush)
                self.timer.daemon = True
                self.timer.start()

    def flush(self) -> None:
        with self.lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self.timer is not None:
            if self.timer is not threading.current_thread():
                self.timer.cancel()
            self.timer = None
        head, self.head, self.count = self.head, None, 0
        if head is not None:
            row_id, row_hash, path, key_bytes = head
            write_checkpoint(row_id, row_hash, path=path, key_bytes=key_bytes)


pending = _Pending()
atexit.register(pending.flush)


def after_commit(row_id: int, row_hash: str) -> None:
    """Note a committed row; called from ``transaction.on_commit``, so never for a rolled-back one."""
    pending.committed(row_id, row_hash, settings.SMARTCOUNTY_AUDIT_CHECKPOINTS, key())
