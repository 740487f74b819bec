"""API shapes of the services module."""

from typing import Literal

from pydantic import Field

from smartcounty.kernel.api import Id, InputSchema


class MaterialMetaIn(InputSchema):
    """A material given by its metadata (the file is kept by the caller's document store)."""

    material_id: Id
    file_name: str = Field("", max_length=200)
    size: int = Field(0, ge=0, le=50 * 1024 * 1024)
    sha256: str = Field("", max_length=64, pattern=r"^[0-9a-f]{0,64}$")
    source: Literal["upload", "paper"] = "upload"


class ApplicationIn(InputSchema):
    item_code: str = Field(max_length=24)
    channel: Literal["online", "window"] = "online"
    applicant_name: str = Field("", max_length=60)
    applicant_id_number: str = Field("", max_length=18)
    applicant_phone: str = Field("", max_length=20)
    window: str = Field("", max_length=40)
    consent: bool = False
    materials: list[MaterialMetaIn] = Field(default_factory=list, max_length=30)


class StepIn(InputSchema):
    step: str = Field(max_length=30, pattern=r"^[a-z_]{1,30}$")
    note: str = Field("", max_length=2000)
    missing: list[str] = Field(default_factory=list, max_length=30)
    opinion: str = Field("", max_length=500)
    delivery: Literal["", "pickup", "post", "electronic"] = ""
    tracking_no: str = Field("", max_length=40)
    rating: int | None = Field(None, ge=1, le=5)
    comment: str = Field("", max_length=500)
    materials: list[MaterialMetaIn] = Field(default_factory=list, max_length=30)
