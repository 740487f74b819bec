"""The KPIs of action 30 for the plan's registry: 等保 assessments on time and certificates valid."""

from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.registry import Kpi


def cii_on_time() -> dict:
    from smartcounty.domains.security import services

    return services.cii_on_time()


def certificates_valid() -> dict:
    from smartcounty.domains.security import services

    return services.certificates_valid()


KPIS = (
    Kpi("security.cii_assessed_on_time", _("Protected systems assessed on time"), "%", cii_on_time, actions=(30,),
        target=100.0, order=300,
        query=_("Systems of protection level 2 and above (等级保护) whose next assessment is not yet overdue, out "
                "of all of them (level 3 yearly, level 4 and 5 half-yearly, level 2 every two years; target: all)")),
    Kpi("security.certificates_valid", _("Site certificates valid"), "%", certificates_valid, actions=(30,),
        target=100.0, order=310,
        query=_("Registered sites whose TLS certificate, at its last check, is trusted and not expired, out of the "
                "checked sites (target: all)")),
)
