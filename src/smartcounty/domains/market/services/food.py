"""Food businesses: the yearly risk assessment sets the grade, the grade sets how often the bureau inspects
(the plan), and an inspection whose findings need rectification opens a rectification case."""

from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from smartcounty.domains.market import schedule
from smartcounty.domains.market.catalogue import (
    CASE_TYPE,
    DYNAMIC_MAX,
    FREQUENCY,
    STATIC_MAX,
    grade_of,
    interval_months,
)
from smartcounty.domains.market.models import FoodBusiness, FoodInspection, RiskAssessment
from smartcounty.domains.market.services.equipment import _town_names, check_uscc, today
from smartcounty.domains.market.services.scope import bureau_id
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

CATEGORY_NAMES = dict(FoodBusiness.Category.choices)
RESULT_NAMES = dict(FoodInspection.Result.choices)
LICENCE_PREFIX = {"production": "SC", "sales": "JY", "catering": "JY"}


def next_inspection(grade: str, last_inspected: date | None, assessed_on: date) -> date:
    """The plan's next date: a grade's interval after the last inspection (or after the assessment)."""
    return schedule.add_months(last_inspected or assessed_on, interval_months(grade))


def create_business(*, licence_no: str, name: str, uscc: str, category: str, town_code: str = "", address: str = "",
                    licence_valid_until: date | None = None, actor=None) -> int:
    licence_no = (licence_no or "").strip().upper()
    if category not in CATEGORY_NAMES:
        raise ApiError(422, "invalid", _("unknown category"), field="category")
    prefix = LICENCE_PREFIX[category]
    if not (licence_no.startswith(prefix) and len(licence_no) == 16 and licence_no[2:].isdigit()):
        raise ApiError(422, "invalid", _("a licence number is %(p)s and 14 digits") % {"p": prefix},
                       field="licence_no")
    if town_code and places.town(town_code) is None:
        raise ApiError(422, "invalid", _("unknown town %(c)s") % {"c": town_code}, field="town_code")
    uscc = check_uscc(uscc, "uscc")
    if FoodBusiness.objects.filter(licence_no=licence_no).exists():
        raise ApiError(409, "conflict", _("licence %(c)s is registered") % {"c": licence_no}, field="licence_no")
    with transaction.atomic():
        b = FoodBusiness.objects.create(licence_no=licence_no, name=name[:120], uscc=uscc, category=category,
                                        town_code=town_code, address=address[:200],
                                        licence_valid_until=licence_valid_until)
        audit.record("market.food_create", actor=actor, obj=b, detail={"licence": licence_no})
    return b.id


def assess(business_id: int, *, year: int, static_score: int, dynamic_score: int, on: date | None = None,
           actor=None) -> dict:
    """Record the yearly assessment; the newest year's grade is the business's grade and sets its plan."""
    if not 0 <= static_score <= STATIC_MAX:
        raise ApiError(422, "invalid", _("the static score is 0 to %(n)s") % {"n": STATIC_MAX}, field="static_score")
    if not 0 <= dynamic_score <= DYNAMIC_MAX:
        raise ApiError(422, "invalid", _("the dynamic score is 0 to %(n)s") % {"n": DYNAMIC_MAX},
                       field="dynamic_score")
    on = on or today()
    grade = grade_of(static_score + dynamic_score)
    with transaction.atomic():
        b = FoodBusiness.objects.select_for_update().filter(pk=business_id).first()
        if b is None:
            raise ApiError(404, "not-found")
        RiskAssessment.objects.update_or_create(business=b, year=year, defaults={
            "static_score": static_score, "dynamic_score": dynamic_score, "grade": grade, "assessed_on": on})
        if b.grade_year is None or year >= b.grade_year:
            b.grade, b.grade_year = grade, year
            b.next_inspection = next_inspection(grade, b.last_inspected, on)
            b.save(update_fields=["grade", "grade_year", "next_inspection"])
        audit.record("market.assess", actor=actor, obj=b, detail={"year": year, "score": static_score + dynamic_score,
                                                                  "grade": grade})
    return {"grade": grade, "score": static_score + dynamic_score, "next_inspection": b.next_inspection}


