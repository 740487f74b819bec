"""Chinese is the default language: every module's zh_Hans catalogue must be complete and compiled."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)).split("/locale")[0])
def test_zh_hans_catalogue_is_complete_and_compiled(po):
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt (Debian package gettext) is needed; .ci/run installs it")
    stats = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
                           capture_output=True, text=True, check=True).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, f"{po}: {stats}"
    mo = po.with_suffix(".mo")
    fresh = subprocess.run(["msgfmt", "-o", "-", str(po)], capture_output=True, check=True).stdout
    assert mo.exists() and mo.read_bytes() == fresh, f"{mo} is missing or stale: run make messages"


def test_every_module_has_a_catalogue():
    from django.apps import apps

    missing = [c.label for c in apps.get_app_configs()
               if c.name.startswith("smartcounty.") and not (Path(c.path) / "locale/zh_Hans/LC_MESSAGES/django.po").exists()]
    assert missing == []
