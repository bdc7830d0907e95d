"""The gunicorn worker that serves a classroom (`worker_class` in app/gunicorn_conf.py): gunicorn's
gthread worker, except that no pool thread ever waits on a slow client.

gthread hands each new connection to a pool thread as soon as its first byte arrives, and the
thread reads the request head with blocking reads; 400 connections that send a header line every
few seconds hold every thread, and no page or new session is served (issue 10). Here the worker's
own event loop (the poller gthread already runs to accept and to watch kept-alive connections)
collects each request head, new or kept-alive, with non-blocking reads into a buffer of its own,
and only a whole head (up to its blank line) goes to a thread, the bytes read so far given back to
gunicorn's parser. A head that is not whole within `header_timeout` seconds is answered 408, one
larger than gunicorn's limits 431 (414 for the request line), and when one address has more than
`heads_per_address` heads on their way in, the one that has waited longest is closed; so is the
largest head when all of them together pass HEAD_BYTES_PER_WORKER.

Two more waits move off the threads and the loop. gthread closes a finished connection on its
loop thread with blocking reads that wait up to 2 s for the client to close its side, so each
client that sends `GET / HTTP/1.0` and never closes stalls a worker for 2 s (20 of them kept page
loads waiting over 5 s); here that lingering close is non-blocking, on the loop. And a request body the app did not read (it reads none) is
drained only as far as it has already arrived; a body still trickling in ends the connection
instead of holding a thread for 5 s.

Not supported (check_config refuses them): TLS in gunicorn, the PROXY protocol and HTTP/2 with
prior knowledge, whose first bytes are not an HTTP/1 head. Put TLS on the proxy in front.
"""

from __future__ import annotations

import errno
import os
import re
import selectors
import socket
import time
from typing import Any

from gunicorn import http, util
from gunicorn.http.message import DEFAULT_MAX_HEADERFIELD_SIZE, MAX_HEADERS, MAX_REQUEST_LINE
from gunicorn.workers.gthread import TConn, ThreadWorker

RECV_BYTES = 8192  # one read, as gunicorn's own SocketUnreader reads a head
# All heads on their way in, together, in one worker. gunicorn's limits let one head reach 820 KB
# (100 fields of 8 KB), and a worker holds up to 1000 connections: 820 MB. A browser's head is
# under 8 KB, so 1000 of them fit and only a client sending huge heads is ever shed.
HEAD_BYTES_PER_WORKER = 32 * 1024 * 1024
# A finished connection is half-closed, then read until the client closes too (or this much time
# or data has passed), so that the last response is not cut by a reset: gunicorn's close_graceful.
LINGER_SECONDS = 2.0
LINGER_BYTES = 65536
# A worker holding this many sessions more than another one lets the others accept for
# BALANCE_WAIT seconds before it accepts a connection itself (leave_to_others): long enough for a
# busy worker on a loaded machine to get a core, short next to a page load.
BALANCE_MARGIN = 2
BALANCE_WAIT = 0.05
# An unread request body is drained for keep-alive only if it is already here.
BODY_DRAIN_SECONDS = 0.05

# A line feed without a carriage return: gunicorn refuses it (RFC 9112), and a head using them
# would never end the way the loop looks for its end.
_BARE_LF = re.compile(rb"(?<!\r)\n")


def _answer(status: str) -> bytes:
    return f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".encode()


TIMED_OUT = _answer("408 Request Timeout")
TOO_LARGE = _answer("431 Request Header Fields Too Large")
LINE_TOO_LONG = _answer("414 URI Too Long")
BAD_REQUEST = _answer("400 Bad Request")


def head_limits(cfg: Any) -> tuple[int, int]:
    """The longest request line and the longest head (an empty line before it, the request line,
    the headers and the blank line) that gunicorn's parser accepts with these settings, worked out
    as gunicorn/http/message.py does."""
    line = cfg.limit_request_line
    if line < 0 or line >= MAX_REQUEST_LINE:
        line = MAX_REQUEST_LINE
    elif line == 0:  # "unlimited": the bound gunicorn's C parser uses for it
        line = 1024 * 1024
    fields = cfg.limit_request_fields
    if fields <= 0 or fields > MAX_HEADERS:
        fields = MAX_HEADERS
    field_size = cfg.limit_request_field_size
    if field_size <= 0:
        field_size = DEFAULT_MAX_HEADERFIELD_SIZE
    return line, 2 + line + 2 + fields * (field_size + 2) + 4


