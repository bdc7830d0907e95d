// The page's one source of truth: a small EventTarget store. Modules read `store.state`, change it
// with `store.update(patch)`, and subscribe to the keys they draw with `store.on(key, fn)`.

export class Store extends EventTarget {
  /** @param {object} initial */
  constructor(initial) {
    super();
    this.state = { ...initial };
  }

  /**
   * Merge `patch` into the state and announce each key given (even if its value is unchanged,
   * so a repeated frame or metrics message still redraws).
   * @param {object} patch
   */
  update(patch) {
    Object.assign(this.state, patch);
    for (const key of Object.keys(patch)) {
      this.dispatchEvent(new CustomEvent(key, { detail: patch[key] }));
    }
    this.dispatchEvent(new CustomEvent("change", { detail: Object.keys(patch) }));
  }

  /**
   * Call `fn(value, state)` whenever one of `keys` is updated.
   * @param {string|string[]} keys
   * @param {(value: any, state: object) => void} fn
   */
  on(keys, fn) {
    for (const key of [].concat(keys)) {
      this.addEventListener(key, (event) => fn(event.detail, this.state));
    }
  }
}

/** The state a page starts with, before the server has said anything. */
export function initialState() {
  return {
    connection: "connecting", // connecting | open | reconnecting | full
    hello: null,              // the server's hello: options and limits
    config: null,             // the server's current config (its `state`)
    edits: [],                // the hand-set weights and biases the server's state lists
    playing: false,
    epoch: 0,
    epochsPerFrame: 1,
    diverged: false,
    inspect: null,            // the hidden neuron the server is mapping, or null
    stopped: null,            // "stop_epoch" / "stop_test_loss": the stop condition that paused the run
    data: null,               // {train, test, table}: [x, y, label] lists, and on a table (tables.js) the `data` message's `table` (null on the plane); metrics carry its `sample_predictions`
    metrics: null,
    frame: null,              // the latest decoded frame
    probe: null,              // the latest `probe` answer (views/probe.js)
    probedRow: null,          // on a table: the row the page last asked a probe for (views/digits.js's drawing), in the table's units, or null
    backprop: null,           // the latest `backprop` answer (views/stepThrough.js)
    stepThrough: null,        // {stage} while the step-through of one update is open
    display: { showTestData: false, discretize: false },
    hidden: new Set(),        // controls hidden by a classroom link or the open lesson
    lessons: null,            // GET /api/lessons' list once it has come ([] if it could not)
    lesson: null,             // the lesson open in this tab (one of `lessons`), or null
    course: [],               // a crash-course link's `tutorial` and `goal…Threshold…` hash keys
    hideText: false,
    preview: null,            // {kind: "feature", name} while an input node is hovered
    featureMaps: null,        // {resolution, maps: Map(feature → bytes)} once loaded
    userPoints: null,         // while the "Your data" tools are open (views/drawing.js): the page's own points, [x, y, label, set] each, which the map shows instead of `data`
    drawing: false,           // the map's pointer and keys draw or erase (views/drawing.js), not probe (views/probe.js)
    importRefused: null,      // the latest `error` refusing an `import_data` (its `rows` and `errors`)
    exported: null,           // the latest `export_data` answer's CSV
    error: null,              // the latest error message for the user
    notice: null,             // the latest news for the user that is not an error (a model opened)
    model: null,              // the latest `model` answer to export_model (views/modelIO.js)
    importing: null,          // {number, source, epoch, config} while an import_model is on its way
    imported: null,           // {source, ok, epoch | errors}: how the latest import_model went
  };
}
