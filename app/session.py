"""One training session per websocket connection: the page's messages go into its bounded inbox
(on the connection's thread); its turns on the process's compute thread (app/scheduler.py) apply
them to its own engine run, train at a bounded pace and send state, metrics and frames
(docs/protocol.md). A turn does a bounded amount of work: at most a frame budget of training (a
long epoch is trained over several turns), the messages that fit half a budget (at least one).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import engine

from . import protocol, websocket

log = logging.getLogger(__name__)

NEVER = float("inf")
BACKLOG_POLL = 0.02  # seconds between tries to hand a slow client the bytes that wait for it
INBOX_BYTES_FACTOR = 8  # the inbox holds at most this many largest messages' worth of bytes


@dataclass(frozen=True)
class Limits:
    """The per-session limits, from the server settings (app/settings.py)."""

    frames_per_second: float = 30
    max_epochs_per_frame: int = 100
    frame_budget: float = 0.015  # seconds of training per turn
    max_message_bytes: int = 65536
    messages_per_frame: int = 100
    max_pending: int = 1000
    max_sessions: int = 100
    send_timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Limits":
        return cls(frames_per_second=config["FRAMES_PER_SECOND"],
                   max_epochs_per_frame=int(config["MAX_EPOCHS_PER_FRAME"]),
                   frame_budget=config["FRAME_BUDGET_MS"] / 1000,
                   max_message_bytes=int(config["MAX_MESSAGE_BYTES"]),
                   messages_per_frame=int(config["MESSAGES_PER_FRAME"]),
                   max_pending=int(config["MAX_PENDING_MESSAGES"]),
                   max_sessions=int(config["MAX_SESSIONS"]),
                   send_timeout=float(config["SEND_TIMEOUT"]))

    def public(self) -> dict[str, Any]:
        """The limits `hello` announces, and the speed menu that fits them."""
        return {"max_epochs_per_frame": self.max_epochs_per_frame, "frames_per_second": self.frames_per_second,
                "max_message_bytes": self.max_message_bytes, "max_sessions": self.max_sessions,
                "resolution": protocol.RESOLUTION, "thumbnail": protocol.THUMBNAIL, "extent": protocol.EXTENT,
                "backprop_points": protocol.MAX_BACKPROP_POINTS,
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
    """What to send next, in the protocol's order: errors, replies, then state, data, metrics, frame. Answers
    to several messages handled together are sent once (latest wins), so a burst costs one frame."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.errors: list[str] = []
        self.replies: dict[str, str] = {}  # answers to questions (probe, backprop), latest of each kind
        self.state = self.data = self.frame = False

    def answer(self, state: bool = False, data: bool = False, frame: bool = False) -> None:
        self.state |= state
        self.data |= data
        self.frame |= frame


