"""The one JSON API, ``/api/v1/``: every module's ``api.py`` router, mounted at its label."""

from importlib import import_module
from importlib.util import find_spec

from smartcounty import __version__
from smartcounty.foundation.accounts.services import TokenAuth
from smartcounty.kernel.api import install_error_handlers
from smartcounty.kernel.openapi import SessionAuth, SmartcountyAPI
from smartcounty.modules import module_packages

# Operations with ``auth=None`` are public and still recognise a token or a session (kernel.openapi).
api = SmartcountyAPI(
    title="smartcounty API",
    version=__version__,
    description="冠县新型智慧城市平台接口 / smartcounty platform API. Errors are application/problem+json.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

for package in module_packages():
    if find_spec(f"{package}.api") is None:
        continue
    module = import_module(f"{package}.api")
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router(f"/{package.rsplit('.', 1)[-1]}/", router)
