"""The back office's case page shows the reporter's name and contact: opening it is an audited read."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from smartcounty.foundation.cases import services
from smartcounty.kernel.models import AuditEntry


def test_opening_a_case_in_the_admin_is_an_audited_read_of_the_reporters_contact(client, world):
    case = services.create_case("cases.test", title="路灯不亮", category="light", reporter_name="张三",
                                reporter_contact="13800001234", actor=world.resident)
    boss = get_user_model().objects.create(username="boss", role="platform_admin", is_staff=True, is_superuser=True)
    client.force_login(boss)
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
    row = AuditEntry.objects.get(action="admin.personal_read")
    assert row.actor == "boss" and row.object_id == str(case.pk)
    assert row.detail["fields"] == ["reporter_name", "reporter_contact"]