class Session:
    """One tab's session. The connection's thread calls `deliver` for each message (and `read`
    returns when the tab goes); the compute thread calls `turn` whenever `ready_at` has come."""

    def __init__(self, connection: Any, limits: Limits, shutting_down: threading.Event,
                 wake: Callable[[], None] = lambda: None, clock: Callable[[], float] = time.monotonic):
        self.connection, self.limits, self.shutting_down, self.clock = connection, limits, shutting_down, clock
        self.wake = wake
        self.run = engine.Run()
        self.playing = False
        self.epochs_per_frame = 1
        self.inspect: int | None = None
        self.steps_left = 0
        self.inbox: deque[str | bytes] = deque()
        self.inbox_bytes = 0
        self.room = threading.Condition()  # guards inbox, inbox_bytes and ready_at
        self.handled = 0  # client messages handled, oldest first; `state` says how many
        self.out = Outbox()
        self.next_frame = 0.0
        self.epoch_seconds = 0.0  # running estimate of one epoch's training time (0: not known yet)
        self.epoch_cost = 0.0  # training time spent on the epoch in progress, over its slices
        self.pending: tuple[Any, Callable[[Any], None]] | None = None  # a network being made
        self.stopped: str | None = None  # the stop condition that paused the run last (`state`)
        self.greeted = False
        self.ended = False
        self.ready_at = 0.0  # the greeting is due at once
        self.cpu = 0.0  # kept by the scheduler

    def __repr__(self) -> str:
        c = self.run.config
        return (f"<Session {c['dataset']} {c['network_shape']} {c['num_points'] or ''} points, batch {c['batch_size']},"
                f" {'making a network' if self.pending else 'playing' if self.playing else 'paused'},"
                f" {len(self.inbox)} waiting>")

    # -- the connection's thread ----------------------------------------------------------------

    def deliver(self, message: str | bytes) -> None:
        """Queue a client message; while the inbox is full, wait (the client then waits in TCP)."""
        size = len(message)
        with self.room:
            while (len(self.inbox) >= self.limits.max_pending
                   or self.inbox_bytes + size > INBOX_BYTES_FACTOR * self.limits.max_message_bytes):
                if self.ended or not self.connection.open or self.connection.peer_gone():
                    raise websocket.ConnectionClosed()  # nobody left to answer
                self.room.wait(0.25)
            self.inbox.append(message)
            self.inbox_bytes += size
            self.ready_at = 0.0
        self.wake()

    # -- the compute thread ---------------------------------------------------------------------

    def turn(self) -> None:
        """Greet, or say goodbye, or: handle waiting messages, train if a frame is due, send."""
        if self.ended:
            self.ready_at = NEVER
            return
        if self.shutting_down.is_set():
            self.say_goodbye()
            return
        if self.connection.backlogged and not self.catch_up():
            return
        if not self.greeted:
            self.greeted = True
            self.out.answer(state=True, data=True, frame=True)
            self.connection.send([protocol.hello(self.limits.public()), *self.compose()])
        else:
            if self.pending is not None:  # a network half made: its next step, nothing else
                self.advance()
                self.connection.send(self.compose())
                self.plan()
                return
            self.handle_inbox()
            started = self.clock()
            paced = self.pending is None and self.train_if_due()
            self.connection.send(self.compose())
            if paced:
                self.schedule(started)
        self.plan()

    def catch_up(self) -> bool:
        """The client has not taken everything sent yet: try again, and make nothing new until
        it has (nothing piles up for it); drop it once it has taken nothing for send_timeout."""
        if self.connection.flush():
            return True
        if self.connection.stuck_for() > self.limits.send_timeout:
            log.info("dropping a client that took nothing for %.0f s", self.limits.send_timeout)
            self.end()
            self.connection.abort()
            return False
        self.ready_at = self.clock() + BACKLOG_POLL
        return False

    def plan(self) -> None:
        """When this session next has work: now if messages wait or an epoch is half done."""
        if self.pending is not None:
            due = 0.0
        elif self.playing or self.steps_left:
            due = 0.0 if self.run.in_epoch else self.next_frame
        else:
            due = NEVER
        if self.connection.backlogged:  # the tail of what was sent still waits for the client
            due = min(due, self.clock() + BACKLOG_POLL)
        with self.room:
            self.ready_at = 0.0 if self.inbox else due

    def failed(self, error: BaseException) -> None:
        """A turn raised: the client has gone (the connection's thread ends with it), or a bug,
        which ends this session only (the page reconnects)."""
        if not isinstance(error, (websocket.ConnectionClosed, ConnectionError)):
            log.error("session failed", exc_info=error)
            self.connection.close(websocket.INTERNAL, "internal error")
        self.end()

    def end(self) -> None:
        with self.room:
            self.ended = True
            self.ready_at = NEVER
            self.room.notify_all()

    def handle_inbox(self) -> None:
        """Handle waiting messages: at most `messages_per_frame` of them and about half a frame
        budget of time (at least one), so a flood cannot hold up this session's frames or others."""
        deadline = self.clock() + self.limits.frame_budget / 2
        for _ in range(self.limits.messages_per_frame):
            with self.room:
                if not self.inbox:
                    return
                raw = self.inbox.popleft()
                self.inbox_bytes -= len(raw)
                self.room.notify()
            self.handle(raw)
            if self.pending is not None or self.clock() > deadline:
                return

    def handle(self, raw: str | bytes) -> None:
        """Check and apply one message; a refusal is answered with an `error`."""
        self.handled += 1
        try:
            request = protocol.parse(raw, self.context())
            try:
                HANDLERS[request.type](self, **request.fields)
            except engine.ConfigError as refused:  # the engine's own checks, behind the protocol's
                raise protocol.ProtocolError(refused.errors, request.type) from None
            except engine.DataError as refused:  # your own points (import_data)
                raise protocol.ProtocolError(refused.errors, request.type, rows=refused.rows) from None
        except protocol.ProtocolError as refused:
            self.out.errors.append(protocol.error(refused.problems, refused.request, refused.code, self.handled,
                                                  refused.rows))

    def context(self) -> protocol.Context:
        run = self.run
        own = len(run.data.train_xy) if run.config["dataset"] == engine.CUSTOM else None
        return protocol.Context(run.config, run.layer_sizes, self.limits.max_epochs_per_frame,
                                self.limits.max_message_bytes, train_points=own, table=run.table)

    # -- making networks in steps ----------------------------------------------------------------

    def begin(self, steps: Any, done: Callable[[Any], None]) -> None:
        """Start making a network in steps (engine.Run.in_steps and the like): the first step now
        (it only checks everything, so a refusal comes before any change), then one step at each
        of this session's next turns (a few milliseconds each); `done` gets the result. Meanwhile
        this session handles no other message and sends nothing (its run is half made)."""
        self.pending = (steps, done)
        self.advance()

    def advance(self) -> bool:
        """One more step of the network being made; True once it is done (or none was)."""
        if self.pending is None:
            return True
        steps, done = self.pending
        try:
            next(steps)
        except StopIteration as finished:
            self.pending = None
            done(finished.value)
            return True
        except BaseException:
            self.pending = None
            raise
        return False

    # -- training -----------------------------------------------------------------------------

    def due(self) -> bool:
        """A playing frame or a step's slice is due (or an epoch is half done)."""
        return bool(self.playing or self.steps_left) and (self.run.in_epoch or self.clock() >= self.next_frame)

    def train_if_due(self) -> bool:
        """When a frame is due: train a playing frame's epochs, or a step's next slice (a long step
        sends progress frames, paced as playing ones). True when it trained."""
        if not self.due():
            return False
        if self.steps_left:
            done = self.train(self.steps_left)
            if self.steps_left:  # (a stop condition has ended the step already)
                self.steps_left = 0 if self.run.diverged else self.steps_left - done
            self.out.answer(state=not self.steps_left, frame=done > 0)
        else:
            done = self.train(self.epochs_per_frame)
            self.out.answer(frame=done > 0)
        return done > 0

    def train(self, wanted: int) -> int:
        """Train up to `wanted` epochs within the frame budget; returns how many were completed.
        Epochs of known short cost go in whole chunks; one that is long or not yet timed is
        trained in slices (Run.step_for), perhaps over several turns."""
        was_diverged = self.run.diverged
        budget = self.limits.frame_budget
        deadline = self.clock() + budget
        done = 0
        while done < wanted and not self.run.diverged:
            left = deadline - self.clock()
            if left <= 0:
                break
            started = self.clock()
            if self.run.in_epoch or not self.epoch_seconds or self.epoch_seconds > left:
                finished = self.run.step_for(left)
                self.epoch_cost += self.clock() - started
                if not finished:
                    break
                self.learn_speed(1, self.epoch_cost)
                self.epoch_cost = 0.0
                done += 1
            else:
                chunk = max(1, min(wanted - done, int(left / self.epoch_seconds)))
                before = self.run.epoch
                self.run.step(chunk)  # fewer when a stop condition ends it
                trained = self.run.epoch - before
                if trained:
                    self.learn_speed(trained, self.clock() - started)
                done += trained
            if self.stop_if_reached():
                break
        if self.run.diverged and not was_diverged:
            self.playing = False  # a diverged run pauses and says so
            self.out.answer(state=True, frame=True)
        return done

    def stop_if_reached(self) -> bool:
        """A stop condition (stop_epoch, stop_test_loss) ended the training: pause, and say why."""
        if self.run.stopped is None:
            return False
        self.stopped, self.playing, self.steps_left = self.run.stopped, False, 0
        self.out.answer(state=True, frame=True)
        return True

    def learn_speed(self, epochs: int, seconds: float) -> None:
        per_epoch = seconds / epochs
        self.epoch_seconds = per_epoch if not self.epoch_seconds else 0.7 * self.epoch_seconds + 0.3 * per_epoch

    def schedule(self, started: float) -> None:
        """Next frame one period later, on the beat while keeping up, never catching up in a burst
        after falling behind."""
        period = 1.0 / self.limits.frames_per_second
        beat = self.next_frame if started - self.next_frame < period else started
        self.next_frame = max(beat + period, self.clock())

    # -- sending ------------------------------------------------------------------------------

    def compose(self) -> list[str | bytes]:
        """The messages that handled messages and training produced, and an empty outbox; every
        frame comes after a `metrics` message with the same epoch."""
        out, run = self.out, self.run
        messages: list[str | bytes] = list(out.errors)
        if self.pending is not None:  # the run is half made: the rest waits until it is done
            out.errors.clear()
            return messages
        messages += out.replies.values()
        if out.state:
            messages.append(protocol.state(run.config, self.playing, run.epoch, self.epochs_per_frame,
                                           run.diverged, self.inspect, run.edits, self.handled, self.stopped))
        if out.data:
            messages.append(protocol.data(run.data, run.config["problem"], table=run.table))
        if out.frame:
            messages += [protocol.metrics(run.metrics.to_dict()), self.frame()]
        out.clear()
        return messages

    def frame(self) -> bytes:
        if self.run.table is not None:  # no plane, no maps: the parameters
            return protocol.frame(self.run.layer_sizes, self.run.model.params, self.run.epoch,
                                  multiclass=self.run.config["problem"] == "multiclass",
                                  diverged=self.run.diverged, table=True)
        grids = self.run.grids(order="blocks")  # thumbnails nearly free; maps come out row-major
        main = grids.output if self.inspect is None else grids.neuron(self.inspect)
        return protocol.frame(self.run.layer_sizes, self.run.model.params, self.run.epoch, main,
                              grids.thumbnails(protocol.THUMBNAIL), inspected=self.inspect,
                              multiclass=self.run.config["problem"] == "multiclass",
                              diverged=self.run.diverged)

    def say_goodbye(self) -> None:
        """Tell the page the server is going away (it reconnects by itself) and close with 1001."""
        self.end()
        try:
            self.connection.send([protocol.closing("server shutting down")])
        finally:
            self.connection.close(websocket.GOING_AWAY, "server shutting down")

    # -- what each message does (docs/protocol.md, "Client → server") ---------------------------

    def on_configure(self, config: engine.Config) -> None:
        self.begin(self.run.configure_in_steps(config), self.configured)

    def configured(self, kind: str) -> None:
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
        self.begin(engine.Run.in_steps(settings), lambda run: self.loaded(run, edits, left_out))

    def loaded(self, run: engine.Run, edits: list[dict[str, Any]], left_out: list[tuple[str, str]]) -> None:
        self.replace_run(run)
        self.epochs_per_frame = 1
        for number, edit in enumerate(edits):
            try:
                self.run.apply_edit(edit)
            except engine.ConfigError as refused:
                left_out.append(("edits", f"entry {number} left out: " + "; ".join(f"{f}: {m}" for f, m in refused.errors)))
        if left_out:
            self.out.errors.append(protocol.error(left_out, "load", code="left_out", handled=self.handled))
        self.out.answer(state=True, data=True, frame=True)

    def on_play(self) -> None:
        self.stopped = None
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
        self.playing, self.stopped = False, None
        self.steps_left = min(self.steps_left + epochs, protocol.MAX_STEP_EPOCHS)

    def on_reset(self) -> None:
        self.begin(self.run.reset_in_steps(), self.was_reset)

    def was_reset(self, _: Any) -> None:
        self.new_network()
        self.out.answer(state=True, frame=True)

    def on_regenerate(self) -> None:
        self.begin(self.run.regenerate_in_steps(), self.regenerated)

    def regenerated(self, _: Any) -> None:
        self.epoch_seconds = self.epoch_cost = 0.0
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

    def on_probe(self, x: float | None = None, y: float | None = None, inputs: list[float] | None = None) -> None:
        if inputs is not None:  # a table's row
            self.out.replies["probe"] = protocol.probe(self.run.probe_row(inputs), None, None)
        else:
            self.out.replies["probe"] = protocol.probe(self.run.probe(x, y), x, y)

    def on_backprop(self, indices: list[int] | None = None) -> None:
        batch = self.run.next_batch() if indices is None else indices
        result = self.run.backprop(list(batch)[:protocol.MAX_BACKPROP_POINTS])
        self.out.replies["backprop"] = protocol.backprop(result, len(batch), self.run.config)

    def on_import_data(self, content: str, format: str = "csv", target: str | None = None,
                       inputs: list[str] | None = None, test_ratio: float = 20) -> None:
        """Your own points become the data, or your own table a new network's (format "table"); a
        bad file is refused whole (DataError, with its rows)."""
        c = self.run.config
        if format == "table":
            table = engine.parse_table_csv(content, target, c["problem"], inputs, test_ratio)
            # The session's settings, but what the table brings (its classes; a batch that fits it).
            update = {key: value for key, value in c.items() if key not in ("num_classes", "inputs", "batch_size")}
            if c["batch_size"] <= table.train_rows:
                update["batch_size"] = c["batch_size"]
            update["dataset"] = engine.OWN_TABLE
            self.begin(engine.Run.in_steps(update, table=table), self.model_imported)
            return
        points = engine.parse_csv(content, c["problem"], c["train_ratio"])
        self.begin(self.run.set_data_in_steps(points), self.data_imported)

    def data_imported(self, kind: str) -> None:
        if kind == "reset":  # a multiclass file with another number of classes: a new network
            self.new_network()
        self.epoch_seconds = self.epoch_cost = 0.0
        self.out.answer(state=True, data=True, frame=True)

    def on_export_data(self) -> None:
        run = self.run
        if run.table is not None:
            raise engine.ConfigError([("dataset", f"{run.config['dataset']} is a table: its file is its source; "
                                                  "export_data gives a dataset of the plane's points")])
        self.out.replies["data"] = protocol.data(run.data, run.config["problem"], csv=engine.to_csv(run.data))

    def on_export_model(self) -> None:
        self.out.replies["model"] = protocol.model(engine.model_of(self.run), engine.numpy_script(self.run))

    def on_import_model(self, model: dict[str, Any]) -> None:
        """The session becomes that network, paused; a `custom` model without its own points trains
        on the session's current ones."""
        own = self.run.data if self.run.config["dataset"] == engine.CUSTOM else None
        self.begin(engine.run_from_model_in_steps(model, own), self.model_imported)

    def model_imported(self, run: engine.Run) -> None:
        self.replace_run(run)
        self.out.answer(state=True, data=True, frame=True)

    def replace_run(self, run: engine.Run) -> None:
        """A new run for this session (load, import_model): paused, mapping the output."""
        old, self.run = self.run, run
        old.release()
        self.inspect = None
        self.new_network()

    def new_network(self) -> None:
        """A new network pauses (as the playground's reset does), drops a vanished inspect and
        forgets how long an epoch of the old one took."""
        self.playing, self.steps_left, self.epoch_seconds, self.epoch_cost = False, 0, 0.0, 0.0
        self.stopped = None
        if self.inspect is not None and self.inspect >= sum(self.run.layer_sizes[1:-1]):
            self.inspect = None


HANDLERS: dict[str, Callable[..., None]] = {
    name: getattr(Session, f"on_{name}") for name in protocol.FIELDS
}
