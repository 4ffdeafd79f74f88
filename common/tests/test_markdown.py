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
    assert '<h2 id="hashes">Hashes</h2>' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'class="codehilite"' in html and "print" in html
    assert 'href="https://docs.python.org/3/"' in html and 'rel="noopener noreferrer nofollow"' in html
