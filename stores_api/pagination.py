"""Optional pagination of lists: ?page=&per_page=, the total in X-Total-Count, RFC 8288 links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

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
        last = max(1, -(-total // self.size))
        rels = {"first": 1, "last": last}
        if self.number > 1:
            rels["prev"] = min(self.number - 1, last)
        if self.number < last:
            rels["next"] = self.number + 1
        links = ", ".join(f'<{self._url(number)}>; rel="{rel}"' for rel, number in rels.items())
        return {"X-Total-Count": str(total), "Link": links}

    def _url(self, number: int) -> str:
        args = {key: value for key, value in request.args.items(multi=True)}
        args.update(page=str(number), per_page=str(self.size))
        return f"{request.base_url}?{urlencode(args)}"
