// The training session as the page sees it, and the one owner of "asked for" against "applied":
// server messages become store updates, the views' actions become messages, and the URL hash is
// written from the server's state alone. On every connection (first load, reload, reconnect) and
// for every link opened in the tab, the page sends one `load` with the hash's settings and
// hand-set weights; the server answers with what a fresh tab with that link gets. Every state and
// error says how many of our messages the server has handled (`handled`), which is how the page
// tells what an answer answers. A link may name a lesson (`lesson=<id>`): the session then opens
// with the lesson's settings (the link's own settings over them) and the lesson's hidden controls.
// A `custom` dataset (your own points, issue 13) cannot be named in a `load`: its points follow it
// in an `import_data`, from the link's `points=` or the tab's own copy (userData.js), and the hash
// carries them back while they fit in a link.
// A whole network comes in as an `import_model` (a model file, a link's `params=`, or the training
// the tab kept, durable.js): its answer is `importing`'s, and until then the tab keeps its old one.
// On a table (issue 14, tables.js) the data is the `data` message's `table` (store `data.table`),
// a probe is a row of inputs (`probeRow`), and there are no maps to inspect; your own table
// (`table`) cannot be named in a `load` either: it comes again with its CSV file.

import { formatHash, linkPoints, parseHash } from "./hash.js";
import { modelOf, optimizerMemory } from "./model.js";
import { OWN_TABLE, isTable } from "./tables.js";
import { loadSaved, loadSavedTable, pointsOf, save, saveTable, toCsv } from "./userData.js";

/** `loading` while the link's `load` could not be sent yet (no connection): nothing answers it. */
const UNSENT = Number.MAX_SAFE_INTEGER;

export class Session {
  /**
   * @param {import("./store.js").Store} store
   * @param {import("./connection.js").Connection} connection
   * @param {{location: Location, history: History}} [env]
   * @param {import("./durable.js").Durable|null} [durable]  the training the tab keeps
   */
  constructor(store, connection, env = { location: window.location, history: window.history }, durable = null) {
    this.store = store;
    this.connection = connection;
    this.env = env;
    this.durable = durable;
    this.resume = false;       // the next applyHash is a connection's: it may bring the kept training back
    this.loading = null;       // the number of the link's last message (its `load`, or the `import_data` of its points; UNSENT) until a state answers it
    this.loadSent = null;      // the number of the link's `load` itself (what a `left_out` error is about)
    this.passed = null;        // the latest state that did not answer it (the session it replaces)
    this.passedRest = {};      // the latest data, metrics and frame that did not answer it either
    this.handled = 0;          // the server's latest `handled` count (a state's or an error's)
    this.leftOut = null;       // {fields, errors, unreadable, unlisted}: what the link loses, said once it is loaded
    this.asked = new Map();    // config key → {value, message}: sent, not yet in a state
    this.datasets = {};        // problem → {dataset, loss} last used with it (see configure)
    this.wantedInspect = null;
    this.inspectSent = 0;      // the number of our latest `inspect` (states before it do not know it)
    this.linkHidden = new Set(); // the link's own hide keys (a lesson's are added to the store's `hidden`)
    this.course = [];          // the crash course's hash keys, written back as they came
    connection.addEventListener("status", (e) => this.onStatus(e.detail));
    connection.addEventListener("message", (e) => this.onMessage(e.detail));
    connection.addEventListener("frame", (e) => this.onFrame(e.detail));
    store.on(["display", "epochsPerFrame", "data"], () => this.writeHash());
  }

  // -- actions the views call ---------------------------------------------------------------

  /**
   * Change settings (a partial config); the server answers with its new state. Switching the
   * problem comes back to the dataset and loss last used with that problem (as the original's
   * separate dataset and regDataset do), unless the change names them.
   */
  configure(partial) {
    const switching = "problem" in partial && partial.problem !== this.wanted("problem");
    const change = switching ? { ...this.datasets[partial.problem], ...partial } : partial;
    const sent = this.send({ type: "configure", config: change });
    if (sent) for (const [key, value] of Object.entries(change)) this.asked.set(key, { value, message: sent });
    return sent;
  }

