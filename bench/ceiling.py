"""The ceiling: a minimal Flask app answering the benchmark's URLs with our exact bytes from memory.

Like ../shared/bench/loadbench_ceiling.py (no database, no JWT decoding, no serialization), but
it serves byte-for-byte the bodies our app sent for the same URLs, recorded by bench/run.py in
BENCH_CEILING_SNAPSHOT (a JSON file: {"<path?query>": {"anon": "<file>", "auth": "<file>"}}).
Run under the same uwsgi config and worker count as the app.
"""

import json
import os
from pathlib import Path

from flask import Flask, Response, request

app = Flask(__name__)
_index = Path(os.environ["BENCH_CEILING_SNAPSHOT"])
BODIES = {
    (url, kind): (_index.parent / name).read_bytes()
    for url, kinds in json.loads(_index.read_text()).items()
    for kind, name in kinds.items()
}
NOT_FOUND = b'{"message":"Not found"}'


@app.get("/<path:_path>")
def answer(_path):
    url = request.full_path.rstrip("?")
    kind = "auth" if request.headers.get("Authorization", "").startswith("Bearer ") else "anon"
    body = BODIES.get((url, kind))
    if body is None:
        return Response(NOT_FOUND, status=404, mimetype="application/json")
    return Response(body, mimetype="application/json")


application = app
