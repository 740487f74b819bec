"""Find the platform's modules: every folder under foundation/ and domains/ with an apps.py.

The settings and the URL wiring use this list, so adding a module is adding a folder.
Order: foundation before domains, each alphabetical, which keeps migrations and menus stable.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
LAYERS = ("foundation", "domains")


def module_packages() -> list[str]:
    found = []
    for layer in LAYERS:
        base = ROOT / layer
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if (child / "apps.py").is_file() and (child / "__init__.py").is_file():
                found.append(f"smartcounty.{layer}.{child.name}")
    return found


def module_middleware() -> list[str]:
    """The middleware modules bring: ``<module>/middleware.py`` with a class ``Middleware`` (the settings place
    them right after the kernel's request-id and forwarded-proto middleware, before static files and sessions)."""
    found = []
    for package in module_packages():
        relative = package.split(".", 1)[1].replace(".", "/")
        if (ROOT / relative / "middleware.py").is_file():
            found.append(f"{package}.middleware.Middleware")
    return found
