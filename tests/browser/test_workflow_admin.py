"""A platform administrator defines a new workflow with its filing form in the admin (a bad draft first: the
problems are named in Chinese), publishes it, and a resident files a case on it in the portal. No code change:
the definition is data.

Pages used: the admin (cases › workflow definitions), the filing pages of cases (/cases/new/), the case page.
"""

import re

import pytest

from .conftest import DISPATCHER, RESIDENT, screenshot, sign_in

pytestmark = pytest.mark.browser

DEFINITION = """\
key: wf.repair
title: 公租房维修申请
prefix: WX
filed_by: ["*"]
legal_limit: {amount: 5, unit: working_days}
states:
  - {key: submitted, title: 已申请, start: true, roles: [staff], lane: owner, limit: {amount: 1, unit: working_days}}
  - {key: repairing, title: 维修中, roles: [staff], lane: owner, limit: {amount: 3, unit: working_days}}
  - {key: done, title: 已修复, terminal: true, lane: none}
transitions:
  - {key: accept, title: 受理, from: [submitted], to: repairing, roles: [staff], relation: owner}
  - {key: finish, title: 修复完成, from: [repairing], to: done, roles: [staff], relation: owner, required: [note]}
forms:
  apply:
    fields:
      - {key: room, type: text, label: 房号, required: true, max_length: 20}
      - {key: kind, type: choice, label: 报修类型, required: true,
         options: [{value: water, label: 水管漏水}, {value: power, label: 电路故障}]}
      - {key: phone, type: phone, label: 联系电话, required: true}
"""


def test_admin_defines_publishes_and_a_resident_files(new_page, server):
    from playwright.sync_api import expect

    admin, watch = new_page(1920, 1080)
    sign_in(admin, server, DISPATCHER)
    admin.goto(server + "/admin/cases/workflowdefinition/add/")
    # -- a draft without a start state is refused, the problem named in Chinese
    admin.fill("textarea[name=text]", DEFINITION.replace("start: true, ", ""))
    admin.check("input[name=publish_now]")
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".errorlist")).to_contain_text("没有标记开始环节")
    # -- the corrected draft is saved and published as version 1
    admin.fill("textarea[name=text]", DEFINITION)
    admin.check("input[name=publish_now]")
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".messagelist")).to_contain_text("已发布为第 1 版")
    expect(admin.locator("#result_list")).to_contain_text("公租房维修申请")
    expect(admin.locator("#result_list")).to_contain_text("v1")
    screenshot(admin, "workflow-admin-published")

    # -- a resident applies on the portal's filing pages
    resident, rwatch = new_page(390, 844)
    sign_in(resident, server, RESIDENT)
    resident.goto(server + "/cases/new/")
    resident.locator("a", has_text="公租房维修申请").click()
    resident.wait_for_load_state("networkidle")
    resident.locator("form.stacked button[type=submit]").click()  # nothing filled in: per-field errors
    expect(resident.locator("[role=alert]").first).to_be_visible()
    resident.fill("input[name$=room]", "3号楼2单元501")
    resident.select_option("select[name$=kind]", "water")
    resident.fill("input[name$=phone]", "13800138000")
    resident.locator("form.stacked button[type=submit]").click()
    resident.wait_for_load_state("networkidle")
    match = re.search(r"/cases/(\d+)/", resident.url)
    assert match, resident.content()[:2000]
    expect(resident.locator("body")).to_contain_text("WX")
    expect(resident.locator("body")).to_contain_text("已申请")
    screenshot(resident, "workflow-resident-filed-phone", full_page=True)
    assert not rwatch.errors, rwatch.errors

    # -- the admin sees the case running on version 1
    admin.goto(server + "/admin/cases/workflowdefinition/")
    admin.locator("#result_list a", has_text="wf.repair").click()
    expect(admin.locator("table.sc-versions")).to_contain_text("v1")
    assert admin.locator("table.sc-versions td").nth(2).inner_text().strip() == "1"
