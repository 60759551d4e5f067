"""The widget's layout on any screen and any LSCP site: 200% text on phone widths in both modes
with every control in view, a host page whose stylesheet tries to get in, and dark mode."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from bot.web.page import start_page_server
from tests.web.conftest import SCREENSHOTS, Widget, assert_accessible, inside_viewport, set_text_size

pytestmark = pytest.mark.browser

HOSTILE_CSS = """
html { font-size: 10px; }
* { font-size: 20px; font-family: "Times New Roman", serif; line-height: 3; letter-spacing: 2px;
    text-align: center; word-spacing: 6px; text-transform: uppercase; color: #ff00ff; }
body > div, body > * { position: relative; width: 100%; }
div { display: block; margin: 0 !important; transform: none; }
button { background: #ff00ff; border-radius: 0; }
.holder { height: 36rem; }
"""


@pytest.fixture(scope="module")
def hostile_site(widget_dist, servers, tmp_path_factory):
    """An LSCP site whose CMS stylesheet is as unfriendly as they come: the widget inline
    (``inline.html``) and in the corner (``corner.html``), served from loopback like the real page."""
    site = tmp_path_factory.mktemp("hostile")
    for built in widget_dist.iterdir():
        shutil.copy(built, site / built.name)
    (site / "hostile.css").write_text(HOSTILE_CSS, encoding="utf-8")
    for name, holder, attribute in [("inline", '<div id="assistant" class="holder"></div>', 'data-container="#assistant"'),
                                    ("corner", "", "")]:
        (site / f"{name}.html").write_text(f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>Hostile LSCP page</title>
            <link rel="stylesheet" href="hostile.css"></head>
            <body><div><h1>Partnership news</h1><p>Some text of the site.</p></div>{holder}
            <script src="dasg-widget.js" data-server="__DASG_SERVER__" {attribute}
                    data-title="Ask about domestic abuse and children"></script></body></html>""", encoding="utf-8")
    running = start_page_server(servers.base_url, port=0, dist=site)
    yield running
    running.stop()


def controls(widget: Widget, corner: bool) -> list:
    page = widget.page
    names = ["Save conversation", "Start again", "Send"] + (["Close"] if corner else [])
    return [page.get_by_role("button", name=name) for name in names] + [widget.input, widget.root.locator(".count")]


def open_widget(page, page_server, corner: bool) -> Widget:
    widget = Widget(page, page_server.url + ("embed-example.html" if corner else "")).open()
    if corner:
        page.get_by_role("button", name="Ask the guidance assistant").click()
    else:
        widget.root.evaluate("host => host.scrollIntoView()")
    return widget


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 320, "height": 640}, "has_touch": True},
                                             {"viewport": {"width": 375, "height": 667}, "has_touch": True}],
                         ids=["320px", "375px"])
@pytest.mark.parametrize("corner", [False, True], ids=["inline", "corner"])
def test_200_percent_text_on_a_phone_keeps_every_control_in_view(page, page_server, corner):
    set_text_size(page, 32)
    widget = open_widget(page, page_server, corner)
    width = page.viewport_size["width"]
    assert widget.input.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 30, "the text is at 200%"
    for control in controls(widget, corner):
        expect(control).to_be_visible()
        assert inside_viewport(page, control), f"{control} is outside the window"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "no sideways scrolling"
    title = page.get_by_role("heading", level=2)
    assert title.evaluate("el => el.getClientRects().length && el.getBoundingClientRect().height") < 3 * 48, \
        "the title takes at most two lines"

    widget.ask("what is MARAC?")
    if not corner:
        widget.root.evaluate("host => host.scrollIntoView()")
    answer = widget.log.locator(".message.bot", has_text="multi-agency risk assessment conference")
    top = answer.bounding_box()["y"]
    log = widget.log.bounding_box()
    assert log["y"] - 1 <= top <= log["y"] + log["height"] / 2, "the answer starts in view"
    mode = "corner" if corner else "inline"
    page.screenshot(path=str(SCREENSHOTS / f"widget-200-percent-{width}-{mode}-answer.png"))
    # Tapping a suggested reply does not raise the on-screen keyboard.
    reply = widget.log.get_by_role("button", name="After MARAC, what about the children?")
    reply.scroll_into_view_if_needed()
    before = widget.bot_messages.count()
    reply.tap()
    widget.wait_for_answer(before)
    assert widget.root.evaluate("host => host.shadowRoot.activeElement?.tagName") != "TEXTAREA"
    for control in controls(widget, corner):
        assert inside_viewport(page, control), f"{control} is outside the window after answers"
    if corner:  # reopened after a reload, the panel still shows the text box
        page.reload()
        widget.wait_until_connected()
        expect(widget.input).to_be_visible()
        assert inside_viewport(page, widget.input) and inside_viewport(page, page.get_by_role("button", name="Close"))
    page.screenshot(path=str(SCREENSHOTS / f"widget-200-percent-{width}-{mode}.png"))
    assert_accessible(page, f"200% text at {width} px")


@pytest.mark.parametrize("corner", [False, True], ids=["inline", "corner"])
def test_a_hostile_stylesheet_does_not_get_in(page, hostile_site, corner):
    widget = Widget(page, hostile_site.url + ("corner.html" if corner else "inline.html")).open()
    if corner:
        launcher = page.get_by_role("button", name="Ask the guidance assistant")
        box = launcher.bounding_box()
        # In the corner, not pulled into the page by `body > div { position: relative }`.
        assert box["x"] + box["width"] >= 1024 - 40 and box["y"] + box["height"] >= 800 - 40, box
        launcher.click()
        panel = widget.root.locator(".panel")
        assert panel.bounding_box()["width"] < 600, "not the page's full width"
    widget.ask("what is MARAC?")
    answer = widget.log.locator(".message.bot", has_text="multi-agency risk assessment conference")
    style = answer.locator(".body p").first.evaluate(
        """el => { const s = getComputedStyle(el);
            return {size: s.fontSize, family: s.fontFamily, line: s.lineHeight, spacing: s.letterSpacing,
                    align: s.textAlign, transform: s.textTransform, words: s.wordSpacing}; }""")
    assert style["size"] == "16px", style  # the user's own text size, not the page's 20px or 10px root
    assert "serif" not in style["family"].replace("sans-serif", ""), style
    assert style["line"] == "23.2px", style
    assert style["spacing"] == "normal" and style["words"] in ("0px", "normal"), style
    assert style["align"] == "start" and style["transform"] == "none", style
    for control in controls(widget, corner):
        assert inside_viewport(page, control)
    page.screenshot(path=str(SCREENSHOTS / f"widget-hostile-page-{'corner' if corner else 'inline'}.png"))


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 1024, "height": 800}, "color_scheme": "dark"}])
def test_dark_mode_follows_the_system_setting(widget: Widget):
    widget.ask("what is MARAC?")
    panel = widget.root.locator(".panel")
    background = panel.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(22, 24, 29)", background
    answer = widget.log.locator(".message.bot", has_text="multi-agency risk assessment conference")
    assert answer.evaluate("el => getComputedStyle(el).color") == "rgb(236, 238, 241)"
    answer.locator("summary").first.click()
    assert_accessible(widget.page, "dark mode")
    widget.page.screenshot(path=str(SCREENSHOTS / "widget-dark.png"))
