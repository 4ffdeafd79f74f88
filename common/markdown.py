"""Markdown to safe HTML: Python-Markdown renders, nh3 sanitises (Markdown alone is not safe)."""

from __future__ import annotations

import markdown
import nh3
from pygments.token import STANDARD_TYPES

_EXTENSIONS = ["extra", "sane_lists", "toc", "codehilite"]
_EXTENSION_CONFIGS = {
    "codehilite": {"guess_lang": False, "css_class": "codehilite"},
    "toc": {"permalink": False, "anchorlink": False},
}
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "s", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
}
# Only the classes the renderer itself writes: Pygments' token classes inside a code block (styled
# under .codehilite), the table of contents and footnotes. Any other class (the site's Bootstrap
# utilities: position-fixed, w-100, ...) would let lesson text restyle the page around it.
_CLASSES = {
    "div": {"codehilite", "toc", "footnote"},
    "span": {name for name in STANDARD_TYPES.values() if name} | {"hll"},
    "a": {"footnote-ref", "footnote-backref"},
}
# Ids in user content are prefixed, so a heading "Main" cannot take the page's own id="main" (the
# skip link's target) or any other; in-page links (#...) are prefixed alike, so the table of
# contents and footnotes still jump to their targets.
ID_PREFIX = "user-content-"


def _prefix_ids(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return ID_PREFIX + value
    if attribute == "href" and value.startswith("#") and len(value) > 1:
        return "#" + ID_PREFIX + value[1:]
    return value


def render_markdown(text: str) -> str:
    """Render untrusted Markdown to HTML that is safe to mark safe in a template."""
    html = markdown.markdown(text or "", extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        attribute_filter=_prefix_ids,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
