"""A checked definition document made into a ``CaseType`` the engine runs (the code is in ``schemas``, which
modules import before the apps are ready)."""

from smartcounty.foundation.cases.schemas import Title, compile_document  # noqa: F401