  /** A setting as the page has asked for it: a change on its way, else the server's value. */
  wanted(key) {
    return this.asked.has(key) ? this.asked.get(key).value : this.store.state.config?.[key];
  }

  play() { return this.send({ type: "play" }); }
  pause() { return this.send({ type: "pause" }); }
  togglePlay() { return this.store.state.playing ? this.pause() : this.play(); }
  step(epochs = 1) { return this.send({ type: "step", epochs }); }
  reset() { return this.send({ type: "reset" }); }
  regenerate() { return this.send({ type: "regenerate" }); }

  setWeight(layer, from, to, value) {
    return this.send({ type: "set_weight", layer, from, to, value });
  }

  setBias(layer, node, value) {
    return this.send({ type: "set_bias", layer, node, value });
  }

  /**
   * Settings and hand-set weights in one go, as a lesson's "Show me" and the truth table's course
   * networks (hello.options.gate_networks) give them: the partial config first (which makes the
   * network new), then each edit as `set_bias` (an edit with `node`) or `set_weight`, in order.
   * @param {{config?: object, edits?: import("./hash.js").Edit[]}} suggestion
   */
  apply({ config = {}, edits = [] }) {
    if (Object.keys(config).length) this.configure(config);
    for (const edit of edits) {
      if ("node" in edit) this.setBias(edit.layer, edit.node, edit.value);
      else this.setWeight(edit.layer, edit.from, edit.to, edit.value);
    }
  }

  /**
   * Make these points the session's data (CSV as docs/protocol.md's "Your own data"): the answer is
   * a `state`, `data`, `metrics` and a frame, or an `error` with `rows` (store `importRefused`).
   */
  importData(csv) { return this.send({ type: "import_data", format: "csv", content: csv }); }

  /**
   * Make a CSV table of your own the session's data (docs/protocol.md "Tables": `content` with a
   * header line, `target` the target column, optionally `inputs` and `test_ratio`); the answer is
   * as importData's, the dataset becoming `table`.
   */
  importTable({ content, target, inputs = undefined, test_ratio = undefined }) {
    const message = { type: "import_data", format: "table", content, target };
    if (inputs !== undefined) message.inputs = inputs;
    if (test_ratio !== undefined) message.test_ratio = test_ratio;
    const number = this.send(message);
    // Kept for the next reload once the server has taken it (its `data` comes back with the table).
    if (number) this.tableOnItsWay = { number, problem: this.store.state.config?.problem, content, target, inputs, test_ratio };
    return number;
  }

  /** Ask for the data as CSV: the answer's `csv` becomes the store's `exported`. */
  exportData() { return this.send({ type: "export_data" }); }

  /** The course's forward pass at a point of the plane (the answer is a `probe` message). */
  probe(x, y) { return this.connection.send({ type: "probe", x, y }); }

  /** The forward pass for one row of a table (every column, in its own units; 784 pixels 0..255 for mnist). */
  probeRow(inputs) { return this.connection.send({ type: "probe", inputs }); }

  /** One forward and backward pass over training points (default: the next mini-batch): a `backprop` message. */
  backprop(indices = null) { return this.send(indices ? { type: "backprop", indices } : { type: "backprop" }); }

  setSpeed(epochsPerFrame) {
    return this.send({ type: "set_speed", epochs_per_frame: epochsPerFrame });
  }

  /** Show a hidden neuron's full map in the big view (null: back to the output). */
  inspect(neuron) {
    if (neuron === this.wantedInspect) return true;
    // A table has no maps: the server refuses `inspect` there (nothing to show in a big view).
    if (isTable(this.store.state.config?.dataset, this.store.state.hello?.options)) return true;
    this.wantedInspect = neuron;
    const sent = this.send({ type: "inspect", neuron });
    if (sent) this.inspectSent = sent;
    return sent;
  }

