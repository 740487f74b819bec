"""The demo loader: organisations and one user per role, idempotent, printed credentials."""

import io

from smartcounty.foundation.accounts import demo
from smartcounty.foundation.accounts.models import Organisation, User
from smartcounty.kernel import registry
from smartcounty.kernel.models import AuditEntry


def test_the_loader_is_registered_first():
    loader = registry.demo_loaders.get("accounts")
    assert loader.order == 10 and loader.load is demo.load
    assert min(d.order for d in registry.demo_loaders.values()) == 10


def test_demo_loads_organisations_and_users_and_prints_them(db, monkeypatch):
    monkeypatch.delenv("SMARTCOUNTY_DEMO_PASSWORD", raising=False)
    out = io.StringIO()
    demo.load(stdout=out)
    text = out.getvalue()
    assert Organisation.objects.count() == 37
    roles = dict(User.objects.values_list("username", "role"))
    assert set(roles.values()) == {"platform_admin", "org_admin", "staff", "grid_worker", "resident"}
    assert User.objects.filter(role="org_admin").values("organisation").distinct().count() == 3
    assert User.objects.get(username="zfj-staff").organisation.name == "县综合行政执法局"
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for user in User.objects.all():
        assert user.password.startswith("argon2") and user.check_password("Guanxian-2026!")
        assert user.username in text
    assert "Guanxian-2026!" in text and "县综合行政执法局" in text and "grid_worker" in text


def test_demo_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("SMARTCOUNTY_DEMO_PASSWORD", "Another-Demo-Pass-7")
    out = io.StringIO()
    demo.load(stdout=out)
    assert User.objects.get(username="resident").check_password("Another-Demo-Pass-7")
    assert "Another-Demo-Pass-7" in out.getvalue() and "Guanxian-2026!" not in out.getvalue()


def test_running_twice_creates_nothing_and_keeps_changed_passwords(db, monkeypatch):
    monkeypatch.delenv("SMARTCOUNTY_DEMO_PASSWORD", raising=False)
    demo.load(stdout=io.StringIO())
    gov = User.objects.get(username="gov-admin")
    gov.set_password("My-Own-Secret-123")
    gov.save()
    users = list(User.objects.order_by("id").values_list("id", "username", "password"))
    orgs = list(Organisation.objects.order_by("id").values())
    audits = AuditEntry.objects.count()
    out = io.StringIO()
    result = demo.load(stdout=out)
    assert list(User.objects.order_by("id").values_list("id", "username", "password")) == users
    assert list(Organisation.objects.order_by("id").values()) == orgs
    assert AuditEntry.objects.count() == audits
    assert not any(u.created for u in result)
    line = next(x for x in out.getvalue().splitlines() if "gov-admin" in x)
    assert "Guanxian-2026!" not in line and "changed" in line


def test_every_organisation_has_a_demo_account_and_the_list_names_it(db):
    """Whatever a module's demo routes to a department, that department's own demo account can take it
    further (a street light goes to 县住房和城乡建设局, a smoke alarm to 县消防救援大队)."""
    out = io.StringIO()
    demo.load(stdout=out)
    orgs = set(Organisation.objects.filter(is_active=True).values_list("id", flat=True))
    with_users = set(User.objects.filter(organisation__isnull=False).values_list("organisation_id", flat=True))
    assert orgs and orgs <= with_users
    housing = User.objects.get(username="housing-staff")
    assert housing.organisation.code == "housing" and housing.role == "staff"
    assert "housing-staff" in out.getvalue() and "县住房和城乡建设局" in out.getvalue()
