"""Backup and restore of one installation: its database and the files kept beside it, in one archive.

``smartcounty backup FILE`` writes a tar archive (gzip-compressed when the name ends in ``.gz``) holding:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the server runs) or
  ``database.pgdump`` (``pg_dump --format=custom``: one consistent snapshot of every table);
- ``files/``: what the data directory keeps beside the database (case attachments under ``media/``, the
  secret key, the audit chain's key and checkpoint file), copied after the database snapshot, so every file a
  row of the snapshot names is there (files are only ever added);
- ``manifest.json``: engine, time, the applied migrations, the row count of every table and a SHA-256 of every
  file, checked again on restore.

``smartcounty restore FILE`` puts an archive back into the configured database, which must be empty (a fresh
database, no tables), and the data directory, then compares every table's row count with the manifest. An
archive is restored by the engine it came from (SQLite into SQLite, PostgreSQL into PostgreSQL).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

#: What the data directory keeps beside the database (relative paths; missing ones are skipped).
KEPT = ("media", "secret_key", "audit.key", "audit-checkpoints.log")


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Summary:
    path: str
    engine: str
    tables: int
    rows: int
    files: int
    bytes: int


def table_counts() -> dict[str, int]:
    """Every table of the database and its row count."""
    with connection.cursor() as cur:
        names = sorted(connection.introspection.table_names(cur))
        counts = {}
        for name in names:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cur.fetchone()[0]
    return counts


def _migrations() -> list[str]:
    with connection.cursor() as cur:
        if "django_migrations" not in connection.introspection.table_names(cur):
            return []
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cur.fetchall()]


def _pg_env() -> dict:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


def _run(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (Debian package postgresql-client)")
    done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _kept_files(data_dir: Path) -> list[Path]:
    out = []
    for name in KEPT:
        p = data_dir / name
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file())
    return out


def backup(target: str, progress=lambda msg: None) -> Summary:
    """Write the archive to ``target`` (via a temporary file beside it: a failed backup leaves no archive)."""
    engine = connection.vendor
    if engine not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {engine} databases are not supported")
    data_dir = Path(settings.DATA_DIR)
    target_path = Path(target).resolve()
    with tempfile.TemporaryDirectory(prefix="sc-backup-") as tmp:
        tmp = Path(tmp)
        progress("database snapshot")
        if engine == "sqlite":
            db_file = tmp / "database.sqlite3"
            connection.ensure_connection()
            dest = sqlite3.connect(db_file)
            try:
                connection.connection.backup(dest)
            finally:
                dest.close()
            counts = _sqlite_counts(db_file)  # what the snapshot holds, not what the live database held a moment ago
        else:
            db_file = tmp / "database.pgdump"
            with transaction.atomic(), connection.cursor() as cur:
                # One snapshot for the row counts and the dump: the manifest says exactly what the dump holds.
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
                counts = table_counts()
                _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      f"--file={db_file}"])
        files = _kept_files(data_dir)
        manifest = {
            "format": 1, "engine": engine, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "migrations": _migrations(), "tables": counts,
            "database": {"name": db_file.name, "sha256": _sha256(db_file)},
            "files": {str(p.relative_to(data_dir)): _sha256(p) for p in files},
        }
        progress(f"archive: {len(counts)} tables, {len(files)} files")
        mode = "w:gz" if target_path.name.endswith(".gz") else "w"
        partial = target_path.with_name(target_path.name + ".partial")
        try:
            with tarfile.open(partial, mode) as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size, info.mtime = len(data), int(time.time())
                tar.addfile(info, io.BytesIO(data))
                tar.add(db_file, arcname=db_file.name)
                for p in files:
                    tar.add(p, arcname="files/" + str(p.relative_to(data_dir)))
            os.replace(partial, target_path)
        finally:
            partial.unlink(missing_ok=True)
    return Summary(str(target_path), engine, len(counts), sum(counts.values()), len(files),
                   target_path.stat().st_size)


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                          "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        db.close()


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        name = Path(m.name)
        if name.is_absolute() or ".." in name.parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"the archive holds an unsafe entry: {m.name}")
        members.append(m)
    return members


def restore(source: str, progress=lambda msg: None) -> Summary:
    """Restore an archive into the configured (empty) database and the data directory."""
    engine = connection.vendor
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix="sc-restore-") as tmp:
        tmp = Path(tmp)
        try:
            with tarfile.open(source) as tar:
                tar.extractall(tmp, members=_safe_members(tar), filter="data")
        except (OSError, tarfile.TarError) as e:
            raise BackupError(f"cannot read the archive {source}: {e}") from e
        try:
            manifest = json.loads((tmp / "manifest.json").read_text())
        except (OSError, ValueError) as e:
            raise BackupError("the archive has no readable manifest.json: not a smartcounty backup") from e
        if manifest.get("engine") != engine:
            raise BackupError(f"the archive is a {manifest.get('engine')} backup; this installation uses {engine}")
        db_file = tmp / manifest["database"]["name"]
        problems = [] if _sha256(db_file) == manifest["database"]["sha256"] else [db_file.name]
        problems += [n for n, h in manifest["files"].items() if _sha256(tmp / "files" / n) != h]
        if problems:
            raise BackupError(f"the archive is damaged (checksum mismatch): {', '.join(problems[:5])}")
        with connection.cursor() as cur:
            existing = connection.introspection.table_names(cur)
        if existing:
            raise BackupError(f"the database is not empty ({len(existing)} tables): restore into a fresh database")
        progress("database")
        if engine == "sqlite":
            connection.close()
            target = Path(settings.DATABASES["default"]["NAME"])
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(db_file, target)
        else:
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  f"--dbname={settings.DATABASES['default']['NAME']}", str(db_file)])
        progress(f"{len(manifest['files'])} files")
        for name in manifest["files"]:
            dest = data_dir / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(tmp / "files" / name, dest)
        connection.close()
        counts = table_counts()
        if counts != manifest["tables"]:
            differ = sorted(t for t in set(counts) | set(manifest["tables"])
                            if counts.get(t) != manifest["tables"].get(t))
            raise BackupError(f"restored, but these tables differ from the backup: {', '.join(differ[:10])}")
    return Summary(str(source), engine, len(counts), sum(counts.values()), len(manifest["files"]),
                   Path(source).stat().st_size)
