// The weights and biases the user set by hand since the server last made the network new, as the
// URL hash keeps them: an edit is pending until a frame from the server shows it, then recorded;
// all are forgotten when the server makes a new network. Why these rules keep the hash the
// server's truth: static/README.md, "Hand-set weights".

import { biasOf, weightOf } from "./frame.js";
import { editKey } from "./hash.js";

/** docs/protocol.md: set_weight / set_bias values are finite numbers within ±1,000,000. */
export const MAX_VALUE = 1_000_000;

/** Config keys whose change does not make a new network (docs/protocol.md: "applies live"). */
const LIVE_KEYS = new Set(["learning_rate"]);

/**
 * Layer sizes (inputs, hidden layers, outputs) of the network a config makes, as frames give them.
 * @param {object} config a whole config (the server's `state`)
 * @returns {number[]}
 */
export function layerSizes(config) {
  const outputs = config.problem === "multiclass" ? config.num_classes : 1;
  return [config.features.length, ...config.network_shape, outputs];
}

/**
 * True if the edit names a parameter of a network with these layer sizes and holds a value the
 * server accepts (so the server applies it rather than refusing it).
 * @param {import("./hash.js").Edit} edit
 * @param {number[]} sizes
 */
export function fits(edit, sizes) {
  const index = (i, count) => Number.isInteger(i) && i >= 0 && i < count;
  const { layer } = edit;
  if (!index(layer, sizes.length - 1) || !Number.isFinite(edit.value) || Math.abs(edit.value) > MAX_VALUE) return false;
  return edit.kind === "weight"
    ? index(edit.from, sizes[layer]) && index(edit.to, sizes[layer + 1])
    : index(edit.node, sizes[layer + 1]);
}

/** The set_weight / set_bias message for an edit. */
export function messageFor(edit) {
  return edit.kind === "weight"
    ? { type: "set_weight", layer: edit.layer, from: edit.from, to: edit.to, value: edit.value }
    : { type: "set_bias", layer: edit.layer, node: edit.node, value: edit.value };
}

function sameSizes(a, b) {
  return Boolean(a && b) && a.length === b.length && a.every((n, i) => n === b[i]);
}

/** True if the frame (of the edit's network) holds the edit's value, as float32 as frames carry it. */
function shows(frame, edit) {
  const value = edit.kind === "weight"
    ? weightOf(frame, edit.layer, edit.from, edit.to)
    : biasOf(frame, edit.layer, edit.node);
  return value === Math.fround(edit.value);
}

export class EditLog {
  constructor() {
    this.newSession();
  }

  /** A new connection: the server's session has none of our edits yet. */
  newSession() {
    this.recorded = new Map(); // key → edit the server has applied (since its network was made)
    this.sizes = null;         // the layer sizes of that network
    this.pending = [];         // {edit, sizes, epoch, fromLink} sent, not yet shown by a frame
    this.config = null;        // the config of the server's last state
    this.regenerating = false; // a regenerate was sent and its new seed not seen yet
  }

  /** Forget every edit (the network they were made on is gone, or about to be). */
  forget() {
    const had = this.recorded.size > 0 || this.pending.some((p) => p.fromLink);
    this.recorded.clear();
    this.pending = [];
    return had;
  }

  /**
   * An edit was sent for a network of `sizes`, when the latest known epoch was `epoch`.
   * @param {boolean} fromLink re-sent from the URL hash (stays in the hash while it is pending)
   */
  sent(edit, sizes, epoch, fromLink = false) {
    const key = editKey(edit);
    // The server applies edits in order: an earlier one of the same parameter is overwritten.
    this.pending = this.pending.filter((p) => editKey(p.edit) !== key);
    this.pending.push({ edit, sizes, epoch, fromLink });
  }

  /** A reset was sent: the server cannot refuse it, and applies it after every edit sent before. */
  resetSent() {
    return this.forget();
  }

  regenerateSent() {
    this.regenerating = true;
  }

  /**
   * The server's state. A new network (any config change but the live ones, and but the seed
   * that our regenerate changed, which keeps the weights) forgets every edit.
   * @returns {boolean} the hash's edits changed
   */
  onState(config) {
    const before = this.config;
    this.config = config;
    if (!before) return this.forget(); // a new session
    const changed = Object.keys(config)
      .filter((key) => !LIVE_KEYS.has(key) && JSON.stringify(config[key]) !== JSON.stringify(before[key]));
    if (changed.length === 0) return false;
    const regenerated = this.regenerating && changed.length === 1 && changed[0] === "seed";
    this.regenerating = false;
    return regenerated ? false : this.forget();
  }

  /**
   * A frame: it confirms the pending edits it shows, and drops recorded edits it proves gone.
   * @param {import("./frame.js").Frame} frame
   * @returns {boolean} the hash's edits changed
   */
  onFrame(frame) {
    let changed = false;
    if (this.recorded.size && !sameSizes(this.sizes, frame.sizes)) {
      changed = this.forget() || changed; // a network of another shape: ours is gone
    } else if (frame.epoch === 0) {
      // Untrained, the network shows every edit made on it; one it lacks was made on a network
      // that has since been made new (a reset) or was replaced by a newer edit.
      for (const [key, edit] of this.recorded) {
        if (!shows(frame, edit)) {
          this.recorded.delete(key);
          changed = true;
        }
      }
    }
    const waiting = [];
    for (const p of this.pending) {
      if (!sameSizes(p.sizes, frame.sizes)) {
        changed = changed || p.fromLink; // meant for another network: it never applies
      } else if (shows(frame, p.edit) || frame.epoch > p.epoch) {
        // Shown as sent, or (while training runs, the answer may carry epochs trained after it)
        // a later epoch of the same network.
        this.record(p.edit, p.sizes);
        changed = true;
      } else {
        waiting.push(p);
      }
    }
    this.pending = waiting;
    return changed;
  }

  record(edit, sizes) {
    if (!sameSizes(this.sizes, sizes)) this.recorded.clear();
    this.sizes = sizes;
    const key = editKey(edit);
    this.recorded.delete(key); // the last edit of a parameter wins
    this.recorded.set(key, edit);
  }

  /** What the hash keeps: recorded edits, and edits re-sent from the link not yet shown. */
  forHash() {
    const edits = new Map(this.recorded);
    for (const p of this.pending) if (p.fromLink) edits.set(editKey(p.edit), p.edit);
    return [...edits.values()];
  }
}
