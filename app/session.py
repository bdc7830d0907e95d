"""One training session per websocket connection: it reads the page's messages, applies them to its
own engine run, trains at a bounded pace and sends state, metrics and frames (docs/protocol.md).
Everything happens on the connection's thread; nothing is shared with other sessions.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import engine

from . import protocol
from .turns import Turns

IDLE_WAIT = 0.25  # seconds a paused session waits for a message before checking for shutdown
DRAIN_LIMIT = 10_000  # messages moved from the socket's buffer to the inbox per loop, at most


@dataclass(frozen=True)
class Limits:
    """The per-session limits, from the server settings (app/settings.py)."""

    frames_per_second: float = 30
    max_epochs_per_frame: int = 100
    frame_budget: float = 0.015  # seconds of training per frame
    max_message_bytes: int = 65536
    messages_per_frame: int = 100
    max_pending: int = 1000
    max_sessions: int = 100

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Limits":
        return cls(frames_per_second=config["FRAMES_PER_SECOND"],
                   max_epochs_per_frame=int(config["MAX_EPOCHS_PER_FRAME"]),
                   frame_budget=config["FRAME_BUDGET_MS"] / 1000,
                   max_message_bytes=int(config["MAX_MESSAGE_BYTES"]),
                   messages_per_frame=int(config["MESSAGES_PER_FRAME"]),
                   max_pending=int(config["MAX_PENDING_MESSAGES"]),
                   max_sessions=int(config["MAX_SESSIONS"]))

    def public(self) -> dict[str, Any]:
        """The limits `hello` announces, and the speed menu that fits them."""
        return {"max_epochs_per_frame": self.max_epochs_per_frame, "frames_per_second": self.frames_per_second,
                "max_message_bytes": self.max_message_bytes, "max_sessions": self.max_sessions,
                "resolution": protocol.RESOLUTION, "thumbnail": protocol.THUMBNAIL, "extent": protocol.EXTENT,
                "speeds": speed_steps(self.max_epochs_per_frame)}


def random_seed() -> str:
    """A seed as the original makes one for a page opened without one: Math.random().toFixed(5)."""
    return f"{secrets.randbelow(100_000) / 100_000:.5f}"


def speed_steps(most: int) -> list[int]:
    """Epochs per frame a page offers: 1, 2, 5, 10, 20, 50, ... up to `most`, which ends the list."""
    steps, scale = [], 1
    while scale <= most:
        steps += [m * scale for m in (1, 2, 5) if m * scale <= most]
        scale *= 10
    return steps if steps[-1] == most else steps + [most]


class Outbox:
    """What to send next, in the protocol's order: errors, then state, data, metrics, frame. Answers
    to several messages handled together are sent once (latest wins), so a burst costs one frame."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.errors: list[str] = []
        self.state = self.data = self.frame = False

    def answer(self, state: bool = False, data: bool = False, frame: bool = False) -> None:
        self.state |= state
        self.data |= data
        self.frame |= frame


