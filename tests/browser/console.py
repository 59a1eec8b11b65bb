#!/usr/bin/env python3
"""Browser test: an editor runs the portal from the console in a real Chromium.

Starts `syndic serve --demo` on a fresh database with one admin user, then drives
Debian's chromium through playwright (no browser download: the system binary) as a person
would: signs in, creates a column, adds an outlet and copies its ingest token from the
page, pushes an article with that token, finds the article in the console, withdraws it,
sees it gone from the public feed, finds every step in the audit log, signs out. On the
way, every console page is checked at phone width (no horizontal scroll), for a label on
every input and for `lang`; the keyboard alone signs in. With --screenshots DIR it saves
the dashboard, the article list and the quarantine at desktop and phone widths.
Prints 'N passed, M failed'.

usage: console.py --binary target/debug/syndic [--database-url URL] [--screenshots DIR]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

from playwright.sync_api import Error as PlaywrightError, sync_playwright

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from syndic_harness import Tally, free_port, http  # noqa: E402
from syndic_harness import start_server as harness_start  # noqa: E402

ADMIN_TOKEN = "browser-admin-token"
USERNAME = "zhaolei"
PASSWORD = "长江日报 correct horse"
CHROMIUM = os.environ.get("SYNDIC_CHROMIUM", "/usr/bin/chromium")
TITLE = "浏览器测试:社区食堂开进老街区"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}
# Pages every admin sees; each must fit a phone and label its inputs.
PAGES = ["/admin/", "/admin/articles", "/admin/quarantine", "/admin/columns", "/admin/outlets",
         "/admin/sources", "/admin/partners", "/admin/users", "/admin/audit", "/admin/account"]

tally = Tally()
check = tally.check


def eventually(what, condition, seconds=10):
    """Waits until `condition()` holds (a change reaching a cached feed), or fails."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    check(what, False, f"not within {seconds} s")
    return False


def step(name, action, *args):
    """Runs one step of the story; a step the page cannot do (no such form, a timeout) is
    a failure of that step, and the story goes on where it can."""
    try:
        return action(*args)
    except PlaywrightError as error:
        check(name, False, str(error).splitlines()[0])
        return None


