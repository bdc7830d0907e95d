// The websocket to /ws: opens it, reconnects by itself after a drop or a server restart, sends
// JSON messages, and hands received messages on as events ("message" for JSON, "frame" for binary,
// "status" when the connection's state changes). What the messages mean is session.js's business.

import { decodeFrame } from "./frame.js";

const RETRY_DELAYS_MS = [200, 500, 1000, 2000, 3000];
const FULL_RETRY_MS = 5000; // the server said it is full: come back later, not at once
const HANDSHAKE_MS = 6000;  // a handshake that hangs (a half-dead proxy, a stalled server) is retried

/** The /ws address on the page's own origin (nothing ever leaves it). */
export function socketUrl(location = window.location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

export class Connection extends EventTarget {
  /** @param {string} url */
  constructor(url) {
    super();
    this.url = url;
    this.socket = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.full = false;
    this.status = "connecting";
    this.sent = 0; // messages sent on the current socket (the server's `state.handled` counts them)
  }

  /** Open the socket (again); safe to call at any time. */
  open() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    this.setStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.sent = 0;
    const handshake = setTimeout(() => {
      if (socket.readyState === WebSocket.CONNECTING) socket.close();
    }, HANDSHAKE_MS);
    socket.addEventListener("open", () => {
      clearTimeout(handshake);
      this.attempt = 0;
      this.full = false;
      this.setStatus("open");
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => {
      clearTimeout(handshake);
      this.closed(socket);
    });
    this.socket = socket;
  }

  /**
   * Send one message; returns its number on this socket (1, 2, …), or 0 (and sends nothing)
   * while the socket is not open.
   * @param {object} message  {type, ...fields}
   * @returns {number}
   */
  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return 0;
    this.socket.send(JSON.stringify(message));
    this.sent += 1;
    return this.sent;
  }

  /** Try at once (the browser came back online, or the user asked). */
  retryNow() {
    if (this.status !== "open") {
      this.attempt = Math.max(this.attempt, 1);
      this.open();
    }
  }

  receive(data) {
    if (typeof data !== "string") {
      let frame;
      try {
        frame = decodeFrame(data);
      } catch (error) {
        this.emit("message", { type: "error", errors: [String(error.message)], code: "frame" });
        return;
      }
      this.emit("frame", frame);
      return;
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return; // the protocol only sends JSON objects; ignore anything else
    }
    if (message.type === "error" && message.code === "full") {
      // The whole server is full ("full"), or this address holds all the tabs it may ("crowded").
      this.full = (message.fields ?? []).includes("address") ? "crowded" : "full";
    }
    if (message.type === "closing") this.setStatus("reconnecting");
    this.emit("message", message);
  }

  closed(socket) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.attempt += 1;
    this.setStatus(this.full || "reconnecting");
    const delay = this.full
      ? FULL_RETRY_MS
      : RETRY_DELAYS_MS[Math.min(this.attempt - 1, RETRY_DELAYS_MS.length - 1)];
    // A little jitter so a classroom of pages does not knock all at once after a restart.
    this.retryTimer = setTimeout(() => this.open(), delay * (0.8 + 0.4 * Math.random()));
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.emit("status", status);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
