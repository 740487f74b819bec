"""One-window services in a browser: a resident finds 居住证申领, applies online with materials, gets one 补正
notice (the clock shows the pause), supplies the material; the window accepts, the police approve and issue
the licence, which the public page verifies; the resident rates it. A window clerk takes the same item for an
applicant in person, and a bundle (开办餐饮店一件事) is split to two departments and joined back."""

import re

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser
RESIDENT, WINDOW, POLICE, MARKET, LAW = ("resident", "approval-staff", "public-security-staff",
                                        "market-regulation-staff", "zfj-staff")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def take(page, key, *, fill=None, check=(), select=None):
    form = page.locator(f"#step-{key}")
    for name, value in (fill or {}).items():
        form.locator(f"[name={name}]").fill(value)
    for label in check:
        form.get_by_label(label).check()
    for name, value in (select or {}).items():
        form.locator(f"select[name={name}]").select_option(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_apply_supplement_approve_verify_rate_and_the_window(new_page, server):
    from playwright.sync_api import expect

    page, watch = new_page(1280, 900, user=RESIDENT)
    page.goto(server + "/services/")
    page.fill("input[name=q]", "居住证")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="居住证申领").click()
    expect(page.locator("#svc-materials")).to_contain_text("居住证明（房屋租赁合同或住宿证明）")
    page.get_by_role("link", name="网上申请").click()
    page.fill("input[name=id_number]", "371525199001011234")
    page.set_input_files("input[data-material=居民身份证]", pdf("id.pdf"))
    page.set_input_files("input[data-material=近期一寸免冠彩色照片]", pdf("photo.pdf"))
    page.locator("#svc-apply button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/services/applications/\d+/$", page.url)
    url = page.url
    expect(page.locator("#svc-state")).to_have_text("待预审")
    expect(page.locator("#svc-mats")).to_contain_text("近期一寸免冠彩色照片")

    clerk, clerk_watch = new_page(1280, 900, user=WINDOW)
    clerk.goto(url)
    take(clerk, "ask", fill={"note": "请补交住所证明"}, check=["居住证明（房屋租赁合同或住宿证明）"])
    expect(clerk.locator("#svc-state")).to_have_text("待补正")

    page.reload()
    expect(page.locator("#svc-steps")).to_contain_text("居住证明（房屋租赁合同或住宿证明）")
    expect(page.locator("#svc-clock")).to_contain_text("暂停计时")
    screenshot(page, "services-supplement-notice", full_page=True)
    page.locator("#step-supply input[type=file]").nth(2).set_input_files(pdf("lease.pdf"))
    page.locator("#step-supply button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#svc-state")).to_have_text("待预审")
    expect(page.locator("#svc-clock")).not_to_contain_text("暂停")

    clerk.reload()
    take(clerk, "accept")
    expect(clerk.locator("#svc-state")).to_have_text("审查中")
    police, police_watch = new_page(1280, 900, user=POLICE)
    police.goto(url)
    take(police, "approve", fill={"opinion": "符合居住证申领条件"})
    take(police, "issue")
    expect(police.locator("#svc-licence")).to_contain_text("居住证")
    code = police.locator("#svc-verify-code").inner_text().strip()
    assert police.locator("#svc-licence svg").count() == 1  # the QR code

    clerk.reload()
    take(clerk, "deliver", select={"delivery": "pickup"})
    take(clerk, "close")
    expect(clerk.locator("#svc-state")).to_have_text("已办结")

    anon, anon_watch = new_page(390, 844)
    anon.goto(server + "/services/verify/")
    anon.fill("input[name=code]", code)
    anon.locator("form.filters button[type=submit]").click()
    anon.wait_for_load_state("networkidle")
    expect(anon.locator("#svc-lic-status")).to_have_text("有效")
    assert anon.evaluate("document.documentElement.scrollWidth") <= 391
    screenshot(anon, "services-verify-phone", full_page=True)

    page.reload()
    take(page, "evaluate", check=["非常满意"])
    expect(page.locator("#svc-state")).to_have_text("已评价")
    expect(page.locator("#svc-rating")).to_contain_text("非常满意")

    # the window takes the same item for an applicant who came in person
    clerk.goto(server + "/services/window/?q=居住证")
    clerk.locator("#svc-found").get_by_role("link", name="居住证申领").click()
    clerk.fill("#svc-window input[name=name]", "李秀兰")
    clerk.fill("#svc-window input[name=phone]", "13905351234")
    for label in ("居民身份证", "近期一寸免冠彩色照片", "居住证明（房屋租赁合同或住宿证明）"):
        clerk.locator("#svc-window").get_by_label(label, exact=False).first.check()
    clerk.locator("#svc-window button[type=submit]").click()
    clerk.wait_for_load_state("networkidle")
    expect(clerk.locator("dl.facts")).to_contain_text("窗口受理")
    expect(clerk.locator("#svc-mats")).to_contain_text("纸质材料（窗口核验）")
    take(clerk, "accept")
    expect(clerk.locator("#svc-state")).to_have_text("审查中")
    for w in (watch, clerk_watch, police_watch, anon_watch):
        assert w.errors == []


def test_a_bundle_is_split_to_the_departments_and_joined(new_page, server):
    from playwright.sync_api import expect

    page, watch = new_page(390, 844, user=RESIDENT)
    page.goto(server + "/services/")
    page.get_by_role("link", name="开办餐饮店一件事").click()
    expect(page.locator("main")).to_contain_text("户外招牌设置许可")
    page.get_by_role("link", name="一次申请全部事项").click()
    files = page.locator("#svc-apply input[type=file]")
    for i in range(files.count()):
        files.nth(i).set_input_files(pdf(f"m{i}.pdf"))
    page.locator("#svc-apply button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/services/bundles/\d+/$", page.url)
    bundle_url = page.url
    expect(page.locator("#svc-bundle-state")).to_have_text("分办中")
    expect(page.locator("#svc-parts tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    part_urls = [server + a.get_attribute("href") for a in page.locator("#svc-parts tbody a").all()]

    clerk, clerk_watch = new_page(1280, 900, user=WINDOW)
    market, market_watch = new_page(1280, 900, user=MARKET)
    law, law_watch = new_page(1280, 900, user=LAW)
    law.goto(bundle_url)
    expect(law.locator("#svc-parts tbody tr")).to_have_count(1)  # the bureau sees its own part only
    for url in part_urls:
        clerk.goto(url)
        take(clerk, "accept")
        dept = law if "招牌" in clerk.locator("h1").inner_text() else market
        dept.goto(url)
        take(dept, "approve", fill={"opinion": "同意"})
        take(dept, "issue")
        expect(dept.locator("#svc-state")).to_have_text("已出证")
    page.goto(bundle_url)
    expect(page.locator("#svc-bundle-state")).to_have_text("已汇总")
    screenshot(page, "services-bundle-joined-phone", full_page=True)
    for w in (watch, clerk_watch, market_watch, law_watch):
        assert w.errors == []