class Session:
    """One tab's session. `serve()` runs until the client leaves (ConnectionClosed) or shutdown."""

    def __init__(self, ws: Any, limits: Limits, shutting_down: threading.Event, turns: Turns | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.ws, self.limits, self.shutting_down, self.clock = ws, limits, shutting_down, clock
        self.turns = turns or Turns()
        self.run = engine.Run()
        self.playing = False
        self.epochs_per_frame = 1
        self.inspect: int | None = None
        self.steps_left = 0
        self.inbox: deque[str | bytes] = deque()
        self.dropped = 0
        self.handled = 0  # client messages handled or dropped, oldest first; `state` says how many
        self.out = Outbox()
        self.next_frame = 0.0
        self.epoch_seconds = 0.0  # running estimate of one epoch's training time
        self.last_urgent = float("-inf")  # when this session last went ahead of paced frames

    # -- the loop -----------------------------------------------------------------------------

    def serve(self) -> None:
        """Greet, then read, train and send until the client leaves or the server shuts down. The
        work is done in turns shared with the process's other sessions; sending is not."""
        self.out.answer(state=True, data=True, frame=True)
        with self.turns.turn(urgent=True):
            greeting = [protocol.hello(self.limits.public()), *self.compose()]
        self.send_all(greeting)
        while not self.shutting_down.is_set():
            self.receive(self.wait_time())
            if self.inbox or self.due():
                self.work()
        self.say_goodbye()

    def work(self) -> None:
        """One turn: handle waiting messages and train if a frame is due, then send."""
        with self.turns.turn(urgent=self.urgent()):
            self.handle_inbox()
            started = self.clock()
            paced = self.train_if_due()
            messages = self.compose()
        self.send_all(messages)
        if paced:
            self.schedule(started)

    def urgent(self) -> bool:
        """Messages are waiting, and this session has had no urgent turn within a frame period
        (a client that floods the server gets one, not all of them)."""
        now = self.clock()
        if not self.inbox or now - self.last_urgent < 1.0 / self.limits.frames_per_second:
            return False
        self.last_urgent = now
        return True

    def wait_time(self) -> float:
        """How long to wait for a message before there is work to do."""
        if self.inbox:
            return 0.0
        if self.playing or self.steps_left:
            return max(0.0, self.next_frame - self.clock())
        return IDLE_WAIT

    def receive(self, timeout: float) -> None:
        """Wait up to `timeout` for a message, then move what has arrived into the bounded inbox."""
        message = self.ws.receive(timeout=timeout)
        for _ in range(DRAIN_LIMIT):
            if message is None:
                return
            if len(self.inbox) >= self.limits.max_pending:
                self.inbox.popleft()  # latest wins: the oldest waiting message is dropped
                self.dropped += 1
                self.handled += 1
            self.inbox.append(message)
            message = self.ws.receive(timeout=0)

    def handle_inbox(self) -> None:
        """Handle waiting messages, at most `messages_per_frame` of them and about one frame budget
        of time, so a flood cannot stop this session's frames or hog the process."""
        if self.dropped:
            self.out.errors.append(protocol.error([("messages", f"{self.dropped} dropped unanswered; more than "
                                                   f"{self.limits.max_pending} were waiting")], code="too_many",
                                                  handled=self.handled))
            self.dropped = 0
        deadline = self.clock() + self.limits.frame_budget
        for _ in range(self.limits.messages_per_frame):
            if not self.inbox or self.clock() > deadline:
                return
            self.handle(self.inbox.popleft())

    def handle(self, raw: str | bytes) -> None:
        """Check and apply one message; a refusal is answered with an `error`."""
        self.handled += 1
        try:
            request = protocol.parse(raw, self.context())
            try:
                HANDLERS[request.type](self, **request.fields)
            except engine.ConfigError as refused:  # the engine's own checks, behind the protocol's
                raise protocol.ProtocolError(refused.errors, request.type) from None
        except protocol.ProtocolError as refused:
            self.out.errors.append(protocol.error(refused.problems, refused.request, refused.code, self.handled))

    def context(self) -> protocol.Context:
        return protocol.Context(self.run.config, self.run.layer_sizes, self.limits.max_epochs_per_frame,
                                self.limits.max_message_bytes)

    # -- training -----------------------------------------------------------------------------

    def due(self) -> bool:
        """A playing frame or a step's slice is due."""
        return bool(self.playing or self.steps_left) and self.clock() >= self.next_frame

    def train_if_due(self) -> bool:
        """When a frame is due: train a playing frame's epochs, or a step's next slice (a long step
        sends progress frames, paced as playing ones). True when it trained."""
        if not self.due():
            return False
        if self.steps_left:
            done = self.train(self.steps_left)
            self.steps_left = 0 if self.run.diverged else self.steps_left - done
            self.out.answer(state=not self.steps_left, frame=True)
        else:
            self.train(self.epochs_per_frame)
            self.out.answer(frame=True)
        return True

    def train(self, wanted: int) -> int:
        """Train up to `wanted` epochs within the frame budget (at least one); returns how many."""
        was_diverged = self.run.diverged
        deadline = self.clock() + self.limits.frame_budget
        done = 0
        while done < wanted and not self.run.diverged:
            chunk = self.chunk(wanted - done, deadline)
            started = self.clock()
            self.run.step(chunk)
            self.learn_speed(chunk, self.clock() - started)
            done += chunk
            if self.clock() >= deadline:
                break
        if self.run.diverged and not was_diverged:
            self.playing = False  # a diverged run pauses and says so
            self.out.answer(state=True, frame=True)
        return done

    def chunk(self, left: int, deadline: float) -> int:
        if not self.epoch_seconds:
            return 1
        return max(1, min(left, int((deadline - self.clock()) / self.epoch_seconds)))

    def learn_speed(self, epochs: int, seconds: float) -> None:
        per_epoch = seconds / epochs
        self.epoch_seconds = per_epoch if not self.epoch_seconds else 0.7 * self.epoch_seconds + 0.3 * per_epoch

    def schedule(self, started: float) -> None:
        """Next frame one period later, on the beat while keeping up, never catching up in a burst
        after falling behind; a frame that took longer than a whole period (a huge network) is
        followed by a rest as long as it, so one session gets at most about half a core."""
        period = 1.0 / self.limits.frames_per_second
        beat = self.next_frame if started - self.next_frame < period else started
        now = self.clock()
        rest = now - started if now - started > period else 0.0
        self.next_frame = max(beat + period, now + rest)

    # -- sending ------------------------------------------------------------------------------

    def send_all(self, messages: list[str | bytes]) -> None:
        for message in messages:
            self.ws.send(message)

    def compose(self) -> list[str | bytes]:
        """The messages that handled messages and training produced, and an empty outbox; every
        frame comes after a `metrics` message with the same epoch."""
        out, run = self.out, self.run
        messages: list[str | bytes] = list(out.errors)
        if out.state:
            messages.append(protocol.state(run.config, self.playing, run.epoch, self.epochs_per_frame,
                                           run.diverged, self.inspect, run.edits, self.handled))
        if out.data:
            messages.append(protocol.data(run.data, run.config["problem"]))
        if out.frame:
            messages += [protocol.metrics(run.metrics.to_dict()), self.frame()]
        out.clear()
        return messages

    def frame(self) -> bytes:
        grids = self.run.grids(order="blocks")  # thumbnails nearly free; maps come out row-major
        main = grids.output if self.inspect is None else grids.neuron(self.inspect)
        return protocol.frame(self.run.layer_sizes, self.run.model.params, self.run.epoch, main,
                              grids.thumbnails(protocol.THUMBNAIL), inspected=self.inspect,
                              multiclass=self.run.config["problem"] == "multiclass",
                              diverged=self.run.diverged)

    def say_goodbye(self) -> None:
        """Tell the page the server is going away (it reconnects by itself) and close with 1001."""
        self.ws.send(protocol.closing("server shutting down"))
        self.ws.close(reason=1001, message="server shutting down")

    # -- what each message does (docs/protocol.md, "Client → server") ---------------------------

    def on_configure(self, config: engine.Config) -> None:
        kind = self.run.configure(config)
        if kind in ("reset", "data"):
            self.new_network()
        self.out.answer(state=True, data=kind == "data", frame=True)

    def on_load(self, config: dict[str, Any], edits: list[dict[str, Any]]) -> None:
        """What a fresh tab with these settings and hand-set weights gets: a new run, paused at
        epoch 0, at one epoch per frame, mapping the output. What the engine refuses is left out
        (and said), the rest applied. Without a usable seed it gets a random one, as a fresh tab
        of the original does (so a class does not all see one initialisation)."""
        settings, left_out = engine.usable(config)
        if "seed" not in config or any(field == "seed" for field, _ in left_out):
            settings = engine.validate({"seed": random_seed()}, settings)
        self.run = engine.Run(settings)
        self.inspect, self.epochs_per_frame = None, 1
        self.new_network()
        for number, edit in enumerate(edits):
            try:
                self.apply_edit(edit)
            except engine.ConfigError as refused:
                left_out.append(("edits", f"entry {number} left out: " + "; ".join(f"{f}: {m}" for f, m in refused.errors)))
        if left_out:
            self.out.errors.append(protocol.error(left_out, "load", code="left_out", handled=self.handled))
        self.out.answer(state=True, data=True, frame=True)

    def apply_edit(self, edit: dict[str, Any]) -> None:
        """One entry of a link's edits: set_bias's fields if it names a node, else set_weight's."""
        names = engine.BIAS_FIELDS if "node" in edit else engine.WEIGHT_FIELDS
        unknown = [(key, "unknown field") for key in edit if key not in names]
        if unknown:
            raise engine.ConfigError(unknown)
        layer, value = edit.get("layer"), edit.get("value")
        if "node" in edit:
            self.run.set_bias(layer, edit["node"], value)
        else:
            self.run.set_weight(layer, edit.get("from"), edit.get("to"), value)

    def on_play(self) -> None:
        if self.run.diverged:
            raise protocol.ProtocolError([("play", "the run has diverged; reset it, or change a setting "
                                                   "that makes a new network")], "play")
        self.playing, self.steps_left = True, 0  # the first frame comes when the pace allows
        self.out.answer(state=True)

    def on_pause(self) -> None:
        self.playing, self.steps_left = False, 0
        self.out.answer(state=True)

    def on_step(self, epochs: int) -> None:
        """Pauses, then trains; the answer comes when the epochs are done (long steps in slices)."""
        self.playing = False
        self.steps_left = min(self.steps_left + epochs, protocol.MAX_STEP_EPOCHS)

    def on_reset(self) -> None:
        self.run.reset()
        self.new_network()
        self.out.answer(state=True, frame=True)

    def on_regenerate(self) -> None:
        self.run.regenerate()
        self.epoch_seconds = 0.0
        self.out.answer(state=True, data=True, frame=True)

    def on_set_weight(self, layer: int, value: float, **nodes: int) -> None:
        self.run.set_weight(layer, nodes["from"], nodes["to"], value)
        self.out.answer(state=True, frame=True)  # the state lists the edits

    def on_set_bias(self, layer: int, node: int, value: float) -> None:
        self.run.set_bias(layer, node, value)
        self.out.answer(state=True, frame=True)

    def on_set_speed(self, epochs_per_frame: int) -> None:
        self.epochs_per_frame = epochs_per_frame
        self.out.answer(state=True)

    def on_inspect(self, neuron: int | None) -> None:
        self.inspect = neuron
        self.out.answer(frame=True)

    def new_network(self) -> None:
        """A new network pauses (as the playground's reset does), drops a vanished inspect and
        forgets how long an epoch of the old one took."""
        self.playing, self.steps_left, self.epoch_seconds = False, 0, 0.0
        if self.inspect is not None and self.inspect >= sum(self.run.layer_sizes[1:-1]):
            self.inspect = None


HANDLERS: dict[str, Callable[..., None]] = {
    name: getattr(Session, f"on_{name}") for name in protocol.FIELDS
}
