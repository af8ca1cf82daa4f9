"""One small HTML/SVG parser for the tests: every start tag and every
(tag, attribute, value) triple, as the browser would see them."""
from __future__ import annotations

from html.parser import HTMLParser


class Collected(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value) for name, value in attrs)

    handle_startendtag = handle_starttag

    @property
    def attr_names(self) -> list[str]:
        return [name for _, name, _ in self.attrs]


def parsed(markup) -> Collected:
    p = Collected()
    p.feed(str(markup))
    p.close()
    return p
