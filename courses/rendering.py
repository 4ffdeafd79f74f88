"""Lesson HTML: Markdown rendered and sanitised once per lesson version, then served from the cache."""

import hashlib

from django.core.cache import cache
from django.utils.safestring import mark_safe

from common.markdown import render_markdown
from courses.models import Lesson

RENDER_VERSION = 2  # bump when the renderer or sanitiser changes, to refresh every cached lesson


def lesson_html(lesson: Lesson) -> str:
    digest = hashlib.sha256(lesson.content.encode()).hexdigest()[:16]
    key = f"lesson-html:{RENDER_VERSION}:{lesson.pk}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_markdown(lesson.content)
        cache.set(key, html, timeout=30 * 24 * 3600)
    return mark_safe(html)  # sanitised by nh3 in render_markdown
