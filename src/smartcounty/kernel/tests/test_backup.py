"""``smartcounty backup`` and ``restore``: a round trip into a fresh database gives back every row and file (on the
engine this run uses: SQLite, or PostgreSQL when DATABASE_URL names it), and bad restores change nothing."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid

import pytest

FILL = """
from django.conf import settings
from django.contrib.auth import get_user_model
from smartcounty.kernel import audit
user = get_user_model().objects.create_user("backup-test", role="platform_admin", kind="staff")
for i in range(30):
    audit.record("backup.test", actor=user, object_type="test", object_id=i, detail={"i": i, "名": "冠县"})
photo = settings.DATA_DIR / "media" / "cases" / "2026" / "12" / "photo.jpg"  # a case attachment
photo.parent.mkdir(parents=True)
photo.write_bytes(b"\\xff\\xd8 not really a photo")
"""

# Every table's rows, sorted, hashed: two databases with equal output hold the same data.
DIGEST = """
import hashlib, json
from django.db import connection
out = {}
with connection.cursor() as cur:
    for t in sorted(connection.introspection.table_names(cur)):
        cur.execute(f"SELECT * FROM {connection.ops.quote_name(t)}")
        rows = sorted(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)) for r in cur.fetchall())
        out[t] = hashlib.sha256("\\n".join(rows).encode()).hexdigest()
print("DIGEST", json.dumps(out))
"""


@pytest.fixture
def installation(tmp_path):
    """Makes fresh installations (a data dir and an empty database of the engine this run uses)."""
    url = os.environ.get("DATABASE_URL", "")
    made = []
    admin_url = url.rsplit("/", 1)[0] + "/postgres"  # the maintenance database: DATABASE_URL's may not exist

    def make(name):
        env = {k: v for k, v in os.environ.items() if k not in ("SMARTCOUNTY_EVENTS_INLINE",
                                                                 "SMARTCOUNTY_AUDIT_CHECKPOINTS")}
        env.update(SMARTCOUNTY_DATA_DIR=str(tmp_path / name), DJANGO_SETTINGS_MODULE="smartcounty.settings")
        if url.startswith("postgres"):
            import psycopg

            db = f"sc_backup_{name}_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{db}"')
            made.append(db)
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + db
        else:
            env.pop("DATABASE_URL", None)
        return env

    yield make
    if made:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            for db in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def sc(env, *args, check=True):
    done = subprocess.run([sys.executable, "-m", "smartcounty.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"smartcounty {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


def digest(env) -> dict:
    out = sc(env, "shell", "-c", DIGEST).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("DIGEST ")).split(" ", 1)[1])


def test_backup_then_restore_into_a_fresh_database_gives_back_every_row_and_file(installation, tmp_path):
    src = installation("src")
    sc(src, "migrate", "--noinput", "-v", "0")
    sc(src, "shell", "-c", FILL)
    sc(src, "audit", "verify")  # checkpoints the chain: the checkpoint file travels with the backup
    archive = tmp_path / "backup.tar.gz"
    done = sc(src, "backup", str(archive))
    assert "backup written" in done.stdout and archive.exists()
    assert not list(tmp_path.glob("*.partial"))

    dst = installation("dst")
    done = sc(dst, "restore", str(archive))
    assert "every count as backed up" in done.stdout
    assert digest(dst) == digest(src)
    photo = "media/cases/2026/12/photo.jpg"
    assert (tmp_path / "dst" / photo).read_bytes() == (tmp_path / "src" / photo).read_bytes()
    assert (tmp_path / "dst" / "secret_key").read_text() == (tmp_path / "src" / "secret_key").read_text()
    assert "audit log intact" in sc(dst, "audit", "verify").stdout  # same key, same checkpoints

    # Into a database that holds data: refused, nothing changed.
    before = digest(dst)
    done = sc(dst, "restore", str(archive), check=False)
    assert done.returncode != 0 and "not empty" in done.stderr
    assert digest(dst) == before

    # A damaged archive: refused before anything is written.
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as tar, tarfile.open(damaged, "w") as out:
        for m in tar.getmembers():
            data = tar.extractfile(m).read()
            if m.name == "files/media/cases/2026/12/photo.jpg":
                data = data[:-1] + b"!"
            out.addfile(m, io.BytesIO(data))
    fresh = installation("fresh")
    done = sc(fresh, "restore", str(damaged), check=False)
    assert done.returncode != 0 and "checksum mismatch" in done.stderr
    assert not (tmp_path / "fresh" / photo).exists()


def test_an_archive_with_a_path_out_of_the_data_directory_is_refused(installation, tmp_path):
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    done = sc(installation("evil"), "restore", str(evil), check=False)
    assert done.returncode != 0 and "unsafe entry" in done.stderr
    assert not (tmp_path.parent / "escaped.txt").exists()
