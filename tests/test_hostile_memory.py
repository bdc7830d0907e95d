"""Issue 10, item 2: a client that never reads must not grow a worker, and is dropped. It asks to
play, stops reading, and sends small permessage-deflate messages that each inflate to 60 KB (under
MAX_MESSAGE_BYTES, 65,536), as fast as the server takes them, beside ten ordinary tabs. Before the
fix one worker grew from 64 MB to 1.26 GB: received messages queued in front of the session's own
bounded inbox while the session waited to send to a client that took nothing."""

from __future__ import annotations

import pytest

import time

from hostile import ESTABLISHED, Classroom, Hoarder, gunicorn, tcp_server_end, worker_rss_mb

pytestmark = pytest.mark.alone  # measures pacing against the wall clock: `make test` runs it alone

SEND_TIMEOUT = 3  # seconds (the default is 10); a client that takes nothing this long is dropped
RSS_LIMIT_MB = 300
FLOOD_SECONDS = 10.0


def test_a_client_that_never_reads_cannot_grow_a_worker_and_is_dropped():
    with gunicorn(max_sessions=40, SESSIONS_PER_ADDRESS=40, SEND_TIMEOUT=SEND_TIMEOUT) as server:
        workers = server.pids()[1:]
        before = worker_rss_mb(workers)
        room = Classroom(server, 10)
        hoarders: list[Hoarder] = []
        peak = {"rss": max(before), "over_at": None}
        started = time.monotonic()

        def watch(now: float) -> None:
            rss = max(worker_rss_mb(workers), default=0.0)
            peak["rss"] = max(peak["rss"], rss)
            if rss >= RSS_LIMIT_MB and peak["over_at"] is None:
                peak["over_at"] = now - started  # failed already: stop feeding it, for the machine's sake
                for h in hoarders:
                    h.stopped = True
            dropped = hoarders[-1].closed_at is not None
            if dropped and peak["over_at"] is None and now - started < FLOOD_SECONDS - 1 and len(hoarders) < 5:
                hoarders.append(room.add(Hoarder(server.ws_url)))  # dropped: it comes straight back

        try:
            hoarders.append(room.add(Hoarder(server.ws_url)))
            assert tcp_server_end(hoarders[0].sock)[0] == ESTABLISHED  # the kernel's view is read right
            room.ticks.append(watch)
            figures = room.measure(warmup=2.0, duration=FLOOD_SECONDS - 2.0)
            figures.extra.update({
                "worker RSS MB before": [round(r) for r in before], "peak": round(peak["rss"]),
                f"over {RSS_LIMIT_MB} MB after s": peak["over_at"] and round(peak["over_at"], 1),
                "hoarding connections": len(hoarders),
                "compressed messages sent": sum(h.messages for h in hoarders),
                "inflated MB sent": round(sum(h.messages * h.inflated for h in hoarders) / 1e6),
                "dropped after s": [h.closed_at and round(h.closed_at - h.opened, 1) for h in hoarders]})
        finally:
            room.close()
        print(figures)
        assert server.pids()[1:] == workers, f"a worker died: {figures}"
        assert peak["rss"] < RSS_LIMIT_MB, f"a worker grew past {RSS_LIMIT_MB} MB: {figures}"
        first = hoarders[0]
        assert first.closed_at is not None and first.closed_at - first.opened <= SEND_TIMEOUT + 5, \
            f"the client that never reads was not dropped within {SEND_TIMEOUT + 5} s: {figures}"
        assert min(figures.fps) >= 15 and figures.closed == 0, f"the class lost its frames: {figures}"
