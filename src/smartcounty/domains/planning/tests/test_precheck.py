"""Overlap areas against hand-computed values, every verdict rule, the stored report, the PDF."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.planning import services, verdicts
from smartcounty.domains.planning.models import Check, Rule
from smartcounty.domains.planning.tests.conftest import AROUND, FAR, PARCEL, polygon, rule
from smartcounty.kernel.problems import ApiError


def by_key(result, key):
    return next(lr for lr in result.layers if lr.key == key)


def by_rule(result, code):
    return next(r for r in result.rules if r.code == code)


def test_parcel_area_is_ten_thousand_square_metres(layers, checker):
    out = services.precheck(PARCEL, name="测试地块", actor=checker)
    assert out.area_m2 == pytest.approx(10_000, rel=0.005)


def test_half_over_farmland_is_five_thousand_square_metres_and_blocks(layers, checker):
    out = services.precheck(PARCEL, name="测试地块", actor=checker)
    farm = by_key(out, "t-farmland")
    assert farm.overlap_m2 == pytest.approx(5_000, rel=0.005)
    assert farm.share == pytest.approx(0.5, abs=0.0025)
    assert [f.name for f in farm.features] == ["农田A"] and farm.feature_count == 1
    assert farm.features[0].overlap_m2 == pytest.approx(5_000, rel=0.005)
    assert farm.overlap_geometry["type"] == "Polygon"
    assert by_rule(out, "farmland").applies and by_rule(out, "farmland").verdict == "block"
    assert out.verdict == "block"


def test_eco_red_line_blocks(layers, checker, tmp_path):
    from smartcounty.domains.planning.tests.conftest import fc, load_layer

    clear = services.precheck(PARCEL, name="a", actor=checker)
    assert not by_rule(clear, "eco").applies and by_rule(clear, "eco").verdict == "pass"
    load_layer(tmp_path, "t-eco", "生态保护红线", fc(AROUND))  # version 2 covers the parcel
    out = services.precheck(PARCEL, name="b", actor=checker)
    assert by_key(out, "t-eco").version == 2 and by_key(out, "t-eco").share == pytest.approx(1.0, abs=1e-6)
    assert by_rule(out, "eco").verdict == "block"


def test_inside_the_development_boundary_notes_outside_warns(layers, checker):
    Rule.objects.filter(code="farmland").update(active=False)
    inside = services.precheck(PARCEL, name="内", actor=checker)
    assert by_rule(inside, "ubd-inside").verdict == "note" and not by_rule(inside, "ubd-outside").applies
    assert inside.verdict == "note"
    outside = services.precheck(FAR, name="外", actor=checker)
    assert by_rule(outside, "ubd-outside").verdict == "warn" and by_key(outside, "t-ubd").overlap_m2 == 0
    assert by_rule(outside, "eco").verdict == "block"  # FAR is the eco feature itself
    assert outside.verdict == "block"


def test_partly_outside_warns(layers, checker):
    Rule.objects.filter(code__in=["farmland", "eco"]).update(active=False)
    half = polygon((115.44, 36.50), (115.46, 36.50), (115.46, 36.51), (115.44, 36.51))  # AROUND ends at 115.45
    out = services.precheck(half, name="跨界", actor=checker)
    ubd = by_key(out, "t-ubd")
    assert ubd.share == pytest.approx(0.5, abs=0.01) and ubd.outside_m2 == pytest.approx(out.area_m2 / 2, rel=0.02)
    assert by_rule(out, "ubd-outside").verdict == "warn" and by_rule(out, "ubd-inside").verdict == "note"
    assert out.verdict == "warn"


def test_share_threshold(layers, checker):
    Rule.objects.filter(code="farmland").update(min_share=0.6)
    assert by_rule(services.precheck(PARCEL, name="a", actor=checker), "farmland").verdict == "pass"
    Rule.objects.filter(code="farmland").update(min_share=0.4)
    assert by_rule(services.precheck(PARCEL, name="b", actor=checker), "farmland").verdict == "block"


def test_a_layer_without_data_is_a_warning_not_a_pass(layers, checker):
    rule("river", "t-river-missing", "overlaps", "warn", order=50)
    out = services.precheck(PARCEL, name="a", actor=checker)
    river = by_key(out, "t-river-missing")
    assert river.missing and by_rule(out, "river").verdict == "warn" and "尚无数据" in by_rule(out, "river").message


def test_no_rule_applies_is_a_pass(layers, checker):
    Rule.objects.exclude(code="eco").update(active=False)
    out = services.precheck(PARCEL, name="a", actor=checker)
    assert out.verdict == "pass" and [r.verdict for r in out.rules] == ["pass"]


def test_the_check_is_kept_as_it_was(layers, checker, tmp_path):
    from smartcounty.domains.planning.tests.conftest import fc, load_layer

    first = services.precheck(PARCEL, name="留档", actor=checker)
    load_layer(tmp_path, "t-farmland", "永久基本农田", fc(FAR))  # the farmland moves away in version 2
    again = services.check(first.id, services.reader(checker))
    assert again.verdict == "block" and by_key(again, "t-farmland").version == 1
    assert services.precheck(PARCEL, name="新", actor=checker).verdict == "note"


def test_bad_parcels_are_refused(layers, checker):
    bowtie = {"type": "Polygon", "coordinates": [[[115.4, 36.5], [115.41, 36.51], [115.41, 36.5], [115.4, 36.51],
                                                  [115.4, 36.5]]]}
    for geometry, words in ((bowtie, "自相交"), ({"type": "Point", "coordinates": [115.4, 36.5]}, "面"),
                            ({"type": "Polygon", "coordinates": [[[1e6, 0], [1e6, 1], [2e6, 1], [1e6, 0]]]}, "坐标系")):
        with pytest.raises(ApiError) as e:
            services.precheck(geometry, name="坏", actor=checker)
        assert e.value.status == 422 and words in e.value.detail
    with pytest.raises(ApiError):
        services.precheck(PARCEL, name="", actor=checker)
    assert not Check.objects.exists()


def test_pdf_report(layers, checker):
    out = services.precheck(PARCEL, name="PDF地块", actor=checker)
    pdf = services.report_pdf(out.id, services.reader(checker))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000 and b"/Font" in pdf


def test_precheck_query_count(layers, checker, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        services.precheck(PARCEL, name="a", actor=checker)


# --- the rule arithmetic ------------------------------------------------------------------------------


def test_worst_verdict():
    assert verdicts.worst([]) == "pass"
    assert verdicts.worst(["note", "warn", "pass"]) == "warn"
    assert verdicts.worst(["warn", "block", "note"]) == "block"


def test_edge_touching_is_not_an_overlap():
    assert not verdicts.applies("overlaps", 0, 10_000, 0.001)
    assert not verdicts.applies("outside", 0, 10_000, 10_000 - 0.001)
    with pytest.raises(ValueError):
        verdicts.applies("near", 0, 1, 1)


@given(st.floats(1, 1e7), st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.99))
def test_overlap_rules_are_monotone(area, a, b, share):
    low, high = sorted((a * area, b * area))
    # more overlap never lifts an "overlaps" rule, never triggers an "outside" rule that less overlap did not
    assert verdicts.applies("overlaps", share, area, high) >= verdicts.applies("overlaps", share, area, low)
    assert verdicts.applies("outside", share, area, low) >= verdicts.applies("outside", share, area, high)
    inside, outside = verdicts.shares(area, high)
    assert 0 <= inside <= 1 and inside + outside == pytest.approx(1)