  /** The server's model of the session (the answer is a `model` message: views/modelIO.js). */
  exportModel() { return this.send({ type: "export_model" }); }

  /**
   * Make the session this network (an exported model's object): it is paused at the model's
   * epoch. `source` says where it came from ("file", "link", "kept"), for the words after it.
   * Until the server answers, the tab keeps what it had (durable.js keeps the old weights).
   */
  importModel(model, source = "file") {
    const number = this.send({ type: "import_model", model });
    if (number) this.store.update({ importing: { number, source, epoch: model.epoch, config: model.config } });
    return number;
  }

  /** Display-only settings (show test data, discretize): the hash only, never the server. */
  setDisplay(patch) {
    this.store.update({ display: { ...this.store.state.display, ...patch } });
  }

  /** Send a message; returns its number on this connection (0: not connected, not sent). */
  send(message) {
    const number = this.connection.send(message);
    if (!number) this.store.update({ error: "Not connected to the server; the change was not applied." });
    return number;
  }

  // -- lessons -------------------------------------------------------------------------------

  /** The server's lessons have arrived (or could not be had: []); a link waiting for them opens. */
  setLessons(lessons) {
    this.store.update({ lessons });
    if (this.loading === UNSENT) this.applyHash();
  }

  /** Open a lesson in this tab: its settings at epoch 0, as its `#lesson=<id>` link would. */
  openLesson(id) {
    const { hideText } = this.store.state;
    const hash = formatHash({ config: {}, display: {}, speed: null, hidden: this.linkHidden, hideText, lesson: id, course: [] });
    // A step in the history: Back returns to what the tab showed before.
    this.env.history.pushState(null, "", `#${hash}`);
    this.applyHash();
  }

  /** Leave the lesson: the session stays as it is, with every control back. */
  closeLesson() {
    if (!this.store.state.lesson) return;
    this.store.update({ lesson: null, hidden: new Set(this.linkHidden) });
    this.writeHash();
  }

  // -- the hash ------------------------------------------------------------------------------

