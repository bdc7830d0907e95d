// The training session as the page sees it: turns server messages into store updates, restores
// the user's settings and hand-set weights from the URL hash whenever a connection opens (first
// load, reload, reconnect), keeps the hash in step with the server, and offers the actions the
// views call.

import { fitBatch } from "./config.js";
import { EditLog, fits, layerSizes, messageFor } from "./edits.js";
import { completeConfig, formatHash, hasSettings, parseHash } from "./hash.js";

const MAX_RESTORE_TRIES = 3;

export class Session {
  /**
   * @param {import("./store.js").Store} store
   * @param {import("./connection.js").Connection} connection
   * @param {{location: Location, history: History}} [env]
   */
  constructor(store, connection, env = { location: window.location, history: window.history }) {
    this.store = store;
    this.connection = connection;
    this.env = env;
    this.restoring = null; // {wanted, tries, statesSeen} while a restore is in flight
    this.wantedInspect = null;
    this.edits = new EditLog();
    this.linkEdits = null; // {edits, bad} from the hash, to send once its settings are applied
    connection.addEventListener("status", (e) => this.onStatus(e.detail));
    connection.addEventListener("message", (e) => this.onMessage(e.detail));
    connection.addEventListener("frame", (e) => this.onFrame(e.detail));
    store.on(["display", "epochsPerFrame"], () => this.writeHash());
  }

  // -- actions the views call ---------------------------------------------------------------

  /** Change settings (a partial config); the server answers with its new state. */
  configure(partial) {
    return this.send({ type: "configure", config: partial });
  }

  play() { return this.send({ type: "play" }); }
  pause() { return this.send({ type: "pause" }); }
  togglePlay() { return this.store.state.playing ? this.pause() : this.play(); }
  step(epochs = 1) { return this.send({ type: "step", epochs }); }

  reset() {
    const sent = this.send({ type: "reset" });
    if (sent && this.edits.resetSent()) this.writeHash();
    return sent;
  }

  regenerate() {
    const sent = this.send({ type: "regenerate" });
    if (sent) this.edits.regenerateSent();
    return sent;
  }

  setWeight(layer, from, to, value) {
    return this.sendEdit({ kind: "weight", layer, from, to, value });
  }

  setBias(layer, node, value) {
    return this.sendEdit({ kind: "bias", layer, node, value });
  }

  /**
   * Send a hand edit of the network the page shows (`sizes`: its layer sizes). One that fits it
   * is tracked until a frame shows it; one that does not is still sent, so the server's error says
   * what is wrong with it.
   */
  sendEdit(edit, sizes = this.store.state.frame?.sizes, fromLink = false) {
    const sent = this.send(messageFor(edit));
    if (sent && sizes && fits(edit, sizes)) this.edits.sent(edit, sizes, this.store.state.epoch, fromLink);
    return sent;
  }

  setSpeed(epochsPerFrame) {
    return this.send({ type: "set_speed", epochs_per_frame: epochsPerFrame });
  }

  /** Show a hidden neuron's full map in the big view (null: back to the output). */
  inspect(neuron) {
    if (neuron === this.wantedInspect) return true;
    this.wantedInspect = neuron;
    return this.send({ type: "inspect", neuron });
  }

  /** Display-only settings (show test data, discretize): the hash only, never the server. */
  setDisplay(patch) {
    this.store.update({ display: { ...this.store.state.display, ...patch } });
  }

  send(message) {
    const sent = this.connection.send(message);
    if (!sent) this.store.update({ error: "Not connected to the server; the change was not applied." });
    return sent;
  }

  // -- the hash ------------------------------------------------------------------------------

  /** Read the hash now (on load and whenever the user edits it). */
  readHash() {
    const options = this.store.state.hello?.options;
    if (!options) return null;
    const settings = parseHash(this.env.location.hash, options);
    this.store.update({ hidden: settings.hidden, hideText: settings.hideText });
    if (Object.keys(settings.display).length) {
      this.store.update({ display: { ...this.store.state.display, ...settings.display } });
    }
    return settings;
  }

  /**
   * Apply the hash to the open session: settings, then speed; hand-set weights follow once the
   * server's state shows the settings applied (see applyState).
   * @param {boolean} [afterHello]  true right after hello, when the default session's own state
   *   is still to come before the answer to ours
   */
  applyHash(afterHello = false) {
    const settings = this.readHash();
    if (!settings) return;
    this.linkEdits = { edits: settings.edits, bad: settings.badEdits };
    if (hasSettings(settings)) {
      const { options } = this.store.state.hello;
      let wanted = completeConfig(settings.config, options);
      // A hand-typed link with few points that names no batch size: the default, if it would not
      // fit the link's training set, becomes the largest that does.
      if (!("batch_size" in settings.config)) wanted = fitBatch(wanted, wanted, options);
      this.restoring = { wanted, tries: 1, statesSeen: afterHello ? 0 : 1 };
      this.configure(wanted);
    } else {
      this.restoring = null;
      // No settings to wait for: on a live session send the edits now (after hello, the default
      // session's state is on its way and sends them).
      if (!afterHello && this.store.state.config) this.restoreEdits(this.store.state.config);
    }
    const max = this.store.state.hello.limits?.max_epochs_per_frame ?? 1;
    if (settings.speed) this.setSpeed(Math.max(1, Math.min(max, settings.speed)));
    this.wantedInspect = null;
  }

