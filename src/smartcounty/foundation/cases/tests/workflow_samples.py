"""Definition documents the workflow tests build on."""

import copy

APPLY = {"fields": [
    {"key": "area", "type": "number", "label": "面积（平方米）", "required": True, "min": 0},
    {"key": "phone", "type": "phone", "label": "联系电话", "required": True},
]}

BASE = {
    "key": "wf.filing",
    "title": "房屋租赁备案",
    "prefix": "FB",
    "filed_by": ["*"],
    "legal_limit": {"amount": 5, "unit": "working_days"},
    "states": [
        {"key": "submitted", "title": "已提交", "start": True, "roles": ["staff"], "lane": "owner",
         "limit": {"amount": 1, "unit": "working_days"}},
        {"key": "supplement", "title": "补正", "lane": "reporter", "counts": False},
        {"key": "review", "title": "并联审查", "lane": "owner",
         "branches": [{"key": "planning", "title": "规划审查", "roles": ["staff"], "organisations": ["test-dept"]},
                      {"key": "fire", "title": "消防审查", "roles": ["staff"], "organisations": ["test-other"]}]},
        {"key": "reviewed", "title": "审查完成", "join_of": "review", "lane": "owner",
         "limit": {"amount": 2, "unit": "natural_days"}},
        {"key": "done", "title": "办结", "terminal": True, "lane": "none"},
        {"key": "refused", "title": "不予受理", "terminal": True, "lane": "none"},
    ],
    "transitions": [
        {"key": "accept", "title": "受理", "from": ["submitted"], "to": "review", "roles": ["staff"],
         "relation": "owner", "guard": {"field": "area", "op": "gt", "value": 0}},
        {"key": "ask", "title": "要求补正", "from": ["submitted"], "to": "supplement", "roles": ["staff"],
         "relation": "owner", "required": ["note"]},
        {"key": "supply", "title": "补正材料", "from": ["supplement"], "to": "submitted", "roles": ["*"],
         "relation": "reporter"},
        {"key": "lapse", "title": "逾期未补正", "from": ["supplement"], "to": "refused",
         "timer": {"amount": 5, "unit": "natural_days"}},
        {"key": "approve", "title": "准予备案", "from": ["reviewed"], "to": "done", "roles": ["staff"],
         "relation": "owner", "required": ["opinion"]},
        {"key": "refuse", "title": "不予受理", "from": ["submitted"], "to": "refused", "roles": ["staff"],
         "relation": "owner", "required": ["note"]},
    ],
    "notifications": [{"on": "done", "to": "reporter", "message": "您的备案已办结"}],
    "forms": {"apply": APPLY},
}


def sample(**changes) -> dict:
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return doc
