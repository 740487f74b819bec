"""The public trace page: a shopper opens the code on a demo label (as a QR code would) and reads the pear's
chain from the orchards to the shop, with the cold-store temperature, the inspection and no personal data."""

import pytest

from .conftest import run_shell, screenshot

pytestmark = pytest.mark.browser


def test_public_trace_page_shows_the_chain_from_farm_to_shop(new_page, server, server_env):
    from playwright.sync_api import expect

    code = run_shell(server_env, "from smartcounty.domains.traceability.models import Batch; "
                                 "print(Batch.objects.filter(product='冠县鸭梨（演示）', stage='sale').get().code)").strip().splitlines()[-1]
    page, watch = new_page(360, 780)
    page.goto(server + "/traceability/")
    page.fill("input[name=code]", code)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/traceability/t/{code}/")
    expect(page.locator("#code")).to_have_text(code)
    chain = page.locator("#chain li")
    expect(chain.first).to_contain_text("生产")
    texts = chain.all_inner_texts()
    assert len(texts) >= 7
    joined = "\n".join(texts)
    for word in ("收购", "合并", "储存", "检测", "合格", "拆分", "运输", "销售", "温度", "北京时间"):
        assert word in joined, word
    assert "王秀英" not in page.content() and "王**" in page.content()  # the grower's name is masked
    assert page.locator("svg").count() >= 1  # the QR code
    screenshot(page, "traceability-public-phone", full_page=True)
    assert watch.errors == []
    page.goto(server + "/traceability/t/GXNOSUCHCODE000/")
    expect(page.locator("p.error")).to_contain_text("没有追溯码")