  /**
   * Send the link's hand edits to the session whose config the server just confirmed. Ones that
   * do not fit its network (a hand-typed link) are left out with a word, rather than refused.
   */
  restoreEdits(config) {
    const { edits, bad } = this.linkEdits;
    this.linkEdits = null;
    const sizes = layerSizes(config);
    const usable = edits.filter((edit) => fits(edit, sizes));
    for (const edit of usable) this.sendEdit(edit, sizes, true);
    const left = bad + edits.length - usable.length;
    if (left > 0) {
      const what = left === 1 ? "1 hand-set weight in the link does not fit this network and was"
        : `${left} hand-set weights in the link do not fit this network and were`;
      this.store.update({ error: `${what} left out.` });
    }
  }

  writeHash() {
    const { config, display, epochsPerFrame, hidden, hideText } = this.store.state;
    if (!config || this.restoring) return;
    const edits = this.edits.forHash();
    const hash = formatHash({ config, display, speed: epochsPerFrame, hidden, hideText, edits });
    if (this.env.location.hash.replace(/^#/, "") !== hash) {
      // replaceState: settings changes should not flood the back button (and fire no hashchange).
      this.env.history.replaceState(null, "", `#${hash}`);
    }
  }

  // -- from the server -----------------------------------------------------------------------

  onStatus(status) {
    this.store.update({ connection: status });
    if (status !== "open") {
      this.restoring = null;
      this.store.update({ playing: false });
    }
  }

  onMessage(message) {
    switch (message.type) {
      case "hello":
        this.store.update({ hello: message, error: null });
        this.edits.newSession();
        this.applyHash(true);
        break;
      case "state":
        this.onState(message);
        break;
      case "data":
        this.store.update({ data: { train: message.train, test: message.test } });
        break;
      case "metrics":
        if (!this.restoring) this.store.update({ metrics: message, epoch: message.epoch, diverged: message.diverged });
        break;
      case "error":
        this.onError(message);
        break;
      case "closing":
        this.store.update({ error: "The server is restarting; reconnecting by itself…" });
        break;
      default:
        break;
    }
  }

  onState(message) {
    if (this.restoring) {
      const r = this.restoring;
      r.statesSeen += 1;
      // The first state after hello describes the default session; ours is the one that matches
      // what we asked for (or, whatever the server made of it, the next one).
      if (!matches(message.config, r.wanted) && r.statesSeen < 2) {
        r.lastState = message;
        return;
      }
      this.restoring = null;
    }
    this.applyState(message);
  }

  applyState(message) {
    this.wantedInspect = message.inspect ?? null;
    this.edits.onState(message.config); // a new network forgets the edits
    this.store.update({
      config: message.config, playing: message.playing, epoch: message.epoch,
      epochsPerFrame: message.epochs_per_frame, diverged: message.diverged, inspect: message.inspect,
    });
    if (this.linkEdits) this.restoreEdits(message.config);
    this.writeHash();
  }

  onError(message) {
    const errors = message.errors ?? [];
    const r = this.restoring;
    if (r && message.request === "configure") {
      // A link with a value this server refuses: leave out the fields it named (the session
      // keeps what it has for them) and apply the rest.
      const bad = errors.map((text) => String(text).split(":")[0].trim()).filter((field) => field in r.wanted);
      for (const field of bad) delete r.wanted[field];
      // Left out, a refused batch size stays the session's, which may not fit the link's training
      // set either: then ask for the largest that does.
      const kept = (r.lastState ?? this.store.state).config;
      if (bad.includes("batch_size") && kept) {
        r.wanted = fitBatch(r.wanted, kept, this.store.state.hello.options);
      }
      r.tries += 1;
      r.statesSeen = 1; // the default session's state has been seen; the answer comes next
      if (r.tries <= MAX_RESTORE_TRIES && bad.length && Object.keys(r.wanted).length) {
        this.configure(r.wanted);
      } else {
        this.restoring = null;
        if (r.lastState) this.applyState(r.lastState);
      }
      this.store.update({ error: `Some settings in the link could not be used: ${errors.join("; ")}` });
      return;
    }
    if (message.code === "full") {
      this.store.update({ error: "The server is full right now; trying again in a moment." });
      return;
    }
    this.store.update({ error: errors.join("; ") || "The server refused the request." });
    // Controls may show a value the server refused: redraw them from its real state.
    this.store.update({ config: this.store.state.config });
  }

  onFrame(frame) {
    if (this.restoring) return;
    this.store.update({ frame });
    if (this.edits.onFrame(frame)) this.writeHash();
  }
}

function matches(config, wanted) {
  return Object.keys(wanted).every((key) => JSON.stringify(config?.[key]) === JSON.stringify(wanted[key]));
}
