"""Reading the HTML pages the service serves itself (explorer, docs): what they load, their CSP."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """The URLs a page loads, its script tags, its elements' attributes by id, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if attributes.get("id"):
            self.by_id[str(attributes["id"])] = attributes
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(str(attributes[name]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def words(self) -> str:
        """The page's text with its whitespace folded."""
        return " ".join(" ".join(self.text).split())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as directive -> sources."""
    parsed = [part.split() for part in policy.split(";") if part.strip()]
    return {words[0]: words[1:] for words in parsed}
