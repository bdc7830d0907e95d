// Lose no training: what the tab keeps of the network it was last sent (the config, the hand-set
// weights' record, the epoch and every parameter, from the frames), so that a reload, a lost
// connection or a server restart comes back at the same epoch with the same weights. session.js
// asks `resumeFor` after the `load` that every connection sends and, when the kept training
// belongs to that link's settings and is past epoch 0, sends it as an `import_model`.
//
// Kept in memory on every frame (a reference to the frame's parameters, no copy), and written to
// sessionStorage (this tab's own, gone with the tab) only at cheap moments: when the page is
// hidden or left (`visibilitychange`, `pagehide`, which a reload fires), when training pauses,
// and at most every few seconds while frames bring new weights (a crashed tab loses no more).
// Writing it 30 times a second would serialise the weights 30 times a second for nothing: a
// reconnect reads the memory, only a reload needs the storage, and a reload fires `pagehide`.
//
// On a table (issue 14) the network is kept when it is a shipped table's and small enough for
// an `import_model` message (house prices' networks: at most RESTORE_LIMIT parameters, about 24 KB
// of JSON); MNIST's 25,450 parameters would make a 560 KB message, over the server's limit, and a
// table of your own is not in a model (its rows are not), so a reload of those starts again at
// epoch 0, as "Save and share" says.

import { encodeParams, decodeParams, formatEdits } from "./hash.js";
import { layerSizes, modelOf, parameterCount } from "./model.js";
import { OWN_TABLE, onTable } from "./tables.js";

const STORAGE_KEY = "playground-training";
const RESTORE_LIMIT = 2000; // parameters of a table's network that a reload brings back
const SAVE_EVERY_MS = 5000;

/** The tab's sessionStorage, or null where the browser gives the document none (a blocked frame). */
function tabStorage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Two config values alike (arrays by their items, numbers by value). */
function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export class Durable {
  /**
   * @param {import("./store.js").Store} store
   * @param {Storage|null} [storage]
   */
  constructor(store, storage = tabStorage()) {
    this.store = store;
    this.storage = storage;
    this.kept = this.read(); // {config, edits, epoch, sizes, params: Float32Array} or null
    this.dirty = false;
    store.on("frame", (frame) => this.keep(frame));
    store.on("playing", (playing) => { if (!playing) this.save(); });
    window.addEventListener("pagehide", () => this.save());
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") this.save(); });
    setInterval(() => this.save(), SAVE_EVERY_MS);
  }

  /** A frame of the session the page shows: its weights are now the ones to keep. */
  keep(frame) {
    const { config, edits, importing } = this.store.state;
    // While a model is on its way (a restore, a link's, a file's), the frames are the network it
    // replaces: the kept one stays until the import is answered.
    if (!frame || !config || importing) return;
    const table = onTable(this.store.state);
    if (table && (config.dataset === OWN_TABLE || frame.params.length > RESTORE_LIMIT)) {
      this.forget(); // not restorable (see above): nothing of an older network either
      return;
    }
    const sizes = table ? [...frame.sizes] : layerSizes(config); // a table's inputs are its columns
    if (!same(sizes, frame.sizes) || frame.params.length !== parameterCount(sizes)) return;
    this.kept = { config, edits, epoch: frame.epoch, sizes, params: frame.params };
    this.dirty = true;
  }

  /**
   * The `import_model` that brings the kept training back after a `load` of `config` (the
   * link's partial config) and `edits`; null unless the training is past epoch 0 and belongs to
   * that link: every setting it names as the kept network had it, and the same hand-set weights.
   */
  resumeFor(config, edits) {
    const kept = this.kept;
    if (!kept || kept.epoch <= 0) return null;
    if (!Object.entries(config).every(([key, value]) => same(value, kept.config[key]))) return null;
    if (formatEdits(edits) !== formatEdits(kept.edits ?? [])) return null;
    return modelOf(kept);
  }

  /** Keep nothing, here or in the tab's storage. */
  forget() {
    if (!this.kept) return;
    this.kept = null;
    this.dirty = false;
    try {
      this.storage?.removeItem(STORAGE_KEY);
    } catch {
      // A storage that refuses: what it holds no longer matches any link's settings anyway.
    }
  }

  /** Write what is kept to this tab's storage (if there is something new and a storage). */
  save() {
    if (!this.dirty || !this.storage || !this.kept) return;
    this.dirty = false;
    const { config, edits, epoch, sizes, params } = this.kept;
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify({ version: 1, config, edits, epoch, sizes, params: encodeParams(params) }));
    } catch {
      // Storage full or refused: the memory still brings the training back after a reconnect.
    }
  }

  read() {
    try {
      const saved = JSON.parse(this.storage?.getItem(STORAGE_KEY) ?? "null");
      if (saved?.version !== 1 || !saved.config || !Array.isArray(saved.sizes)) return null;
      const params = decodeParams(String(saved.params ?? ""));
      if (!params || params.length !== parameterCount(saved.sizes)) return null;
      return { config: saved.config, edits: saved.edits ?? [], epoch: Number(saved.epoch) || 0, sizes: saved.sizes, params };
    } catch {
      return null;
    }
  }
}
