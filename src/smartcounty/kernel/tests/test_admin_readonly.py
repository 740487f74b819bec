"""One read-only admin mixin (issue 21 #4): audit entries, rejected payloads and health events cannot be added
or changed in the admin; audit entries cannot be deleted either."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from smartcounty.kernel.admin import ReadOnlyAdminMixin
from smartcounty.kernel.models import AuditEntry


@pytest.mark.django_db
def test_read_only_admins_share_one_mixin(django_user_model):
    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.create_superuser("root", password=None)
    found = {m._meta.label: a for m, a in admin.site._registry.items() if isinstance(a, ReadOnlyAdminMixin)}
    assert {"kernel.AuditEntry", "sensing.DeadLetter", "sensing.HealthEvent"} <= set(found)
    for model_admin in found.values():
        assert not model_admin.has_add_permission(request) and not model_admin.has_change_permission(request)
    assert not admin.site._registry[AuditEntry].has_delete_permission(request)
    assert found["sensing.DeadLetter"].has_delete_permission(request)
