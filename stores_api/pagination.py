"""Optional pagination of lists: ?page=&per_page=, the total in X-Total-Count, RFC 8288 links."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from flask import request
from marshmallow import Schema, fields, validate

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 100

PAGE_HEADERS = {
    "X-Total-Count": {
        "description": "Number of entries in the whole list (paged requests only)",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'first/prev/next/last pages, e.g. <...?page=2&per_page=100>; rel="next"',
        "schema": {"type": "string"},
    },
}


class PageQuerySchema(Schema):
    """Without page and per_page the whole list comes back, as in the course."""

    page = fields.Integer(
        validate=validate.Range(1, 10**9), metadata={"description": "Page number, from 1"}
    )
    per_page = fields.Integer(
        validate=validate.Range(1, MAX_PER_PAGE),
        metadata={"description": f"Entries per page (default {DEFAULT_PER_PAGE} when paging)"},
    )


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @classmethod
    def from_args(cls, args: dict) -> Page | None:
        """The requested page, or None for the whole list."""
        if args.get("page") is None and args.get("per_page") is None:
            return None
        return cls(args.get("page") or 1, args.get("per_page") or DEFAULT_PER_PAGE)

    def headers(self, total: int) -> dict[str, str]:
        """X-Total-Count and the Link header (first, last, prev, next) for this request."""
        return _page_headers(self, total, request.base_url, request.query_string)


@lru_cache(maxsize=1024)
def _page_headers(page: Page, total: int, base_url: str, query_string: bytes) -> dict[str, str]:
    # The same page of the same list at the same URL has the same links: built once.
    last = max(1, -(-total // page.size))
    rels = {"first": 1, "last": last}
    if page.number > 1:
        rels["prev"] = min(page.number - 1, last)
    if page.number < last:
        rels["next"] = page.number + 1
    args = dict(parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True))
    links = []
    for rel, number in rels.items():
        args.update(page=str(number), per_page=str(page.size))
        links.append(f'<{base_url}?{urlencode(args)}>; rel="{rel}"')
    return {"X-Total-Count": str(total), "Link": ", ".join(links)}
