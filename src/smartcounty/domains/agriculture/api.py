"""Agriculture API (/api/v1/agriculture/): farms, plots (GeoJSON), seasons, field sensors, advisories."""

from ninja import Router, Status
from ninja.pagination import paginate

from smartcounty.domains.agriculture import services
from smartcounty.domains.agriculture.schemas import AdvisoryIn, FarmIn, PlotIn, SeasonIn, SensorIn
from smartcounty.kernel import authz
from smartcounty.kernel.api import Id, Pagination

router = Router(tags=["agriculture"])


def _scope(request, manage: bool = False):
    user = authz.require(request, "agriculture.manage" if manage else "agriculture.view")
    return user, services.require_scope(user, manage=manage)


@router.get("/farms", response=list[dict])
@paginate(Pagination)
def list_farms(request, town: str = "", q: str = ""):
    _user, scope = _scope(request)
    return services.farms(scope, town=town[:12], q=q[:40])


@router.post("/farms", response={201: dict})
def create_farm(request, payload: FarmIn):
    user, _s = _scope(request, manage=True)
    pk = services.create_farm(**payload.dict(), actor=user)
    return Status(201, {"id": pk})


@router.get("/farms/{farm_id}", response=dict)
def get_farm(request, farm_id: Id):
    user, scope = _scope(request)
    return services.farm_detail(scope, farm_id, actor=user)


@router.post("/farms/{farm_id}/plots", response={201: dict})
def add_plot(request, farm_id: Id, payload: PlotIn):
    user, _s = _scope(request, manage=True)
    return Status(201, {"id": services.add_plot(farm_id, name=payload.name, geometry=payload.geometry, actor=user)})


@router.post("/plots/{plot_id}/seasons", response={201: dict})
def add_season(request, plot_id: Id, payload: SeasonIn):
    user, _s = _scope(request, manage=True)
    return Status(201, {"id": services.add_season(plot_id, **payload.dict(), actor=user)})


@router.post("/farms/{farm_id}/sensors", response={201: dict})
def add_sensor(request, farm_id: Id, payload: SensorIn):
    user, _s = _scope(request, manage=True)
    return Status(201, {"id": services.add_sensor(farm_id, **payload.dict(), actor=user)})


@router.get("/plots.geojson", response=dict)
def plots(request, bbox: str = ""):
    _user, scope = _scope(request)
    return services.plots_geojson(scope, bbox or None)


@router.get("/advisories", response=list[dict], auth=None)
def advisories(request, town: str = ""):
    """Public: the farming advisories residents read on the portal."""
    return services.advisories(town=town[:12])


@router.post("/advisories", response={201: dict})
def publish(request, payload: AdvisoryIn):
    user, _s = _scope(request, manage=True)
    return Status(201, {"id": services.publish_advisory(**payload.dict(), actor=user)})
