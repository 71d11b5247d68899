"""Login takes as long for an unknown username as for a wrong password (no user enumeration).

Unknown users get a dummy argon2 hash verified. The two kinds of attempt are interleaved
(so load on the machine hits both alike) and compared by their medians; the allowed
difference is 25 % of the slower median or 5 ms, whichever is larger. This is the only
timed assertion of the suite.
"""

from __future__ import annotations

import statistics
import time

from tests.helpers import PASSWORD

SAMPLES = 40
TOLERANCE = 0.25
TOLERANCE_FLOOR_S = 0.005


def timed_login(client, username: str, password: str) -> float:
    body = {"username": username, "password": password}
    start = time.perf_counter()
    response = client.post("/login", json=body)
    elapsed = time.perf_counter() - start
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_credentials"
    return elapsed


def test_unknown_user_and_wrong_password_take_the_same_time(api, client, database_url):
    """Uses the real argon2 settings (the app fixture), not the suite's cheap ones."""
    from tests.security.figures import record

    api.register("alice")
    timed_login(client, "nobody", "warm-up-1")  # builds the dummy hash once
    timed_login(client, "alice", "warm-up-2")
    unknown, wrong = [], []
    for i in range(SAMPLES):
        pair = [(f"nobody-{i}", unknown), ("alice", wrong)]
        for username, samples in pair if i % 2 else reversed(pair):
            samples.append(timed_login(client, username, PASSWORD + "-wrong"))
    unknown_median, wrong_median = statistics.median(unknown), statistics.median(wrong)
    difference = abs(unknown_median - wrong_median)
    database = database_url.split(":", 1)[0]
    record(f"login_{database}_median_unknown_user_ms", round(unknown_median * 1000, 2), add=False)
    record(f"login_{database}_median_wrong_password_ms", round(wrong_median * 1000, 2), add=False)
    record(f"login_{database}_median_difference_ms", round(difference * 1000, 2), add=False)
    allowed = max(TOLERANCE * max(unknown_median, wrong_median), TOLERANCE_FLOOR_S)
    assert difference <= allowed, (unknown_median, wrong_median)