  /**
   * Open the hash's link in this tab, as a fresh tab would: its settings (the server picks a
   * random seed if it names none, as the original), its hand-set weights, its speed. Called on
   * every connection and whenever the hash changes under the page (a pasted link, a hand edit).
   * Until the server answers, the hash is the link's: nothing from the session it replaces is
   * written over it (so a link pasted while offline is opened on reconnecting). A link with a
   * trained network (`params=`) is opened with it; a connection's load (`resume`) brings back the
   * training the tab kept for these settings. Either follows the load as an `import_model`.
   */
  applyHash() {
    this.loading = UNSENT;
    const options = this.store.state.hello?.options;
    if (!options || this.store.state.connection !== "open") return;
    const link = parseHash(this.env.location.hash, options);
    const { lessons } = this.store.state;
    if (link.lesson && !lessons) return; // opened once the list is here (setLessons)
    const lesson = link.lesson ? lessons.find((l) => l.id === link.lesson) ?? null : null;
    if (link.lesson && !lesson) this.store.update({ error: `There is no lesson “${link.lesson}” on this server; the link opens without it.` });
    this.linkHidden = link.hidden;
    this.course = link.course;
    const hidden = new Set(link.hidden);
    if (lesson) {
      for (const key of lesson.hide) hidden.add(key);
      if (!lesson.play) hidden.add("playButton");
    }
    this.store.update({ hidden, hideText: link.hideText, lesson, course: link.course });
    // As a fresh tab: display toggles the link does not name are off.
    this.store.update({ display: { showTestData: false, discretize: false, ...link.display } });
    this.datasets = {};
    for (const [problem, dataset] of Object.entries(link.otherDatasets)) {
      if (options.dataset[problem]?.includes(dataset)) this.datasets[problem] = { dataset };
    }
    this.asked.clear();
    this.wantedInspect = null;
    this.passed = null;
    this.passedRest = {};
    this.leftOut = { fields: [], errors: [], unreadable: link.badEdits, unlisted: 0, words: [] };
    // A lesson's link opens its settings; what the link names besides (a reload's) goes over them.
    const settings = lesson ? { ...lesson.settings, ...link.config } : { ...link.config };
    const config = { ...settings };
    // Your own points: `load` cannot name them; they come right after it (the link's, else this tab's).
    const custom = config.dataset === "custom" || Boolean(link.points?.points.length);
    if (config.dataset === "custom") delete config.dataset;
    // Your own table: not in the link either; this tab's copy comes after the load, if it has one
    // for the link's problem, and then the columns the link names.
    let table = null;
    const tableInputs = config.dataset === OWN_TABLE ? config.inputs : undefined;
    if (config.dataset === OWN_TABLE) {
      delete config.dataset;
      delete config.inputs;
      const saved = loadSavedTable();
      if (saved && saved.problem === (config.problem ?? options.defaults.problem)) table = saved;
      else this.leftOut.words.push("Your own table is not in the link: open its CSV file again.");
    }
    let csv = null;
    if (custom) {
      const problem = config.problem ?? options.defaults.problem;
      const saved = loadSaved();
      if (link.points?.points.length) csv = toCsv(link.points.points);
      else if (saved?.problem === problem) csv = saved.csv;
      else this.leftOut.words.push("The link's own points are not in it (too many for a link: ask for the CSV file), so it opens with another dataset.");
      if (link.points?.bad) this.leftOut.words.push(`${link.points.bad} of the link's points could not be read and were left out.`);
    }
    this.loadSent = this.send({ type: "load", config, edits: link.edits });
    let imported = this.loadSent && csv ? this.importData(csv) : 0;
    if (this.loadSent && table) {
      imported = this.importTable(table);
      this.tableOnItsWay = null; // kept already
      // (after the table's own answer, which ends the load: its `data` then reaches the views)
      if (imported && Array.isArray(tableInputs)) this.configure({ inputs: tableInputs });
    }
    this.loading = imported || this.loadSent || UNSENT;
    // Then the trained network (a custom one trains on the points just sent).
    if (this.loadSent) this.openNetwork(link, csv ? settings : config);
    const speeds = this.store.state.hello.limits?.speeds ?? [1];
    if (link.speed) this.setSpeed(Math.max(1, Math.min(speeds[speeds.length - 1], link.speed)));
  }

  /**
   * After the load (and whatever else opens the link, such as its points): the link's own trained
   * network, else, on a connection's load, the training this tab kept for these settings.
   */
  openNetwork(link, config) {
    const resume = this.resume;
    this.resume = false;
    if (link.badParams) {
      this.store.update({ error: "The trained weights in the link could not be read; it opens untrained, with its settings." });
      return;
    }
    if (link.params) {
      const model = modelOf({ config, epoch: link.epoch, params: link.params });
      if (model) this.importModel(model, "link");
      else this.store.update({ error: `The link's ${link.params.length} trained weights do not fit its network; it opens untrained, with its settings.` });
      return;
    }
    const kept = resume ? this.durable?.resumeFor(config, link.edits) : null;
    if (kept) this.importModel(kept, "kept");
  }

