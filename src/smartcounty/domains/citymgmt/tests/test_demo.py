import pytest

from smartcounty.domains.citymgmt import demo, services
from smartcounty.foundation.cases import services as cases

pytestmark = pytest.mark.django_db


def test_demo_loads_and_is_idempotent(django_user_model):
    django_user_model.objects.create_superuser("admin", password="Guanxian-2026!")
    demo.load()
    n_cases = cases.cases_of_type(services.CASE_TYPE_KEY).count()
    n_comp = services.components().count()
    assert n_cases == len(demo.DEMO_CASES) and n_comp == len(demo.DEMO_COMPONENTS)
    assert sorted(c.state for c in cases.cases_of_type(services.CASE_TYPE_KEY)) == [
        "closed", "collected", "dispatched", "handling"]
    demo.load()
    assert cases.cases_of_type(services.CASE_TYPE_KEY).count() == n_cases
    assert services.components().count() == n_comp
