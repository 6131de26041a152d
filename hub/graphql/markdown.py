"""Markdown to safe HTML for practice bodies: CommonMark without raw HTML, then sanitised by nh3."""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def to_safe_html(text: str) -> str:
    """Render `text`; anything that could run script in a browser is removed."""
    return nh3.clean(_markdown.render(text))