  writeHash() {
    const { config, edits, display, epochsPerFrame, hideText, lesson, data } = this.store.state;
    if (!config || this.loading) return;
    // The points ride along while they fit (hash.js POINTS_MAX_CHARS); beyond that a reload uses the tab's copy.
    const points = config.dataset === "custom" && data ? linkPoints(pointsOf(data)) : null;
    const hash = formatHash({
      config, display, speed: epochsPerFrame, hidden: this.linkHidden, hideText, edits, lesson: lesson?.id, course: this.course, points,
    });
    if (this.env.location.hash.replace(/^#/, "") !== hash) {
      // replaceState: settings changes should not flood the back button (and fire no hashchange).
      this.env.history.replaceState(null, "", `#${hash}`);
    }
  }

  // -- from the server -----------------------------------------------------------------------

  onStatus(status) {
    this.store.update({ connection: status });
    if (status !== "open") {
      // The next connection's hello loads the hash again; until then nothing is asked or shown.
      if (this.loading) this.loading = UNSENT;
      this.asked.clear();
      if (this.store.state.importing) this.store.update({ importing: null }); // the next load asks again
      this.store.update({ playing: false });
    }
  }

  onMessage(message) {
    switch (message.type) {
      case "hello":
        this.store.update({ hello: message, error: null });
        this.resume = true;
        this.hellos = (this.hellos ?? 0) + 1;
        this.applyHash();
        break;
      case "state":
        this.onState(message);
        break;
      case "data":
        if (this.loading) {
          this.passedRest.data = message;
          break;
        }
        this.onData(message);
        break;
      case "metrics":
        if (this.loading) this.passedRest.metrics = message;
        else this.store.update({ metrics: message, epoch: message.epoch, diverged: message.diverged });
        break;
      case "probe":
      case "backprop":
      case "model":
        // Answers to questions (views/probe.js, views/stepThrough.js, views/modelIO.js), of the
        // session the page shows.
        if (!this.loading) this.store.update({ [message.type]: message });
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

  onData(message) {
    if (message.table?.name === OWN_TABLE && this.tableOnItsWay) { // the server took the table
      const { number, ...table } = this.tableOnItsWay;
      saveTable(table);
      this.tableOnItsWay = null;
    }
    // A table's description and sample (docs/protocol.md "Tables"), or null on the plane.
    this.store.update({ data: { train: message.train, test: message.test, table: message.table ?? null } });
    const { config } = this.store.state;
    // The tab's copy of its own points, sent again after the next reload's or reconnect's `load`.
    if (config?.dataset === "custom") save(config.problem, toCsv(pointsOf(message)));
    if (typeof message.csv === "string") this.store.update({ exported: message.csv });
  }

  /** A state: until one answers our `load`, they describe the session the link replaces. */
  onState(message) {
    this.handled = Math.max(this.handled, message.handled ?? 0);
    if (this.loading && message.handled < this.loading) {
      this.passed = message;
      return;
    }
    if (this.loading) this.sayLeftOut();
    this.loading = null;
    this.applyState(message);
  }

  applyState(message) {
    this.passed = null;
    this.forgetAnswered(message.handled);
    const { config } = message;
    this.datasets[config.problem] = { dataset: config.dataset, loss: config.loss };
    if (message.handled >= this.inspectSent) this.wantedInspect = message.inspect ?? null;
    this.store.update({
      config, edits: message.edits ?? [], playing: message.playing, epoch: message.epoch,
      epochsPerFrame: message.epochs_per_frame, diverged: message.diverged, inspect: message.inspect,
      stopped: message.stopped ?? null,
    });
    this.writeHash();
    const { importing } = this.store.state;
    if (importing && message.handled >= importing.number) this.imported(importing, message);
  }

  /** The server has made the session the model sent: say so (and what of it could not come). */
  imported(importing, state) {
    const at = `epoch ${state.epoch.toLocaleString("en")}`;
    const words = {
      kept: `${this.hellos > 1 ? "Reconnected: training" : "Training"} restored at ${at}, the weights this tab last had.`,
      link: `Opened the link's trained network at ${at}.`,
      file: `Opened the model at ${at}.`,
    }[importing.source] ?? `Opened the model at ${at}.`;
    const memory = optimizerMemory(state.config);
    const note = memory ? ` ${memory}` : "";
    this.store.update({ importing: null, imported: { ...importing, ok: true, epoch: state.epoch }, notice: words + note });
  }

  /** Changes asked for in messages the server has now handled are no longer on their way. */
  forgetAnswered(handled) {
    for (const [key, { message }] of this.asked) if (message <= handled) this.asked.delete(key);
  }

  onError(message) {
    const errors = message.errors ?? [];
    if (message.code === "full") return; // the status banner says it (connection.js, views/status.js)
    if (typeof message.handled === "number") this.handled = Math.max(this.handled, message.handled);
    if (message.code === "left_out") {
      // What the server left out of our load (an earlier, replaced load's is no news).
      if (message.handled === this.loadSent && this.leftOut) {
        this.leftOut.fields.push(...message.fields);
        this.leftOut.errors.push(...errors);
        // An error lists 20 problems, then one "…and N more" (`more` = N) under the field they
        // share: skipped edits beyond the 20 are counted from it.
        const fields = message.fields ?? [];
        if (message.more > 0 && fields[fields.length - 1] === "edits") this.leftOut.unlisted += message.more - 1;
      }
      return;
    }
    const { importing } = this.store.state;
    if (message.request === "import_model" && importing && message.handled === importing.number) {
      this.refusedImport(importing, errors);
      return;
    }
    if (message.request === "import_data" && message.handled === this.tableOnItsWay?.number) this.tableOnItsWay = null;
    if (message.request === "import_data" && message.handled === this.store.state.tableSent) {
      // A CSV table's refusal is said next to its form (views/tableUpload.js), not by the drawing tools.
      this.store.update({ tableRefused: message });
      return;
    }
    const linkPointsRefused = message.request === "import_data" && this.loading && message.handled === this.loading;
    if (message.request === "import_data") {
      // Said by the data tools, next to them (views/drawing.js), with the bad rows.
      this.store.update({ importRefused: message });
      if (linkPointsRefused) this.store.update({ error: `The link's own points could not be used: ${errors.join("; ")}` });
    } else {
      this.store.update({ error: errors.join("; ") || "The server refused the request." });
    }
    if (this.loading && message.handled === this.loading) {
      // The load (or the points after it) was refused: show the session as the server has it.
      this.loading = null;
      this.leftOut = null;
      if (this.passed) this.applyState(this.passed);
      const { data, metrics, frame } = this.passedRest;
      this.passedRest = {};
      if (data) this.onData(data);
      if (metrics) this.store.update({ metrics, epoch: metrics.epoch, diverged: metrics.diverged });
      if (frame) this.store.update({ frame });
      return;
    }
    if (message.request === "configure") {
      this.forgetAnswered(message.handled);
      // Controls may show a value the server refused: redraw them from its real state.
      this.store.update({ config: this.store.state.config });
    }
  }

  /** The server refused a model: nothing changed (the session is the one the load or the tab had). */
  refusedImport(importing, errors) {
    const why = errors.join("; ") || "the server refused it";
    const words = {
      kept: `The training this tab kept could not be restored (${why}); the network starts again from epoch 0.`,
      link: `The trained network in the link could not be opened (${why}); it opens untrained, with its settings.`,
      file: `That model could not be opened: ${why}. Nothing changed.`,
    }[importing.source] ?? `That model could not be opened: ${why}.`;
    this.store.update({ importing: null, imported: { ...importing, ok: false, errors }, error: words });
  }

  onFrame(frame) {
    if (this.loading) this.passedRest.frame = frame;
    else this.store.update({ frame });
  }

  /** Once a link is loaded: one word on what of it the server left out or the page could not read. */
  sayLeftOut() {
    const { fields, errors, unreadable, unlisted, words: more } = this.leftOut;
    this.leftOut = null;
    const edits = unreadable + unlisted + fields.filter((field) => field === "edits").length;
    const settings = errors.filter((_, i) => fields[i] !== "edits");
    const words = [];
    if (settings.length) words.push(`Some settings in the link could not be used: ${settings.join("; ")}.`);
    if (edits === 1) words.push("1 hand-set weight in the link does not fit this network and was left out.");
    if (edits > 1) words.push(`${edits} hand-set weights in the link do not fit this network and were left out.`);
    words.push(...more);
    if (words.length) this.store.update({ error: words.join(" ") });
  }
}
