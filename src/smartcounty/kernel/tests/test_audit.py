import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from smartcounty.kernel import audit, audit_anchor
from smartcounty.kernel.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


def _chain(n=5):
    return [audit.record("test.act", object_type="thing", object_id=i, detail={"n": i, "名": "冠县"}) for i in range(n)]


def test_chain_links_each_row_to_the_one_before():
    rows = _chain(4)
    assert rows[0].prev_hash == audit.GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    result = audit.verify()
    assert result.ok and result.checked == 4


def test_verify_reports_the_first_tampered_row():
    rows = _chain(5)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {AuditEntry._meta.db_table} SET action = %s WHERE id = %s", ["test.forged", rows[2].id])
    result = audit.verify()
    assert not result.ok
    assert result.broken_id == rows[2].id
    assert result.checked == 2
    with pytest.raises(CommandError, match=f"row {rows[2].id}"):
        call_command("audit", "verify")


def test_verify_reports_a_removed_row():
    rows = _chain(4)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [rows[1].id])
    result = audit.verify()
    assert result.broken_id == rows[2].id
    assert "previous-hash" in result.reason


def test_the_application_cannot_update_or_delete_audit_rows():
    row = _chain(1)[0]
    row.action = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=row.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=row.pk).action == "test.act"


def test_verify_command_on_an_intact_log(capsys):
    _chain(3)
    call_command("audit", "verify")
    assert "3 rows" in capsys.readouterr().out


# --- the chain is anchored outside the database: a keyed hash and checkpoints of its head ---------------

def _plain_rehash(first_id):
    """What someone who can write the database but lacks the key can do: re-hash rows from ``first_id``
    on as the old code did (plain sha256), so every link holds again."""
    table = AuditEntry._meta.db_table
    prev = AuditEntry.objects.filter(id__lt=first_id).order_by("-id").values_list("hash", flat=True).first()
    prev = prev or audit.GENESIS
    for row in AuditEntry.objects.filter(id__gte=first_id).order_by("id"):
        new = hashlib.sha256((prev + audit._canonical(row)).encode()).hexdigest()
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, row.id])
        prev = new


def _commit_chain(django_capture_on_commit_callbacks, n=3):
    with django_capture_on_commit_callbacks(execute=True):
        rows = _chain(n)
    audit_anchor.pending.flush()
    return rows


def test_deleting_the_newest_rows_fails_verify_at_the_checkpoint(django_capture_on_commit_callbacks,
                                                                  audit_checkpoints):
    rows = _commit_chain(django_capture_on_commit_callbacks, 4)
    assert audit_checkpoints.exists()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id >= %s", [rows[2].id])
    result = audit.verify()
    assert not result.ok and result.broken_id == rows[3].id
    assert "checkpoint line 1" in result.reason and "deleted from the end" in result.reason
    with pytest.raises(CommandError, match="checkpoint line 1"):
        call_command("audit", "verify")


def test_verify_checkpoints_the_head_it_found_intact(audit_checkpoints):
    rows = _chain(3)
    assert audit.verify().ok
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [rows[2].id])
    result = audit.verify()
    assert result.broken_id == rows[2].id and "does not exist" in result.reason


def test_a_row_edited_and_rehashed_without_the_key_fails_verify():
    rows = _chain(4)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {AuditEntry._meta.db_table} SET action = %s WHERE id = %s", ["test.forged", rows[1].id])
    _plain_rehash(rows[1].id)
    result = audit.verify()
    assert result.broken_id == rows[1].id and "keyed" in result.reason


def test_rewriting_the_chain_as_legacy_rows_fails_at_the_checkpoint(django_capture_on_commit_callbacks):
    rows = _commit_chain(django_capture_on_commit_callbacks, 3)
    table = AuditEntry._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET action = %s, keyed = %s WHERE id = %s", ["test.forged", False, rows[0].id])
        cur.execute(f"UPDATE {table} SET keyed = %s", [False])
    _plain_rehash(rows[0].id)
    result = audit.verify()
    assert result.broken_id == rows[2].id and "rewritten" in result.reason


def test_an_untouched_chain_with_checkpoints_passes(django_capture_on_commit_callbacks, capsys):
    _commit_chain(django_capture_on_commit_callbacks, 3)
    _commit_chain(django_capture_on_commit_callbacks, 2)
    result = audit.verify()
    assert result.ok and result.checked == 5 and result.checkpoints == 2
    call_command("audit", "verify")
    assert "5 rows, every link holds, 3 checkpoints match" in capsys.readouterr().out  # 2 + verify's own


def test_legacy_unkeyed_rows_then_keyed_rows_pass_but_not_the_other_way_round():
    rows = _chain(4)
    table = AuditEntry._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET keyed = %s WHERE id <= %s", [False, rows[1].id])
    _plain_rehash(rows[0].id)  # the old code's hashes for the legacy run...
    key = audit_anchor.key()
    prev = AuditEntry.objects.get(id=rows[1].id).hash
    for row in AuditEntry.objects.filter(id__gt=rows[1].id).order_by("id"):  # ...then keyed rows after them
        new = audit_anchor.mac(key, prev + audit._canonical(row))
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, row.id])
        prev = new
    assert audit.verify().ok
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET keyed = %s WHERE id = %s", [False, rows[3].id])
    _plain_rehash(rows[3].id)
    result = audit.verify()
    assert result.broken_id == rows[3].id and "unkeyed row follows keyed" in result.reason


def test_rows_of_a_rolled_back_transaction_get_no_checkpoint(django_capture_on_commit_callbacks,
                                                              audit_checkpoints):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _chain(2)
            raise RuntimeError("the act failed")
    audit_anchor.pending.flush()
    assert callbacks == [] and not audit_checkpoints.exists()
    assert not AuditEntry.objects.exists()


def test_a_wrong_key_fails_verify(settings):
    rows = _chain(2)
    assert audit.verify(checkpoint=False).ok
    settings.SMARTCOUNTY_AUDIT_KEY = "not-the-key-the-rows-were-made-with"
    result = audit.verify()
    assert result.broken_id == rows[0].id and "wrong key" in result.reason


def test_the_key_file_is_made_private_on_first_use(settings, tmp_path):
    settings.SMARTCOUNTY_AUDIT_KEY = ""
    settings.SMARTCOUNTY_AUDIT_KEY_FILE = str(tmp_path / "audit.key")
    key = audit_anchor.key()
    assert len(key) >= 32 and (tmp_path / "audit.key").stat().st_mode & 0o777 == 0o600
    assert audit_anchor.key() == key
