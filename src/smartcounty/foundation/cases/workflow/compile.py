"""A checked definition document made into a ``CaseType`` the engine runs."""

from dataclasses import dataclass

from django.utils import translation

from smartcounty.foundation.cases.schemas import Branch, CaseType, DataField, Limit, State, Transition, Who
from smartcounty.foundation.cases.workflow.document import as_list, whos
from smartcounty.foundation.cases.workflow.problems import DefinitionInvalid

UNIT = {"hours": "hours", "working_days": "days", "natural_days": "natural_days"}


@dataclass(frozen=True)
class Title:
    """A title in Chinese with an optional English one, shown in the active language."""

    zh: str
    en: str = ""

    def __str__(self):
        lang = (translation.get_language() or "zh-hans").lower()
        return self.en if self.en and lang.startswith("en") else self.zh


def title(spec: dict) -> Title:
    return Title(spec["title"].strip(), (spec.get("title_en") or "").strip())


def limit(spec) -> Limit | None:
    if spec is None:
        return None
    return Limit(float(spec["amount"]), UNIT[spec.get("unit", "working_days")])


def who(spec: dict, default_relation: str) -> tuple[Who, ...]:
    return tuple(Who(tuple(as_list(w.get("roles"))), w.get("relation", default_relation),
                     tuple(str(o) for o in as_list(w.get("organisations")))) for w in whos(spec, default_relation))


def compile_document(doc: dict, *, version_id: int | None = None, check: bool = True) -> CaseType:
    if check:
        from smartcounty.foundation.cases.workflow.document import check as check_doc

        problems = check_doc(doc)
        if problems:
            raise DefinitionInvalid(problems)
    terminal = {s["key"] for s in doc["states"] if s.get("terminal")}
    joins = {s["join_of"]: s["key"] for s in doc["states"] if s.get("join_of")}
    states = tuple(State(
        s["key"], title(s), lane=s.get("lane", "owner"), limit=limit(s.get("limit")),
        pauses_clock=not s.get("counts", True), final=bool(s.get("terminal")), roles=tuple(as_list(s.get("roles"))),
        branches=tuple(Branch(b["key"], title(b), who(b, "any"), limit(b.get("limit")))
                       for b in as_list(s.get("branches"))),
        join=joins.get(s["key"], "")) for s in doc["states"])
    transitions = [Transition(
        t["key"], title(t), tuple(as_list(t["from"])), t["to"], who(t, "queue"),
        required=tuple(as_list(t.get("required"))), rework=t.get("rework", False), reopen=t.get("reopen", False),
        assign=t.get("assign", False), rate=t.get("rate", False), closes=t.get("closes", t["to"] in terminal),
        public=t.get("public", True), guard=t.get("guard"), timer=limit(t.get("timer")))
        for t in doc["transitions"]]
    for s in states:  # one step per branch, taken in the parallel state by that branch's departments
        for b in s.branches:
            transitions.append(Transition(f"{s.key}__{b.key}", b.title, (s.key,), s.key, b.who, branch=b.key))
    fields = {name: DataField(f.get("kind", "text"), f.get("max_length", 200), tuple(f.get("choices", ())))
              for name, f in (doc.get("fields") or {}).items()}
    start = next(s["key"] for s in doc["states"] if s.get("start"))
    notes = tuple((n["on"], n["to"], n["message"]) for n in as_list(doc.get("notifications")))
    return CaseType(
        key=doc["key"], title=title(doc), states=states, transitions=tuple(transitions), initial=start,
        categories={str(k): v for k, v in (doc.get("categories") or {}).items()},
        reopen_days=int(doc.get("reopen_days", 7)), remind_at=float(doc.get("remind_at", 0.8)),
        prefix=doc.get("prefix", "LC"), filed_by=tuple(as_list(doc.get("filed_by", ["*"]))), fields=fields,
        forms=dict(doc.get("forms") or {}), legal_limit=limit(doc.get("legal_limit")), notifications=notes,
        version_id=version_id)
