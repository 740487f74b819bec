"""The services module's behaviour: catalogue, every step of an application, the paused clock across holidays,
免提交 with and without consent, 好差评 and its rectification, bundles, department isolation."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcounty.domains.services import catalogue, services
from smartcounty.domains.services.models import (
    Application,
    Consent,
    Licence,
    Material,
    Rectification,
    ServiceItem,
)
from smartcounty.domains.services.tests.conftest import bj, item_code, material_ids
from smartcounty.foundation.cases import services as cases
from smartcounty.kernel.problems import ApiError

WORKDAY_SECONDS = cases.limit_seconds(1, "days")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def scope(user):
    return services.reader(user)


def step(user, app_id, key, **kw):
    return services.step(user, scope(user), app_id, key, **kw)


# ---- catalogue ----

def test_the_demo_catalogue_has_forty_items_with_standard_codes_and_two_bundles(world):
    items = ServiceItem.objects.all()
    assert items.count() >= 40
    assert all(catalogue.valid_code(i.code) for i in items)
    assert ServiceItem.objects.filter(parts__isnull=False).distinct().count() == 2
    for name in ("户籍证明开具", "居住证申领", "无犯罪记录证明开具", "城乡居民基本养老保险参保登记", "失业登记",
                 "出生医学证明首次签发", "法律援助申请", "个体工商户登记（设立）", "最低生活保障申请"):
        assert items.filter(name=name).exists(), name


def test_chinese_search_matches_every_word_in_name_keywords_and_department(world):
    names = [r["name"] for r in services.search("居住证")]
    assert "居住证申领" in names and "居住证签注" in names
    assert [r["name"] for r in services.search("暂住")] == ["居住证申领"]
    assert {r["organisation_name"] for r in services.search("公安局")} == {"县公安局"}
    assert len(services.search("个体户 注销")) == 1
    assert len(services.search("不存在的事项")) == 0


def test_an_item_shows_its_materials_and_a_bad_code_is_refused(world):
    d = services.item_detail(item_code("居住证申领"))
    assert d["organisation_name"] == "县公安局" and d["promised_days"] == 5
    assert [m["name"] for m in d["materials"]][0] == "居民身份证"
    assert any(not m["required"] for m in d["materials"])
    bad = ServiceItem(code="12345", name="x", item_type="01", organisation_code="public-security")
    with pytest.raises(ApiError) as exc:
        services.save_item(bad)
    assert exc.value.status == 422


# ---- applications ----

def _apply_online(world, name="居住证申领", uploads=None, **kw):
    ids = material_ids(name)
    given = [{"material_id": ids[n], "upload": pdf()} for n in (uploads if uploads is not None else ids)]
    return services.submit(world.resident, item_code(name), materials=given, applicant_id_number="371525199001011234",
                           **kw)


def test_online_application_stores_the_files_on_its_case_and_lists_missing_materials(world):
    out = _apply_online(world, uploads=["居民身份证", "近期一寸免冠彩色照片"])
    app = Application.objects.get(pk=out["id"])
    assert out["number"].startswith("BJ") and app.state == "submitted" and app.channel == "online"
    assert out["missing"] == ["居住证明（房屋租赁合同或住宿证明）"]
    case = cases.get_case(app.case_id)
    assert case.organisation_id == world.orgs["public-security"] and case.category == app.item.code
    assert cases.attachments(case).count() == 2
    assert app.materials.filter(sha256__regex=r"^[0-9a-f]{64}$").count() == 2


def test_the_whole_way_supplement_pauses_the_clock_approve_issue_deliver_close_rate(world):
    out = _apply_online(world, uploads=["居民身份证", "近期一寸免冠彩色照片"], now=bj(2026, 9, 28, 9))
    app_id = out["id"]
    with pytest.raises(ApiError):  # one notice must name the materials
        step(world.clerk, app_id, "ask", note="请补正", data={"missing": []}, now=bj(2026, 9, 28, 10))
    step(world.clerk, app_id, "ask", note="请补正", now=bj(2026, 9, 28, 10),
         data={"missing": ["居住证明（房屋租赁合同或住宿证明）", "就业、就读证明"]})
    d = services.detail(world.resident, scope(world.resident), app_id)
    assert d["state"] == "supplement" and d["clock"]["paused"]
    notice = [s for s in d["steps"] if s["missing"]][0]
    assert notice["missing"] == ["居住证明（房屋租赁合同或住宿证明）", "就业、就读证明"]
    ids = material_ids("居住证申领")
    step(world.resident, app_id, "supply", now=bj(2026, 10, 9, 9),
         materials=[{"material_id": ids["居住证明（房屋租赁合同或住宿证明）"], "upload": pdf("lease.pdf")}])
    step(world.clerk, app_id, "accept", now=bj(2026, 10, 9, 10))
    with pytest.raises(ApiError) as exc:  # the window does not decide
        step(world.clerk, app_id, "approve", data={"opinion": "同意"}, now=bj(2026, 10, 9, 11))
    assert exc.value.status == 403
    step(world.police, app_id, "approve", data={"opinion": "符合条件"}, now=bj(2026, 10, 9, 11))
    step(world.police, app_id, "issue", now=bj(2026, 10, 9, 14))
    lic = Licence.objects.get(application_id=app_id)
    assert lic.licence_type == "居住证" and lic.issuer_name == "县公安局" and lic.valid_until.year == 2027
    with pytest.raises(ApiError):
        step(world.clerk, app_id, "deliver", data={"delivery": "post"}, now=bj(2026, 10, 9, 15))  # no tracking no.
    step(world.clerk, app_id, "deliver", data={"delivery": "post", "tracking_no": "SF1234567890"},
         now=bj(2026, 10, 9, 15))
    step(world.clerk, app_id, "close", now=bj(2026, 10, 9, 16))
    app = Application.objects.get(pk=app_id)
    assert app.state == "closed" and app.on_time is True and app.tracking_no == "SF1234567890"
    step(world.resident, app_id, "evaluate", data={"rating": 5}, now=bj(2026, 10, 9, 17))
    assert Application.objects.get(pk=app_id).rating == 5
    assert not Rectification.objects.exists()
    v = services.public_view(lic.verify_code.lower())
    assert v["status"] == "valid" and v["holder"] != "王小明" and v["holder"].startswith("王")


def test_the_promised_limit_pauses_in_review_supplement_across_the_national_day(world):
    # 居住证: 5 working days from Monday 09-28 08:30 end on Friday 10-09 17:30 (10-01..10-08 are holidays)
    out = _apply_online(world, now=bj(2026, 9, 28, 8, 30))
    case = cases.get_case(Application.objects.get(pk=out["id"]).case_id)
    assert case.legal_due_at == bj(2026, 10, 9, 17, 30)
    step(world.clerk, out["id"], "accept", now=bj(2026, 9, 28, 17, 30))
    step(world.police, out["id"], "ask_review", note="请补充就业证明", data={"missing": ["就业、就读证明"]},
         now=bj(2026, 9, 29, 8, 30))
    case = cases.get_case(case.pk)
    assert case.paused and case.legal_remaining == 4 * WORKDAY_SECONDS
    ids = material_ids("居住证申领")
    step(world.resident, out["id"], "supply_review", now=bj(2026, 10, 9, 8, 30),
         materials=[{"material_id": ids["就业、就读证明"], "upload": pdf()}])
    case = cases.get_case(case.pk)
    # 4 working days from Friday 10-09 08:30: 10-09, 10-10 (make-up working Saturday), 10-12, 10-13
    assert not case.paused and case.legal_due_at == bj(2026, 10, 13, 17, 30)


def test_an_instant_item_has_one_working_day(world):
    out = services.submit(world.resident, item_code("户籍证明开具"), now=bj(2026, 11, 6, 15))  # a Friday
    case = cases.get_case(Application.objects.get(pk=out["id"]).case_id)
    assert case.legal_due_at == bj(2026, 11, 9, 15)


def test_refuse_and_deny_end_the_application_with_a_reason(world):
    a = _apply_online(world)["id"]
    with pytest.raises(ApiError):
        step(world.clerk, a, "refuse")
    step(world.clerk, a, "refuse", note="不属于本部门受理范围")
    assert Application.objects.get(pk=a).state == "refused"
    b = _apply_online(world)["id"]
    step(world.clerk, b, "accept")
    step(world.police, b, "deny", note="不符合居住证申领条件")
    app = Application.objects.get(pk=b)
    assert app.state == "denied" and app.closed_at is not None and not hasattr(app, "licence_set")
    assert not Licence.objects.filter(application_id=b).exists()


def test_a_supplement_not_given_in_thirty_days_lapses(world):
    a = _apply_online(world, now=bj(2026, 11, 2, 9))["id"]
    step(world.clerk, a, "ask", note="补正", data={"missing": ["居民身份证"]}, now=bj(2026, 11, 2, 10))
    cases.run_timers(now=bj(2026, 12, 3, 10))
    case = cases.get_case(Application.objects.get(pk=a).case_id)
    assert case.state == "refused"


def test_the_window_takes_in_any_department_s_item_for_an_applicant_in_person(world):
    ids = material_ids("个体工商户登记（设立）")
    out = services.submit(world.clerk, item_code("个体工商户登记（设立）"), channel="window", applicant_name="李秀兰",
                          applicant_phone="13905351234", window="综合受理1号窗口",
                          materials=[{"material_id": i, "source": "paper"} for i in ids.values()])
    app = Application.objects.get(pk=out["id"])
    assert app.channel == "window" and app.applicant_id is None and app.clerk_id == world.clerk.pk
    assert app.visits == 1 and out["missing"] == []
    with pytest.raises(ApiError) as exc:  # a department's staff are not the window
        services.submit(world.police, item_code("户籍证明开具"), channel="window", applicant_name="张三")
    assert exc.value.status == 403
    step(world.clerk, out["id"], "accept")
    step(world.market, out["id"], "approve", data={"opinion": "准予登记"})
    step(world.market, out["id"], "issue")
    assert Licence.objects.get(application_id=out["id"]).licence_type == "营业执照"
    step(world.clerk, out["id"], "deliver", data={"delivery": "pickup"})
    step(world.clerk, out["id"], "close")
    step(world.clerk, out["id"], "evaluate", data={"rating": 4})  # the rating pad at the window


def test_one_department_never_sees_another_s_applications(world):
    police_app = _apply_online(world)["id"]
    market_app = services.submit(world.resident, item_code("个体工商户登记（设立）"))["id"]
    assert {r["id"] for r in services.applications(scope(world.police))} == {police_app}
    assert {r["id"] for r in services.applications(scope(world.market))} == {market_app}
    assert {r["id"] for r in services.applications(scope(world.clerk))} == {police_app, market_app}
    assert {r["id"] for r in services.applications(scope(world.other_resident))} == set()
    with pytest.raises(ApiError) as exc:
        services.detail(world.market, scope(world.market), police_app)
    assert exc.value.status == 404
    with pytest.raises(ApiError):
        step(world.market, police_app, "accept")
    assert services.state_counts(scope(world.market)) == {"submitted": 1}
    # the cases module's own rule agrees
    police_case = cases.get_case(Application.objects.get(pk=police_app).case_id)
    assert not cases.may_view(world.market, police_case) and cases.may_view(world.police, police_case)


def test_the_applicant_reads_public_steps_without_staff_names(world):
    a = _apply_online(world)["id"]
    step(world.clerk, a, "accept")
    d = services.detail(world.resident, scope(world.resident), a)
    assert d["own"] and all(s["actor"] == "" for s in d["steps"])
    assert [s["action"] for s in d["steps"]][:2] == ["create", "accept"]
    assert d["clock"]["days_left"] is not None


# ---- 免提交 ----

def _licence_for(world, name="个体工商户登记（设立）"):
    out = services.submit(world.resident, item_code(name))
    step(world.clerk, out["id"], "accept")
    step(world.market, out["id"], "approve", data={"opinion": "准予"})
    step(world.market, out["id"], "issue")
    return Licence.objects.get(application_id=out["id"])


def test_a_valid_licence_fills_a_later_material_only_with_consent(world):
    lic = _licence_for(world)
    code = item_code("食品经营许可（新办）")
    without = services.submit(world.resident, code, consent=False)
    assert without["from_licences"] == [] and "营业执照" in without["missing"]
    assert not Consent.objects.exists()
    with_consent = services.submit(world.resident, code, consent=True)
    assert with_consent["from_licences"] == ["营业执照"] and "营业执照" not in with_consent["missing"]
    c = Consent.objects.get()
    assert c.holder_id == world.resident.pk and c.licence_id == lic.pk
    # someone else's consent does not reach the resident's licence
    other = services.submit(world.other_resident, code, consent=True)
    assert other["from_licences"] == []


def test_an_expired_or_revoked_licence_does_not_stand_in(world):
    lic = _licence_for(world)
    Licence.objects.filter(pk=lic.pk).update(revoked=True)
    out = services.submit(world.resident, item_code("食品经营许可（新办）"), consent=True)
    assert out["from_licences"] == []
    assert services.public_view(lic.verify_code)["status"] == "revoked"


# ---- 好差评 ----

def _closed(world):
    a = services.submit(world.resident, item_code("户籍证明开具"))["id"]
    for user, key, data in ((world.clerk, "accept", {}), (world.police, "approve", {"opinion": "同意"}),
                            (world.police, "issue", {}), (world.clerk, "deliver", {"delivery": "electronic"}),
                            (world.clerk, "close", {})):
        step(user, a, key, data=data)
    return a


def test_a_poor_rating_opens_a_rectification_task_then_a_return_visit(world):
    a = _closed(world)
    with pytest.raises(ApiError):
        step(world.resident, a, "evaluate", data={"rating": 6})
    step(world.resident, a, "evaluate", data={"rating": 2, "comment": "窗口等待时间太长"}, now=bj(2026, 11, 2, 9))
    task = Rectification.objects.get()
    assert task.organisation_id == world.orgs["public-security"]
    assert task.deadline == bj(2026, 11, 23, 9)  # 15 working days from Monday 09:00
    assert [t["id"] for t in services.tasks(scope(world.market))] == []
    with pytest.raises(ApiError) as exc:
        services.return_visit(world.clerk, scope(world.clerk), task.pk, "满意")  # not rectified yet
    assert exc.value.status == 409
    services.rectify(world.police, scope(world.police), task.pk, "增开户籍窗口，高峰期弹性排班")
    with pytest.raises(ApiError):
        services.return_visit(world.police, scope(world.police), task.pk, "满意")  # the centre visits
    t = services.return_visit(world.clerk, scope(world.clerk), task.pk, "回访：申请人对整改表示满意")
    assert t["visited_at"] is not None


def test_a_good_rating_opens_no_task_and_statistics_count_it(world):
    a = _closed(world)
    step(world.resident, a, "evaluate", data={"rating": 5})
    assert not Rectification.objects.exists()
    t = services.totals(None)
    assert t["applications"] == 1 and t["on_time_rate"] == 1.0 and t["instant_share"] == 1.0
    assert t["online_share"] == 1.0 and t["avg_rating"] == 5 and t["satisfied_share"] == 1.0
    rows = services.by(None, "organisation")
    assert rows[0]["label"] == "县公安局" and rows[0]["applications"] == 1
    assert services.by(None, "month")[0]["applications"] == 1


# ---- 一件事一次办 ----

def test_a_bundle_is_one_form_split_to_the_departments_and_joined_back(world):
    code = ServiceItem.objects.get(name="开办餐饮店一件事").code
    names = [m["name"] for m in services.bundle_materials(code)]
    assert names.count("营业执照") == 1 and "招牌设计效果图" in names  # one set of materials
    given = [{"name": n, "file_name": f"{i}.pdf", "size": 1000, "sha256": "ab" * 32} for i, n in enumerate(names)]
    out = services.submit_bundle(world.resident, code, materials=given)
    assert len(out["parts"]) == 3
    parts = list(Application.objects.filter(bundle_id=out["id"]).select_related("item"))
    assert {p.organisation_id for p in parts} == {world.orgs["market-regulation"], world.orgs["law-enforcement"]}
    b = services.bundle_detail(scope(world.law), out["id"])
    assert [p["item_name"] for p in b["parts"]] == ["户外招牌设置许可"]  # the law-enforcement bureau sees its part
    for p in parts:
        dept = world.law if p.organisation_id == world.orgs["law-enforcement"] else world.market
        step(world.clerk, p.pk, "accept")
        step(dept, p.pk, "approve", data={"opinion": "同意"})
        assert Application.objects.get(pk=out["id"]).state == "split"
        step(dept, p.pk, "issue")
    parent = Application.objects.get(pk=out["id"])
    assert parent.state == "joined" and parent.closed_at is not None
    assert services.bundle_detail(scope(world.resident), out["id"])["state_name"] == "已汇总"


def test_a_bundle_item_cannot_be_applied_for_as_a_single_item(world):
    with pytest.raises(ApiError):
        services.submit(world.resident, ServiceItem.objects.get(name="开办餐饮店一件事").code)


def test_a_material_in_a_wrong_format_is_refused_and_nothing_is_written(world):
    ids = material_ids("居住证申领")
    before = Application.objects.count()
    with pytest.raises(ApiError) as exc:
        services.submit(world.resident, item_code("居住证申领"),
                        materials=[{"material_id": ids["居民身份证"], "file_name": "x.exe", "size": 10}])
    assert exc.value.status == 422 and Application.objects.count() == before


def test_the_workflow_file_is_a_valid_definition():
    assert cases.check_workflow_file(catalogue.WORKFLOW_FILE) == []
    assert io is not None and Material is not None
