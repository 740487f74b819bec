"""The rule arithmetic of a pre-check, apart from the database: shares, conditions, the overall verdict."""

from smartcounty.domains.planning.models import SEVERITY, Verdict

#: Overlaps smaller than this are the rounding of shared edges (a parcel drawn along a boundary), not overlaps.
TOLERANCE_M2 = 0.01


def shares(area_m2: float, overlap_m2: float) -> tuple[float, float]:
    """(share of the parcel inside the layer, share outside it), each 0..1."""
    if area_m2 <= 0:
        return 0.0, 0.0
    inside = min(1.0, max(0.0, overlap_m2 / area_m2))
    return inside, 1.0 - inside


def applies(condition: str, min_share: float, area_m2: float, overlap_m2: float) -> bool:
    """Whether a rule's condition holds for a parcel of ``area_m2`` overlapping its layer by ``overlap_m2``."""
    inside, outside = shares(area_m2, overlap_m2)
    if condition == "overlaps":
        return overlap_m2 > TOLERANCE_M2 and inside > min_share
    if condition == "outside":
        return area_m2 - overlap_m2 > TOLERANCE_M2 and outside > min_share
    raise ValueError(f"unknown condition {condition!r}")


def worst(verdicts) -> str:
    """The overall verdict: the most severe of the rules' verdicts; pass when no rule applied."""
    out = Verdict.PASS
    for v in verdicts:
        if SEVERITY[Verdict(v)] > SEVERITY[out]:
            out = Verdict(v)
    return str(out)
