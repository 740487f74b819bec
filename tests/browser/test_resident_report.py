"""(c) A resident signs up, reports a pothole with a map location and sees it in "my reports"; staff
dispatch and close it through the city-management workflow; the resident sees it closed and evaluates it.

Pages used: accounts (sign-up), the portal (entry), citymgmt (report, my reports), cases (case page with
one form per workflow step). Staff here is a platform administrator, who may take every step.
"""

import re
import secrets

import pytest

from .conftest import DISPATCHER, last_text, screenshot, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "Guanxian-2026!resident"
#: The GB/T 30428 flow up to the close, with the fields each step requires.
STAFF_STEPS = ("register", "dispatch", "accept", "feedback", "send_inspector", "verify_pass", "close")


def take_step(page, case_url, key):
    page.goto(case_url)
    form = page.locator(f"form#step-{key}")
    assert form.count() == 1, f"step {key} is not offered on {case_url}"
    for field in form.locator("input[required], textarea[required]").all():
        field.fill("已按要求处理" if key != "verify_pass" else "现场核查：已修复")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_resident_reports_a_pothole_and_evaluates_the_result(new_page, server, server_env):
    from playwright.sync_api import expect

    # -- the resident: one account, signed up on the phone
    phone_page, _ = new_page(360, 780)
    username = f"jumin{secrets.token_hex(3)}"
    phone_page.goto(server + "/portal/")
    phone_page.locator("a.button", has_text="注册").click()
    phone_page.fill("input[name=username]", username)
    phone_page.fill("input[name=display_name]", "测试居民")
    phone = "139" + f"{secrets.randbelow(10**8):08d}"
    phone_page.fill("input[name=phone]", phone)
    phone_page.fill("input[name=password1]", PASSWORD)
    phone_page.fill("input[name=password2]", PASSWORD)
    phone_page.locator("form:has(input[name=password2]) [type=submit]").click()
    phone_page.wait_for_load_state("networkidle")
    assert "/accounts/signup/verify/" in phone_page.url, phone_page.content()[:2000]
    # -- the code sent to the phone finishes the sign-up
    phone_page.fill("input[name=code]", re.search(r"\b(\d{6})\b", last_text(server_env, phone)).group(1))
    phone_page.locator("form:has(input[name=code]) [type=submit]").click()
    phone_page.wait_for_load_state("networkidle")
    assert "/accounts/signup/" not in phone_page.url, phone_page.content()[:2000]

    # -- reports a pothole from the portal, with a place picked on the map
    phone_page.goto(server + "/portal/")
    phone_page.locator('a[data-service="report"]').click()
    phone_page.wait_for_load_state("networkidle")
    phone_page.select_option("select[name=category]", "E0401")  # 路面塌陷: the road surface has caved in
    phone_page.fill("textarea[name=description]", "清泉街道路口路面出现大坑，车辆绕行")
    box = phone_page.locator("#map").bounding_box()
    phone_page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lon, lat = float(phone_page.input_value("#lon")), float(phone_page.input_value("#lat"))
    assert 115.2 < lon < 115.8 and 36.3 < lat < 36.8
    screenshot(phone_page, "resident-report-phone", full_page=True)
    phone_page.locator("form.report button[type=submit]").click()
    phone_page.wait_for_load_state("networkidle")
    match = re.search(r"/cases/(\d+)/", phone_page.url)
    assert match, f"no case page after reporting: {phone_page.url}"
    case_url = f"{server}/cases/{match.group(1)}/"

    phone_page.goto(server + "/portal/")
    phone_page.locator('a[data-service="my_reports"]').click()
    phone_page.wait_for_load_state("networkidle")
    mine = phone_page.locator("ul.cards li", has=phone_page.locator(f'a[href="/cases/{match.group(1)}/"]'))
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("路面塌陷")
    assert "已结案" not in mine.inner_text()

    # -- staff register, dispatch and close it, step by step on the case page
    staff_page, _ = new_page(1920, 1080)
    sign_in(staff_page, server, DISPATCHER)
    for key in STAFF_STEPS:
        take_step(staff_page, case_url, key)
    screenshot(staff_page, "staff-case-closed")

    # -- the resident sees it closed and evaluates it
    phone_page.goto(server + "/citymgmt/mine/")
    expect(mine).to_contain_text("已结案")
    phone_page.goto(case_url)
    evaluate = phone_page.locator("form#step-evaluate")
    expect(evaluate).to_have_count(1)
    evaluate.locator("select[name=rating]").select_option("5")
    evaluate.locator("button[type=submit]").click()
    phone_page.wait_for_load_state("networkidle")
    phone_page.goto(server + "/citymgmt/mine/")
    expect(mine).to_contain_text("已评价")
    expect(mine).to_contain_text("5/5")
    screenshot(phone_page, "resident-my-reports-phone", full_page=True)
