import pytest

from common.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<details open ontoggle=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<input autofocus onfocus=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    '<p title="</p><script>alert(1)</script>">x</p>',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_script_no_event_handler_no_javascript_url_survives(payload):
    html = render_markdown(f"Some text\n\n{payload}\n\nmore").lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "data:text/html" not in html
    for tag in ("<iframe", "<object", "<form", "<style", "<svg", "<input", "<math"):
        assert tag not in html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_event_handler_attributes(payload):
    import re

    html = render_markdown(payload)
    assert not re.search(r"<[^>]+\son\w+\s*=", html, re.IGNORECASE)
    assert "style=" not in html


def test_lesson_markdown_features_are_kept():
    html = render_markdown(
        "## Hashes\n\nText with `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('hi')\n```\n"
        "\n[docs](https://docs.python.org/3/)\n"
    )
    assert '<h2 id="user-content-hashes">Hashes</h2>' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="codehilite"' in html and "print" in html
    assert 'href="https://docs.python.org/3/"' in html and 'rel="noopener noreferrer nofollow"' in html


OVERLAY_PAYLOADS = [
    '<div class="position-fixed top-0 start-0 w-100 h-100 bg-white">Log in again here</div>',
    '<span class="position-fixed top-0 start-0 w-100 h-100">x</span>',
    '<a class="stretched-link btn btn-danger" href="https://evil.example">x</a>',
    '<p class="modal d-block">x</p>',
    '<div class="codehilite position-fixed">x</div>',
    "A paragraph {: .position-fixed .w-100 }",  # attr_list syntax
]


@pytest.mark.parametrize("payload", OVERLAY_PAYLOADS)
def test_only_the_highlighters_classes_survive(payload):
    import re

    html = render_markdown(payload)
    classes = {c for value in re.findall(r'class="([^"]*)"', html) for c in value.split()}
    assert classes <= {"codehilite"}, html
    for utility in ("position-fixed", "w-100", "h-100", "stretched-link", "btn", "modal", "d-block"):
        assert utility not in classes


def test_highlighted_code_keeps_its_token_classes():
    html = render_markdown("```python\ndef f(x):\n    return 'hi'\n```\n")
    assert '<div class="codehilite">' in html
    assert '<span class="k">def</span>' in html and 'class="nf"' in html and 'class="s1"' in html


@pytest.mark.parametrize("payload", ['<div id="main">x</div>', "# Main", '<h2 id="messages">x</h2>', "Text {: #main }"])
def test_ids_cannot_collide_with_the_pages_own(payload):
    import re

    html = render_markdown(payload)
    ids = re.findall(r'id="([^"]*)"', html)
    assert "main" not in ids and "messages" not in ids
    assert all(value.startswith("user-content-") for value in ids), html


def test_table_of_contents_and_footnote_links_still_reach_their_targets():
    import re

    html = render_markdown("[TOC]\n\n## First part\n\nSee the note[^1] and [below](#first-part).\n\n[^1]: A note.\n")
    ids = set(re.findall(r'id="([^"]*)"', html))
    links = [href[1:] for href in re.findall(r'href="(#[^"]*)"', html)]
    assert links and all(target in ids for target in links), (links, ids)
    assert "user-content-first-part" in ids
