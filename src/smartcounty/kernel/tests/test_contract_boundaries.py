"""The boundary checks of the module contract (issue 21 #3), each on a deliberately broken module tree."""

from pathlib import Path

from smartcounty.kernel import contract_boundaries as cb
from smartcounty.kernel import contract_todo
from smartcounty.kernel.contract import check_project


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "smartcounty"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for d in list(root.rglob("*")):
        if d.is_dir() and d.parent.name in ("foundation", "domains"):
            (d / "__init__.py").touch()
    return root


def _index() -> cb.ModelIndex:
    index = cb.ModelIndex()
    index.add("sensing", "Datastream", {"id": None, "thing": "sensing", "property_code": None, "lon": None})
    index.add("sensing", "Thing", {"id": None, "kind": None, "name": None})
    index.add("cases", "Case", {"id": None, "reporter": "accounts", "category": None})
    index.add("accounts", "User", {"id": None, "username": None})
    index.add("weather", "Signal", {"id": None, "kind": None})
    return index


def test_a_service_annotated_to_return_a_queryset_or_a_model_fails(tmp_path):
    root = _tree(tmp_path, {
        "foundation/sensing/models.py": "class Datastream:\n    pass\n",
        "foundation/sensing/queries.py": "def listed() -> 'QuerySet[Datastream]':\n    return []\n",
        "foundation/sensing/services.py": (
            "from django.db.models import QuerySet\n"
            "from smartcounty.foundation.sensing import queries as _q\n"
            "from smartcounty.foundation.sensing.models import Datastream\n"
            "def latest(code) -> QuerySet:\n    return Datastream.objects.all()\n"
            "def one(pk) -> Datastream | None:\n    return None\n"
            "def plain(pk) -> dict:\n    return {}\n"
            "def _internal() -> QuerySet:\n    return None\n"
            "listed = _q.listed\n"),
    })
    found = sorted(v.message for v in cb.check_service_returns(root))
    assert len(found) == 3, found
    assert "sensing.services.latest returns QuerySet" in found[0]
    assert "sensing.services.listed returns" in found[1] and "sensing.services.one returns Datastream" in found[2]


def test_a_lookup_through_another_modules_fields_fails(tmp_path):
    root = _tree(tmp_path, {
        "domains/weather/live.py": (
            "def f(sensing):\n"
            "    sensing.latest().filter(thing__kind='weather', lon__gte=1)\n"
            "    sensing.latest().select_related('thing')\n"
            "    sensing.latest().values('thing_id', 'property_code')\n"),
        "foundation/cases/views.py": "def f(qs):\n    return qs.filter(reporter__username='x').order_by('-category')\n",
        "foundation/cases/admin.py": "class A:\n    search_fields = ('category', 'reporter__username')\n",
        "foundation/sensing/queries.py": "def f(qs):\n    return qs.filter(thing__kind='air')\n",
    })
    found = sorted((v.path.split("/", 1)[1], v.message) for v in cb.check_lookups(root, _index()))
    assert [p for p, _ in found] == ["domains/weather/live.py", "domains/weather/live.py",
                                     "foundation/cases/admin.py", "foundation/cases/views.py"]
    assert "walks 'sensing''s field 'thing'" in found[0][1]
    assert "joins from module 'cases' into 'accounts'" in found[2][1]


def test_orm_in_api_py_fails(tmp_path):
    root = _tree(tmp_path, {
        "foundation/alerts/api.py": (
            "from django.shortcuts import get_object_or_404\n"
            "from django.db.models import Q\n"
            "from smartcounty.foundation.alerts.models import Alert\n"
            "from smartcounty.foundation.alerts import services\n"
            "def a(request, pk):\n"
            "    services.aggregate(pk)\n"
            "    return Alert.objects.select_related('rule').filter(Q(pk=pk))\n"),
        "foundation/sensing/api.py": "from smartcounty.foundation.sensing import services\ndef a(r):\n"
                                     "    return services.latest_values()\n",
    })
    found = cb.check_api_orm(root)
    assert {v.path for v in found} == {"smartcounty/foundation/alerts/api.py"}
    text = " | ".join(v.message for v in found)
    for what in ("get_object_or_404", "imports the ORM", "imports models", ".objects", "select_related()"):
        assert what in text
    assert "aggregate" not in text


def test_an_import_circle_inside_a_module_fails(tmp_path):
    root = _tree(tmp_path, {
        "foundation/alerts/engine.py": "from smartcounty.foundation.alerts import services\n",
        "foundation/alerts/services.py": "def f():\n    from smartcounty.foundation.alerts.engine import run\n",
        "foundation/places/services.py": "from smartcounty.foundation.places import geo\n",
        "foundation/places/geo.py": "import math\n",
    })
    found = cb.check_import_cycles(root)
    assert len(found) == 1 and "engine → services → engine" in found[0].message


def test_the_project_complies_but_for_the_listed_leftovers():
    assert [str(v) for v in check_project()] == []


def test_every_listed_leftover_still_occurs():
    """Once a leftover is moved, its entry goes: the list in ``contract_todo`` only shrinks."""
    found = {(v.path, v.message) for v in check_project(with_todo=True)}
    assert sorted(contract_todo.TODO - found) == []
