"""Property tests: bounding boxes and the urgency order of the staff work list."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcounty.foundation.cockpit import services
from smartcounty.foundation.cockpit.schemas import CockpitPanel, WorkItem
from smartcounty.kernel.problems import ApiError

lon = st.floats(min_value=-180, max_value=179.9, allow_nan=False)
lat = st.floats(min_value=-90, max_value=89.9, allow_nan=False)
span = st.floats(min_value=1e-6, max_value=services.MAX_BBOX_SPAN, allow_nan=False)


@given(lon, lat, span, span)
def test_a_valid_bbox_reads_back_the_same(w, s, dw, dh):
    e, n = min(180.0, w + dw), min(90.0, s + dh)
    if not (w < e and s < n):
        return
    text = f"{w!r},{s!r},{e!r},{n!r}"
    assert services.parse_bbox(text) == (w, s, e, n)


@given(lon, lat, span, span)
def test_a_reversed_bbox_is_refused(w, s, dw, dh):
    e, n = min(180.0, w + dw), min(90.0, s + dh)
    if not (w < e and s < n):
        return
    for text in (f"{e},{s},{w},{n}", f"{w},{n},{e},{s}"):
        with pytest.raises(ApiError):
            services.parse_bbox(text)


items = st.lists(st.tuples(st.one_of(st.none(), st.integers(min_value=-500, max_value=500)),
                           st.integers(min_value=0, max_value=4)), max_size=25)


@settings(deadline=None, max_examples=50)
@given(items)
@pytest.mark.django_db
def test_worklist_is_ordered_by_urgency(rows):
    from django.contrib.auth import get_user_model

    now = datetime.now(UTC)
    made = [WorkItem(title=f"item {i}", level=level, due=None if due is None else now + timedelta(minutes=due))
            for i, (due, level) in enumerate(rows)]
    user = get_user_model()(username="prop-staff", role="staff")  # unsaved: the work list needs no database
    panel = CockpitPanel(key="testmod.prop", title="p", kind="worklist",
                         data=lambda ctx: {"items": [m.as_dict() for m in made]})
    with services.temporary_panels(panel):
        out = [i for i in services.worklist(user) if i["panel"] == "testmod.prop"]
    assert len(out) == len(made)
    # every item with a due time comes before every item without one; dues ascend; overdue ones first
    dues = [i["due"] for i in out]
    with_due = [d for d in dues if d]
    assert dues[: len(with_due)] == with_due and with_due == sorted(with_due)
    overdue = [i["overdue"] for i in out]
    assert overdue == sorted(overdue, reverse=True)
    # without a due time, the higher level first
    levels = [i["level"] for i in out if not i["due"]]
    assert levels == sorted(levels, reverse=True)
