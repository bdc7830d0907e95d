"""Memory benchmark: what one session holds in a server process, measured from outside as the
growth of gunicorn's processes (PSS and RSS, /proc) when N sessions open, train and pause.

Starts gunicorn with the project's config and the image's environment, one worker by default
(every session lands in the process measured; --workers 2 is the image's setup, measured with
the arbiter, all together), warms it up with two sessions, then opens N browser-like
connections (they offer permessage-deflate) and gives each a network (--network default: a
fresh tab's [4, 2] on the circle; c1: the benchmark network; largest: the most the limits
allow, 8 hidden layers of 32 neurons on all 7 inputs, 2,000 points, batch size 1, adam). Each
trains a step, then plays. Reported per session: the growth paused, while playing, after all
closed (what is given back), and with as many new sessions open again, --rounds − 1 times
(what is reused).

    .venv/bin/python benchmarks/memory.py --network default --sessions 40
    .venv/bin/python benchmarks/memory.py --network largest --sessions 60 --workers 2 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import selectors
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import C1, Server, close_all, connect, frames_in  # noqa: E402  (the same client and server as load.py)

STEP = 2  # epochs each session trains before it is measured paused
IMAGE_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # as the Dockerfile
FEATURES = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
NETWORKS = {
    "default": {},  # a fresh tab: the engine's defaults
    "c1": C1,
    "largest": {"network_shape": [32] * 8, "features": FEATURES, "num_points": 2000, "train_ratio": 50,
                "batch_size": 1, "optimizer": "adam"},
}


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """(PSS, RSS) of these processes together, in MB."""
    pss = rss = 0
    for pid in pids:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            pss += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        with open(f"/proc/{pid}/status") as status:
            rss += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return pss / 1024, rss / 1024


class Clients:
    """N sessions on one selector; counts the frames each has received."""

    def __init__(self, url: str, count: int, config: dict):
        self.selector = selectors.DefaultSelector()
        self.sessions = [connect(url, deflate=True) for _ in range(count)]
        for session in self.sessions:
            self.selector.register(session.sock, selectors.EVENT_READ, session)
            session.send({"type": "configure", "config": config})
            session.send({"type": "step", "epochs": STEP})

    def pump(self, seconds: float, until_stepped: bool = False) -> None:
        """Read for `seconds`, or until every session has its network and its step's frame."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if until_stepped and all(s.frames >= 2 and getattr(s, "epoch", 0) >= STEP for s in self.sessions):
                return
            for key, _ in self.selector.select(timeout=0.05):
                session = key.data
                data = session.sock.recv(1 << 18)
                if not data:
                    raise ConnectionError(f"the server closed a session: {bytes(session.buffer[-200:])!r}")
                session.buffer += data
                for opcode, payload, _ in frames_in(session):
                    session.frames += opcode == 2
                    if opcode == 1 and payload.startswith(b'{"type":"state"'):
                        state = json.loads(payload)
                        session.shape, session.epoch = state["config"]["network_shape"], state["epoch"]
                    elif opcode == 1 and payload.startswith(b'{"type":"error"'):
                        raise RuntimeError(f"the server refused: {payload[:300]!r}")
        if until_stepped:
            raise TimeoutError(f"sessions did not get their network and step within {seconds} s")

    def check(self, config: dict) -> None:
        """Every session has the network asked for (its latest state says so)."""
        shapes = [getattr(s, "shape", None) for s in self.sessions]
        wanted = config.get("network_shape", [4, 2])
        if any(shape != wanted for shape in shapes):
            raise RuntimeError(f"not every session has the network {wanted}: {shapes}")

    def send_all(self, message: dict) -> None:
        for session in self.sessions:
            session.send(message)

    def close(self) -> None:
        close_all(self.sessions, self.selector)


def settle(pids: list[int], seconds: float = 2.0) -> tuple[float, float]:
    time.sleep(seconds)
    return memory_mb(pids)


def wait_empty(server: Server, timeout: float = 30.0) -> None:
    """Until no seat is taken, in any worker (closed sessions end within about a second)."""
    deadline = time.monotonic() + timeout
    while json.load(urllib.request.urlopen(server.url + "/healthz", timeout=5))["seats_taken"]:
        if time.monotonic() > deadline:
            raise TimeoutError("closed sessions did not end")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--network", choices=sorted(NETWORKS), default="default")
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--play", type=float, default=5.0, help="seconds of playing before measuring")
    p.add_argument("--rounds", type=int, default=2, help="times N sessions open (all closed in between)")
    p.add_argument("--workers", type=int, default=1,
                   help="gunicorn workers (default 1, measured alone; more: all processes together)")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="extra server environment")
    args = p.parse_args(argv)
    config = NETWORKS[args.network]
    # Every benchmark client is 127.0.0.1: one address may hold every seat.
    seats = {"PLAYGROUND_SESSIONS_PER_ADDRESS": str(args.sessions + 10)}
    server = Server(args.workers, args.sessions + 10,
                    {**IMAGE_ENV, **seats, **dict(e.split("=", 1) for e in args.env)})
    try:
        while len(server.pids()) < args.workers + 1:  # healthy once one worker answers; wait for all
            time.sleep(0.1)
        measured = server.pids()[1:] if args.workers == 1 else server.pids()  # with the arbiter
        warm = Clients(server.ws_url, 2, config)  # imports, caches and the first arenas
        warm.pump(60, until_stepped=True)
        warm.close()
        wait_empty(server)
        base = settle(measured)
        clients = Clients(server.ws_url, args.sessions, config)
        clients.pump(120, until_stepped=True)
        clients.check(config)
        paused = settle(measured)
        clients.send_all({"type": "play"})
        clients.pump(args.play)
        playing = memory_mb(measured)
        clients.send_all({"type": "pause"})
        clients.close()
        wait_empty(server)
        after = settle(measured)
        # As many again, after those left (--rounds times): how much of what they held the
        # worker reuses, i.e. whether its peak follows the sessions open at once.
        rounds = []
        for _ in range(args.rounds - 1):
            again = Clients(server.ws_url, args.sessions, config)
            again.pump(120, until_stepped=True)
            again.check(config)
            rounds.append(settle(measured))
            again.close()
            wait_empty(server)
    finally:
        server.stop()
    n = args.sessions
    who = "one worker" if args.workers == 1 else f"{args.workers} workers and the arbiter"
    print(f"{args.network} network, {n} sessions, {who}: PSS / RSS in MB")
    print(f"  before             {base[0]:7.1f} / {base[1]:7.1f}")
    rows = [("paused", paused), ("playing", playing), ("all closed", after)]
    rows += [(f"round {i + 2}: {n} open", memory) for i, memory in enumerate(rounds)]
    for name, (pss, rss) in rows:
        print(f"  {name:<18} {pss:7.1f} / {rss:7.1f}   per session {(pss - base[0]) / n:6.2f} / {(rss - base[1]) / n:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