class Connection(TConn):
    """gthread's connection, whose graceful close lingers on the worker's loop without blocking it."""

    def __init__(self, cfg: Any, sock: socket.socket, client: Any, server: Any, linger: Any):
        super().__init__(cfg, sock, client, server)
        self.linger = linger

    def close(self, graceful: bool = False) -> None:
        if graceful:
            self.linger(self.sock)
        else:
            util.close(self.sock)


class Head:
    """A request head on its way in: the bytes so far and when the wait for the rest ends."""

    __slots__ = ("conn", "data", "deadline", "address", "scanned", "polled")

    def __init__(self, conn: TConn, data: bytes, deadline: float, address: str):
        self.conn, self.data, self.deadline, self.address = conn, bytearray(data), deadline, address
        self.scanned = 0  # the head's end and bare line feeds are not before this offset
        self.polled = False


class PlaygroundWorker(ThreadWorker):
    """gthread with request heads collected on the event loop (see the module's docstring)."""

    # app/gunicorn_conf.py sets both from PLAYGROUND_HEADER_TIMEOUT and
    # PLAYGROUND_HEADS_PER_ADDRESS (pre_fork).
    header_timeout = 10.0
    heads_per_address = 100
    # Set by pre_fork too: the seats every worker's sessions hold (SharedSeats' counts, one slot
    # per worker) and this worker's slot, for sharing sessions out evenly (leave_to_others).
    seat_counts: Any = None
    seat_slot: int

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line_limit, self.head_limit = head_limits(self.cfg)
        # Both in the order they were added, which is the order of their deadlines (every entry
        # waits the same time, and _cap_keepalive lowers all of them to one deadline at most).
        self.heads: dict[TConn, Head] = {}
        self.lingering: dict[socket.socket, list[float]] = {}  # socket -> [deadline, bytes read]
        self.heads_by_address: dict[str, dict[TConn, None]] = {}
        self.head_bytes = 0
        self.paused_until = float("-inf")  # listening is paused until then (leave_to_others)

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        super().check_config(cfg, log)
        unsupported = [name for name, used in (
            ("TLS (certfile/keyfile)", cfg.is_ssl),
            ("proxy_protocol", getattr(cfg, "proxy_protocol", "off") not in ("off", False, None)),
            ("http2_cleartext prior knowledge",
             getattr(cfg, "http2_cleartext", "off") in ("prior-knowledge", "both"))) if used]
        if unsupported:
            raise RuntimeError(f"app.gworker.PlaygroundWorker does not support {', '.join(unsupported)}: "
                               "it reads HTTP/1 request heads itself; terminate TLS in a proxy in front")

    # -- new and kept-alive connections -----------------------------------------------------------

    def accept(self, listener: socket.socket) -> None:
        """gthread's accept, with a connection whose graceful close does not block the loop; but a
        worker that holds more sessions than another first leaves the connection to the others."""
        if not self.leave_to_others():
            self.take(listener)

    def take(self, listener: socket.socket) -> None:
        """Accept one waiting connection, if there is one (the listener does not block)."""
        try:
            sock, client = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self.enqueue_req(Connection(self.cfg, sock, client, listener.getsockname(), self.linger))

    def run(self) -> None:
        """gthread's loop, woken by signals too. gunicorn's signal handlers write to its pipe, but
        gthread does not watch it, so a SIGTERM that the kernel gave to another of the worker's
        threads (a busy compute thread, say) was handled only when the loop next woke, up to a
        second later: the pages' goodbye came late."""
        self.poller.register(self.PIPE[0], selectors.EVENT_READ, self._woken)
        super().run()

    def _woken(self, _fd: int) -> None:
        try:
            while os.read(self.PIPE[0], 4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    # -- sharing sessions out evenly ---------------------------------------------------------------

    def leave_to_others(self) -> bool:
        """Whether to let the other workers accept for a moment (True: listening is paused).

        Every worker computes its sessions on one core (app/scheduler.py), and which worker
        accepts a connection is a race: 100 sessions on 2 workers came to 58 and 46, and the 58
        got a fifth fewer frames. So a worker with BALANCE_MARGIN sessions more than another one
        stops listening for BALANCE_WAIT seconds; when the pause ends it takes the connection that
        no other worker took by then (they are busy, or gone), and only that one: every later
        connection is weighed again. (A pause that let in whatever came within a while after it let
        a worker ahead take the next client too, and 36 sessions on 3 workers came to 14 and 10.)
        """
        counts = self.seat_counts
        if counts is None or self.cfg.workers < 2:
            return False
        mine = counts[self.seat_slot]
        fewest = min(counts[slot] for slot in range(self.cfg.workers) if slot != self.seat_slot)
        if mine < fewest + BALANCE_MARGIN:
            return False
        self.paused_until = time.monotonic() + BALANCE_WAIT
        super().set_accept_enabled(False)
        return True

    def set_accept_enabled(self, enabled: bool) -> None:
        """gthread's, except that listening stays paused until the pause is over, and then first
        takes what the others left (leave_to_others)."""
        if not enabled or self.paused_until == float("-inf"):
            super().set_accept_enabled(enabled)
        elif time.monotonic() >= self.paused_until:
            self.paused_until = float("-inf")
            super().set_accept_enabled(True)
            for listener in self.sockets:
                self.take(listener)

    def enqueue_req(self, conn: TConn) -> None:
        """Collect the connection's next request head; the thread pool gets it once it is whole.

        gthread calls this for a new connection, for a kept-alive one that became readable, and for
        one whose last request left bytes of the next behind (those come back out of the parser).
        """
        data = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        address = conn.client[0] if isinstance(conn.client, tuple) else str(conn.client)
        waiting = self.heads_by_address.get(address)
        if waiting is not None and len(waiting) >= self.heads_per_address:
            # Make room by the one that has waited longest: a class behind one NAT address keeps
            # getting in (its heads take milliseconds), a client holding many slow ones does not.
            self.refuse(self.heads[next(iter(waiting))], TIMED_OUT)
        head = Head(conn, data, time.monotonic() + self.header_timeout, address)
        self.heads[conn] = head
        self.heads_by_address.setdefault(address, {})[conn] = None
        self.head_bytes += len(data)
        conn.sock.setblocking(False)
        # A kept-alive connection (and often a new one) has its head already: read it now.
        if self.examine(head) or self.receive(head):
            return
        self.poller.register(conn.sock, selectors.EVENT_READ, lambda _sock: self.receive(head))
        head.polled = True

    def receive(self, head: Head) -> bool:
        """One non-blocking read; True when the head is done with (handed over or closed)."""
        try:
            chunk = head.conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            chunk = b""
        if not chunk:  # gone (or reset) before its request was whole
            self.forget(head)
            self.nr_conns -= 1
            util.close(head.conn.sock)
            return True
        head.data += chunk
        self.head_bytes += len(chunk)
        while self.head_bytes > HEAD_BYTES_PER_WORKER:
            self.refuse(max(self.heads.values(), key=lambda h: len(h.data)), TOO_LARGE)
        if head.conn not in self.heads:
            return True
        return self.examine(head)

    def examine(self, head: Head) -> bool:
        """Hand the head over if it is whole, refuse it if it cannot become valid; True if either."""
        data = head.data
        if data.find(b"\r\n\r\n", head.scanned) >= 0:
            # Whole (the parser judges it; the bytes after it, a body or the next request, go along).
            self.hand_over(head)
            return True
        if _BARE_LF.search(data, head.scanned):
            self.refuse(head, BAD_REQUEST)
            return True
        lead = 2 if data.startswith(b"\r\n") else 0  # one empty line before the request is allowed
        if len(data) - lead > self.line_limit + 2 and data.find(b"\r\n", lead) < 0:
            self.refuse(head, LINE_TOO_LONG)
            return True
        if len(data) > self.head_limit:
            self.refuse(head, TOO_LARGE)
            return True
        head.scanned = max(0, len(data) - 3)  # the blank line may straddle two reads
        return False

    def hand_over(self, head: Head) -> None:
        conn = head.conn
        self.forget(head)
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        conn.parser.unreader.unread(bytes(head.data))
        conn.data_ready = True  # gthread's handle() does not wait for data then
        super().enqueue_req(conn)

    def refuse(self, head: Head, answer: bytes) -> None:
        """Answer (if the client has said anything at all) and close, lingering."""
        self.forget(head)
        if head.data:
            try:
                head.conn.sock.send(answer)
            except OSError:
                pass
        self.nr_conns -= 1
        head.conn.close(graceful=True)

    def forget(self, head: Head) -> None:
        del self.heads[head.conn]
        waiting = self.heads_by_address[head.address]
        del waiting[head.conn]
        if not waiting:
            del self.heads_by_address[head.address]
        self.head_bytes -= len(head.data)
        if head.polled:
            self.unregister(head.conn.sock)

    # -- closing --------------------------------------------------------------------------------

    def linger(self, sock: socket.socket) -> None:
        """gunicorn's close_graceful without blocking: half-close now, close when the client has
        closed its side, or after LINGER_SECONDS or LINGER_BYTES. It counts as a connection until then."""
        # Take the descriptor over from the socket object first: other code may still hold that
        # object (a websocket's Connection) and close it later. Closed under the poller, its stale
        # entry would make the next socket given the same number fail to register.
        fd = sock.detach()
        if fd < 0:  # closed already
            return
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            os.close(fd)
            return
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
            self.poller.register(sock, selectors.EVENT_READ, self.drain)
        except (OSError, ValueError):  # already closed or reset
            util.close(sock)
            return
        self.nr_conns += 1
        self.lingering[sock] = [time.monotonic() + LINGER_SECONDS, 0]

    def drain(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(LINGER_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        entry = self.lingering[sock]
        entry[1] += len(data)
        if not data or entry[1] >= LINGER_BYTES:
            self.end_linger(sock)

    def end_linger(self, sock: socket.socket) -> None:
        del self.lingering[sock]
        self.unregister(sock)
        util.close(sock)
        self.nr_conns -= 1

    def unregister(self, sock: socket.socket) -> None:
        try:
            self.poller.unregister(sock)
        except (KeyError, ValueError, OSError):
            pass

    def _keepalive_after(self, conn: TConn, keepalive: bool) -> bool:
        """Keep the connection only if the body the app left unread has already arrived."""
        if not keepalive:
            return False
        return bool(conn.parser.finish_body(deadline=time.monotonic() + BODY_DRAIN_SECONDS))

    # -- deadlines ------------------------------------------------------------------------------

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        """gthread waits up to 1 s between its timeout checks; wake up for the next deadline too."""
        now = time.monotonic()
        for waiting in (self.heads, self.lingering):
            if waiting:
                first = next(iter(waiting.values()))
                deadline = first.deadline if isinstance(first, Head) else first[0]
                timeout = max(0.0, min(timeout, deadline - now))
        if self.paused_until > now:  # listening is paused (leave_to_others): wake when it ends
            timeout = max(0.0, min(timeout, self.paused_until - now))
        super().wait_for_and_dispatch_events(timeout)

    def murder_pending(self) -> None:
        """gthread's timeouts (it calls this after every wait), then heads and lingering closes."""
        super().murder_pending()
        now = time.monotonic()
        while self.heads:
            head = next(iter(self.heads.values()))
            if head.deadline > now:
                break
            if head.data:
                self.refuse(head, TIMED_OUT)
            else:  # a connection that never said anything (or a kept-alive one): close quietly
                self.forget(head)
                self.nr_conns -= 1
                util.close(head.conn.sock)
        while self.lingering:
            sock, (deadline, _) = next(iter(self.lingering.items()))
            if deadline > now:
                break
            self.end_linger(sock)

    def _cap_keepalive(self, deadline: float) -> None:
        """Stopping: heads on their way in get as long as kept-alive connections, at most."""
        super()._cap_keepalive(deadline)
        for head in self.heads.values():
            head.deadline = min(head.deadline, deadline)
