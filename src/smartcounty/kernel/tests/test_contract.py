from pathlib import Path

from smartcounty.kernel.contract import check_imports, check_project


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "smartcounty"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_project_itself_complies():
    assert [str(v) for v in check_project()] == []


def test_rejects_a_module_importing_another_modules_models(tmp_path):
    root = _tree(tmp_path, {
        "foundation/places/models.py": "X = 1\n",
        "foundation/sensing/services.py": "from smartcounty.foundation.places.models import X\n",
        "foundation/sensing/api.py": "from smartcounty.foundation.places import models\n",
    })
    found = check_imports(root)
    assert len(found) == 2
    assert all("imports models of module 'places'" in v.message for v in found)


def test_allows_services_and_schemas_when_declared(tmp_path):
    root = _tree(tmp_path, {
        "foundation/sensing/services.py": (
            "from smartcounty.foundation.places import services\n"
            "from smartcounty.foundation.places.schemas import Town\n"
            "import smartcounty.kernel.audit\n"),
    })
    assert check_imports(root, declared={"sensing": {"places"}}) == []
    undeclared = check_imports(root, declared={"sensing": set()})
    assert undeclared and "without declaring" in undeclared[0].message


def test_rejects_the_foundation_importing_a_domain_and_the_kernel_importing_a_module(tmp_path):
    root = _tree(tmp_path, {
        "foundation/cockpit/services.py": "from smartcounty.domains.environment import services\n",
        "kernel/things.py": "import smartcounty.foundation.accounts.services\n",
    })
    messages = sorted(v.message for v in check_imports(root))
    assert any("foundation module 'cockpit' imports domain 'environment'" in m for m in messages)
    assert any("the kernel imports module 'accounts'" in m for m in messages)


def test_rejects_a_label_that_differs_from_its_folder():
    from smartcounty.kernel.contract import check_configs
    from smartcounty.kernel.module import ModuleConfig

    class Wrong(ModuleConfig):
        name = "smartcounty.foundation.places"
        label = "geo"
        name_zh = "地点"
        name_en = "Places"
        plan_actions = (31,)

    import smartcounty.foundation as pkg

    config = Wrong("smartcounty.foundation.places", pkg)
    messages = [v.message for v in check_configs([config])]
    assert any("label 'geo' differs from folder 'places'" in m for m in messages)
    assert any("outside 1-30" in m for m in messages)