def inspect(business_id: int, *, done_on: date, inspector: str, result: str, findings: str = "",
            rectification: str = "", actor=None) -> dict:
    """Record an inspection; a finding that asks for rectification opens a rectification case (one
    transaction: the record and its case or neither)."""
    if result not in RESULT_NAMES:
        raise ApiError(422, "invalid", _("unknown result"), field="result")
    if done_on > today():
        raise ApiError(422, "invalid", _("the date is in the future"), field="done_on")
    if not inspector.strip():
        raise ApiError(422, "invalid", _("name the inspectors"), field="inspector")
    if result != FoodInspection.Result.CONFORM and not rectification.strip():
        raise ApiError(422, "invalid", _("say what is to be rectified"), field="rectification")
    with transaction.atomic():
        b = FoodBusiness.objects.select_for_update().filter(pk=business_id).first()
        if b is None:
            raise ApiError(404, "not-found")
        row = FoodInspection.objects.create(business=b, done_on=done_on, inspector=inspector[:80], result=result,
                                            findings=findings[:2000], rectification=rectification[:500])
        if rectification.strip():
            label = _("Rectification required")
            case = cases.create_case(
                CASE_TYPE.key, title=(_("Rectification: %(name)s") % {"name": b.name})[:200],
                description=f"{findings[:1500]}\n{label}：{rectification[:500]}".strip(),
                town_code=b.town_code, address=b.address, organisation_id=bureau_id(), source="market",
                external_ref=f"market.food-inspection:{row.id}", actor=actor)
            row.case_id, row.case_number = case.id, case.number
            row.save(update_fields=["case_id", "case_number"])
        if b.last_inspected is None or done_on > b.last_inspected:
            b.last_inspected = done_on
            if b.grade:
                b.next_inspection = next_inspection(b.grade, done_on, done_on)
            b.save(update_fields=["last_inspected", "next_inspection"])
        audit.record("market.food_inspection", actor=actor, obj=b,
                     detail={"id": row.id, "result": result, "case": row.case_number})
    return {"id": row.id, "case_id": row.case_id, "case_number": row.case_number,
            "next_inspection": b.next_inspection}


def _maker(on: date, towns: dict, year: int):
    def make(r: dict) -> dict:
        nxt = r["next_inspection"]
        return {"id": r["id"], "licence_no": r["licence_no"], "name": r["name"], "category": r["category"],
                "category_name": str(CATEGORY_NAMES[r["category"]]), "town_code": r["town_code"],
                "town_name": towns.get(r["town_code"], ""), "grade": r["grade"], "grade_year": r["grade_year"],
                "per_year": FREQUENCY.get(r["grade"], 0), "done_this_year": r["done"],
                "last_inspected": r["last_inspected"], "next_inspection": nxt,
                "overdue": bool(nxt and nxt < on)}
    return make


FIELDS = ("id", "licence_no", "name", "category", "town_code", "grade", "grade_year", "last_inspected",
          "next_inspection", "done")


def businesses(scope, *, grade: str = "", town_code: str = "", overdue: bool = False, q: str = "",
               on: date | None = None) -> Rows:
    """The inspection plan: businesses by next inspection, with the grade's yearly count and this year's done."""
    if not scope.sees:
        raise ApiError(403, "forbidden")
    on = on or today()
    qs = FoodBusiness.objects.all()
    if grade:
        if grade not in FREQUENCY:
            raise ApiError(422, "invalid", _("a grade is A, B, C or D"), field="grade")
        qs = qs.filter(grade=grade)
    if town_code:
        qs = qs.filter(town_code=town_code)
    if overdue:
        qs = qs.filter(next_inspection__lt=on)
    if q:
        q = q.strip()[:40]
        qs = qs.filter(Q(licence_no=q.upper()) | Q(name__contains=q))
    qs = qs.annotate(done=Count("inspections", filter=Q(inspections__done_on__year=on.year)))
    return Rows(qs.order_by("next_inspection", "id"), _maker(on, _town_names(), on.year), fields=FIELDS)


def business_detail(scope, business_id: int, *, on: date | None = None) -> dict | None:
    if not scope.sees:
        raise ApiError(403, "forbidden")
    on = on or today()
    qs = FoodBusiness.objects.filter(pk=business_id).annotate(
        done=Count("inspections", filter=Q(inspections__done_on__year=on.year)))
    r = qs.values(*FIELDS, "uscc", "address", "licence_valid_until").first()
    if r is None:
        return None
    out = _maker(on, _town_names(), on.year)(r)
    out.update(uscc=r["uscc"], address=r["address"], licence_valid_until=r["licence_valid_until"])
    out["assessments"] = list(RiskAssessment.objects.filter(business_id=business_id).order_by("-year")
                              .values("year", "static_score", "dynamic_score", "grade", "assessed_on")[:20])
    out["inspections"] = [{**i, "result_name": str(RESULT_NAMES[i["result"]])} for i in
                          FoodInspection.objects.filter(business_id=business_id).order_by("-done_on", "-id")
                          .values("id", "done_on", "inspector", "result", "findings", "rectification", "case_id",
                                  "case_number")[:50]]
    return out


def grade_counts(scope) -> dict[str, int]:
    if not scope.sees:
        raise ApiError(403, "forbidden")
    return dict(FoodBusiness.objects.exclude(grade="").values("grade").annotate(n=Count("id"))
                .values_list("grade", "n"))