def start_server(binary, database_url, port):
    """The demo site, with one admin user and a blocked term to hold an article by."""
    env = {"SYNDIC_ADMIN_TOKEN": ADMIN_TOKEN, "SYNDIC_BLOCKED_TERMS": "bet365"}
    user = subprocess.run(
        [binary, "--database-url", database_url, "user", "add", USERNAME, "--name", "赵磊", "--role", "admin",
         "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, env=dict(os.environ, **env),
    )
    if user.returncode != 0:
        sys.exit(f"could not add the user: {user.stderr}")
    return harness_start(binary, database_url, port, env)


def submit(page, action):
    """Submits the form posting to `action` with its own submit button, as a click."""
    with page.expect_navigation():
        page.locator(f'form[action="{action}"] button[type="submit"], '
                     f'form[action="{action}"] input[type="submit"]').first.click()


def sign_in_with_the_keyboard(page, base):
    page.goto(base + "/admin/")
    check("no session: the console sends to the login", "/admin/login" in page.url, page.url)
    check("the login page sets lang", page.locator("html").get_attribute("lang") in ("zh-CN", "zh", "en"))
    page.keyboard.press("Tab") if not page.evaluate("document.activeElement.name === 'username'") else None
    focused = page.evaluate("document.activeElement.name")
    check("the username field has the focus", focused == "username", focused)
    page.keyboard.type(USERNAME)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check("signed in: into the console", page.url.rstrip("/").endswith("/admin"), page.url)
    check("the console names the user", "赵磊" in page.content())


def check_layout(page, base, path):
    response = page.goto(base + path)
    check(f"{path} answers 200", response.status == 200, f"{response.status} at {page.url}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    check(f"{path} fits a 375 px phone", overflow <= 0, f"{overflow} px wider")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.type !== 'button')
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !e.getAttribute('aria-labelledby'))
        .map(e => e.name || e.id || e.outerHTML.slice(0, 60))""")
    check(f"{path} labels every input", not unlabelled, unlabelled)
    check(f"{path} sets lang", bool(page.locator("html").get_attribute("lang")))


def create_column(page, base):
    page.goto(base + "/admin/columns")
    form = page.locator('form[action="/admin/columns"]')
    form.locator('[name="slug"]').fill("minsheng")
    form.locator('[name="title"]').fill("民生")
    submit(page, "/admin/columns")
    status, _, body = http(base + "/api/v1/columns/minsheng", token=ADMIN_TOKEN)
    check("the column form created the column", status == 200, f"{status} {body[:200]!r}")


def add_outlet(page, base):
    page.goto(base + "/admin/outlets")
    form = page.locator('form[action="/admin/outlets"]')
    form.locator('[name="slug"]').fill("laojie")
    form.locator('[name="name"]').fill("老街日报")
    form.locator('[name="homepage"]').fill("https://www.laojie.example/")
    submit(page, "/admin/outlets")
    shown = [v for v in page.locator("input[readonly], textarea[readonly]").evaluate_all(
        "els => els.map(e => e.value)") if v.startswith("syo_")]
    check("the new outlet's ingest token is shown once", len(shown) == 1, shown)
    page.reload()
    check("the token is not shown again", "syo_" not in page.content())
    return shown[0] if shown else ""


def push_with(base, token):
    article = {
        "original_url": "https://www.laojie.example/news/2026/12/05/canteen.html",
        "title": TITLE, "author": "李明", "original_published_at": "2026-12-05 08:00",
        "content_html": "<p>社区食堂开进老街区,居民在家门口吃上热乎饭。</p>", "columns": ["minsheng"],
    }
    status, _, body = http(base + "/api/v1/articles", "POST", json.dumps(article).encode(), token)
    check("the copied token pushes an article", status == 201, f"{status} {body[:200]!r}")
    return json.loads(body).get("id") if status == 201 else None


def in_feed(base):
    return TITLE in http(base + "/rss.xml")[2].decode()


def withdraw_in_the_console(page, base, article_id):
    page.goto(base + "/admin/articles?q=" + urllib.parse.quote("社区食堂"))
    link = page.locator(f'a[href="/admin/articles/{article_id}"]')
    check("the console finds the article by its title", link.count() >= 1, page.url)
    if not link.count():
        return
    with page.expect_navigation():
        link.first.click()
    check("the article page shows its attribution", all(t in page.content() for t in ("老街日报", "李明")))
    eventually("the article is in the public feed", lambda: in_feed(base))
    submit(page, f"/admin/articles/{article_id}/withdraw")
    eventually("withdrawn: gone from the public feed", lambda: not in_feed(base))
    status = http(f"{base}/articles/{article_id}")[0]
    check("withdrawn: its page answers 410", status == 410, status)


def audit_shows_it_all(page, base, article_id):
    page.goto(base + "/admin/audit")
    text = page.locator("main").inner_text()
    for action, target in [("login", "user:zhaolei"), ("column.add", "column:minsheng"),
                           ("outlet.add", "outlet:laojie"), ("article.withdraw", f"article:{article_id}")]:
        check(f"the audit log shows {action} {target}", action in text and target in text)
    check("the audit log names the user", "user:zhaolei" in text)
    check("no token in the audit log", "syo_" not in page.content())


def sign_out(page, base):
    page.goto(base + "/admin/")
    submit(page, "/admin/logout")
    check("signed out: at the login page", "/admin/login" in page.url, page.url)
    page.goto(base + "/admin/articles")
    check("signed out: the console asks to sign in again", "/admin/login" in page.url, page.url)


def hold_one(base, token):
    article = {
        "original_url": "https://www.laojie.example/ads/1.html", "title": "老街商户优惠活动",
        "original_published_at": "2026-12-05 09:00",
        "content_html": "<p>bet365 限时优惠</p>", "columns": ["minsheng"],
    }
    status, _, body = http(base + "/api/v1/articles", "POST", json.dumps(article).encode(), token)
    check("an article with a blocked term is held", status == 202, f"{status} {body[:300]!r}")


def screenshots(browser, base, folder):
    os.makedirs(folder, exist_ok=True)
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        page.goto(base + "/admin/login")
        page.fill('[name="username"]', USERNAME)
        page.fill('[name="password"]', PASSWORD)
        submit(page, "/admin/login")
        for name, path in (("dashboard", "/admin/"), ("articles", "/admin/articles"),
                           ("quarantine", "/admin/quarantine")):
            page.goto(base + path)
            # A phone shows its first screen; the desktop the whole page.
            page.screenshot(path=os.path.join(folder, f"{name}-{width}.png"), full_page=width == "desktop")
        context.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        database_url = args.database_url or f"sqlite://{workdir}/console.db"
        process, base, _ = start_server(args.binary, database_url, free_port())
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_context(viewport=DESKTOP).new_page()
                page.set_default_timeout(10_000)
                step("sign in", sign_in_with_the_keyboard, page, base)
                step("create a column", create_column, page, base)
                token = step("add an outlet", add_outlet, page, base)
                article_id = push_with(base, token) if token else None
                if article_id:
                    step("withdraw in the console", withdraw_in_the_console, page, base, article_id)
                    step("read the audit log", audit_shows_it_all, page, base, article_id)
                    hold_one(base, token)
                page.set_viewport_size(PHONE)
                for path in PAGES:
                    step(f"open {path}", check_layout, page, base, path)
                page.set_viewport_size(DESKTOP)
                step("sign out", sign_out, page, base)
                if args.screenshots:
                    screenshots(browser, base, args.screenshots)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    backend = database_url.split(":")[0]
    tally.finish(f"console in a browser ({backend})")


if __name__ == "__main__":
    main()
