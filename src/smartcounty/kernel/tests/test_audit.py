import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from smartcounty.kernel import audit
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
