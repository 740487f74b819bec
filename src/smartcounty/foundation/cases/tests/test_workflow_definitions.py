import json

import pytest
import yaml
from django.core.management import call_command

from smartcounty.foundation.cases.models import WorkflowVersion
from smartcounty.foundation.cases.tests.workflow_samples import sample
from smartcounty.foundation.cases.workflow import document, store
from smartcounty.foundation.cases.workflow import problems as p
from smartcounty.foundation.cases.workflow.compile import compile_document


def kinds(doc):
    return [type(x) for x in store.check(doc)]


def edit(doc, state=None, transition=None, **changes):
    items = doc["states"] if state else doc["transitions"]
    for item in items:
        if item["key"] == (state or transition):
            item.update(changes)
    return doc


def test_the_sample_is_valid_and_compiles():
    assert store.check(sample()) == []
    ct = compile_document(sample())
    ct.validate()
    assert ct.initial == "submitted" and ct.state("supplement").pauses_clock
    assert ct.state("review").join == "reviewed"
    assert {t.key for t in ct.transitions if t.branch} == {"review__planning", "review__fire"}
    assert ct.transition("lapse").timer.unit == "natural_days" and ct.transition("approve").closes
    assert ct.legal_limit.unit == "days" and ct.forms["apply"]["fields"][0]["key"] == "area"


BROKEN = [
    (lambda d: edit(d, state="submitted", start=False), p.NoStartState, "start"),
    (lambda d: edit(d, state="supplement", start=True), p.ManyStartStates, "submitted"),
    (lambda d: [edit(d, state=s, terminal=False) for s in ("done", "refused")][0], p.NoTerminalState, "terminal"),
    (lambda d: edit(d, transition="accept", to="nowhere"), p.UnknownState, "nowhere"),
    (lambda d: d["states"].append({"key": "orphan", "title": "孤立"}) or d, p.UnreachableState, "orphan"),
    (lambda d: d["transitions"].append({"key": "park", "title": "搁置", "from": ["submitted"], "to": "parked",
                                         "roles": ["staff"]})
     or d["states"].append({"key": "parked", "title": "搁置中"}) or d, p.DeadEnd, "parked"),
    (lambda d: edit(d, transition="accept", roles=["mayor"]), p.UnknownRole, "mayor"),
    (lambda d: edit(d, transition="accept", relation="friend"), p.UnknownRelation, "friend"),
    (lambda d: edit(d, state="submitted", limit={"amount": 0, "unit": "working_days"}), p.BadLimit, "submitted"),
    (lambda d: edit(d, transition="accept", guard={"field": "height", "op": "gt", "value": 1}), p.BadGuard,
     "height"),
    (lambda d: edit(d, transition="accept", guard={"field": "area", "op": "gt", "value": "big"}), p.BadGuard,
     "accept"),
    (lambda d: edit(d, transition="lapse", timer={"amount": 5, "unit": "fortnights"}), p.BadTimer, "lapse"),
    (lambda d: edit(d, transition="approve", timer={"amount": 1, "unit": "hours"}), p.BadTimer, "approve"),
    (lambda d: edit(d, state="reviewed", join_of="submitted"), p.JoinWithoutFork, "submitted"),
    (lambda d: d["states"].append({"key": "alone", "title": "单独", "branches": [{"key": "x", "title": "某审查",
                                                                                "roles": ["staff"]}]}) or d,
     p.ForkWithoutJoin, "alone"),
    (lambda d: d["transitions"].append(dict(d["transitions"][0])) or d, p.DuplicateKey, "accept"),
    (lambda d: d.update(forms={"apply": {"fields": [{"key": "x", "type": "colour", "label": "颜色"}]}}) or d,
     p.BadForm, "apply"),
    (lambda d: d.update(notifications=[{"on": "nowhere", "to": "reporter", "message": "x"}]) or d,
     p.BadNotification, "1"),
    (lambda d: d.update(title="") or d, p.BadValue, "title"),
]


@pytest.mark.parametrize(("breaks", "kind", "named"), BROKEN, ids=[b[1].__name__ + str(i) for i, b in enumerate(BROKEN)])
def test_each_problem_is_found_and_named_in_chinese(breaks, kind, named):
    from django.utils import translation

    found = [x for x in store.check(breaks(sample())) if isinstance(x, kind)]
    assert found, store.check(breaks(sample()))
    with translation.override("zh-hans"):
        text = found[0].message
    assert named in text or named in found[0].path
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_a_module_case_type_key_cannot_be_taken():
    assert p.BadValue in kinds(sample(key="cases.test"))


def test_unreadable_text_is_one_problem():
    with pytest.raises(p.DefinitionInvalid) as exc:
        document.parse("states: [unclosed")
    assert isinstance(exc.value.problems[0], p.BadDocument)


@pytest.mark.django_db
def test_publishing_an_edit_makes_a_new_version_and_keeps_the_old():
    store.save(sample())
    v1 = store.publish("wf.filing")
    assert store.publish("wf.filing").pk == v1.pk  # nothing changed: no new version
    doc = sample()
    doc["states"][0]["limit"] = {"amount": 3, "unit": "working_days"}
    store.save(doc)
    v2 = store.publish("wf.filing")
    assert (v1.number, v2.number) == (1, 2)
    assert WorkflowVersion.objects.get(pk=v1.pk).document["states"][0]["limit"]["amount"] == 1
    assert store.current("wf.filing").version_id == v2.pk
    assert store.version_type(v1.pk).state("submitted").limit.amount == 1


@pytest.mark.django_db
def test_an_invalid_draft_is_not_saved():
    with pytest.raises(p.DefinitionInvalid):
        store.save(edit(sample(), state="submitted", start=False))
    assert store.current("wf.filing") is None


@pytest.mark.django_db
def test_import_and_export_round_trip_in_yaml_and_json(tmp_path, capsys):
    path = tmp_path / "wf.yaml"
    path.write_text(document.dump(sample()), encoding="utf-8")
    call_command("workflow", "import", str(path), "--publish")
    assert store.current("wf.filing") is not None
    assert yaml.safe_load(store.export_text("wf.filing")) == sample()
    assert json.loads(store.export_text("wf.filing", "json", version=1)) == sample()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(edit(sample(), transition="accept", roles=["mayor"])), encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="mayor"):
        call_command("workflow", "check", str(bad))


def test_yaml_reads_on_yes_and_no_as_words_and_true_false_as_booleans():
    """YAML 1.1 reads an unquoted ``on``/``yes``/``no`` as a boolean; a county writing ``{on: done}`` (as the
    docs show) lost the notification's key. Only true/false are booleans here."""
    from smartcounty.foundation.cases.workflow.document import dump, parse

    doc = parse("key: x\nnotifications:\n  - {on: done, to: reporter, message: 已办结}\nflags: [yes, no, off, true, False]\n")
    assert doc["notifications"][0]["on"] == "done"
    assert doc["flags"] == ["yes", "no", "off", True, False]
    assert parse(dump(doc)) == doc
