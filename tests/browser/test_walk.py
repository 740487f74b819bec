"""The page walk: every page, as every demo role, on a wall display (1920×1080) and a phone (390×844), in
Chinese (zh-CN, Beijing time).

Every page the URL conf offers is visited (``walk.py`` finds them; nothing here lists pages), and a page
fails on: a script or console error, a failed request or one that leaves the site, an HTTP status the
role should not get, sideways scrolling or a cut-off menu on the phone, a map with nothing drawn or a
chart with no data, a form field without a Chinese label, and Latin words outside a short allow-list
(units, AQI, PM2.5, API...). A screenshot of every page for every role and size is kept under
``artifacts/screenshots/walk/``.

All pairs are walked together once (one server, one browser, a few pages at a time); each test reports
its own pair. The walk's run time is printed.
"""

import re
import time

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, SCREENSHOTS
from .walk import ROLES_UNDER_TEST, SIZES, Walker

pytestmark = [pytest.mark.browser, pytest.mark.walk]

PAIRS = [(role, size) for role in ROLES_UNDER_TEST for size in SIZES]

#: Findings of the walk in other helpers' modules, reported to them and not fixed here yet:
#: (path pattern, words of the problem, whose). Each must still be found (the test says when one is gone,
#: so that it leaves this list); anything else the walk finds fails the test.
KNOWN: list[tuple[str, str, str]] = [
    # (path pattern, words in the problem, whose): found by the session-7 walk after the new domains landed
    (r"^/cases/\d+/$", "delivery", "services: step fields shown by key (the case page's labels ignore the form)"),
    (r"\.pdf$", "external request: chrome", "walk: a PDF opens Chromium's viewer (its own extension requests)"),
]


def _unknown(problems: dict[str, list[str]], seen: set) -> dict[str, list[str]]:
    out = {}
    for path, found in problems.items():
        left = []
        for p in found:
            hits = [i for i, (pattern, words, _who) in enumerate(KNOWN) if re.search(pattern, path) and words in p]
            seen.update(hits)
            if not hits:
                left.append(p)
        if left:
            out[path] = left
    return out


@pytest.fixture(scope="module")
def walked(server):
    """Run the walk in a thread of its own (Playwright's async API needs an event loop; this thread
    already runs the sync API's)."""
    import threading

    out, failure = {}, []

    def run():
        try:
            out.update(Walker(server, CHROMIUM, CHROMIUM_ARGS, PASSWORD, SCREENSHOTS / "walk").run(PAIRS))
        except BaseException as exc:  # noqa: BLE001 - reported by the tests
            failure.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=run, name="page-walk")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    pages = sum(len(w.visits) for w in out.values())
    lines = [f"{r}/{s} {v.path} [{v.status} -> {v.final_path}]: " + " | ".join(v.problems)
             for (r, s), w in sorted(out.items()) for v in w.visits if v.problems]
    (SCREENSHOTS / "walk" / "problems.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\npage walk: {pages} page visits ({len(PAIRS)} role×size pairs) in {time.monotonic() - started:.0f} s")
    return out


@pytest.mark.parametrize(("role", "size"), PAIRS, ids=[f"{r}-{s}" for r, s in PAIRS])
def test_every_page_works(walked, role, size):
    walk = walked[(role, size)]
    # The walk reached the pages: at least the seeds and, signed in, some detail pages.
    assert len(walk.visits) >= 20, [v.path for v in walk.visits]
    problems = _unknown(walk.problems(), set())
    report = "\n".join(f"{path}: " + " | ".join(p) for path, p in sorted(problems.items()))
    assert not problems, f"{len(problems)} page(s) fail as {role} on the {size}:\n{report}"


def test_every_known_finding_is_still_there(walked):
    """A known finding that is gone (its module fixed it) leaves KNOWN: the list never hides a new one."""
    seen = set()
    for walk in walked.values():
        _unknown(walk.problems(), seen)
    gone = [KNOWN[i] for i in range(len(KNOWN)) if i not in seen]
    assert not gone, f"fixed, remove from KNOWN: {gone}"
