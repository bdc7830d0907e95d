// The URL hash: the user's durable settings (every config key, the seed, display toggles, speed,
// hand-set weights and classroom hide keys). Reads our own snake_case keys and the original
// playground's camelCase keys, so a link from playground.tensorflow.org opens with the same
// settings; always writes our keys. It only reads and writes text: whether a value is allowed is
// the server's to judge (the page sends what the link says and hears what was left out).
// `lesson=<id>` names the lesson open in the tab (docs/lessons.md); the crash course's own keys
// (`tutorial=`, `goal…Threshold…=`) are kept as they came, so its staged goals survive a rewrite.
// `points=` carries a `custom` dataset's own points (drawn or imported) when they fit in a link
// (formatPoints / parsePoints below; static/README.md "Your own points in a link").
// A shared link may carry a trained network (`params=`, base64url of the frame's float32
// parameters, and `epoch=`); the page writes them only into links the user copies, never into the
// address bar (session.js writeHash), and the server's state alone decides what it shows.

/** The original playground's hash keys that only it writes (seeing one means "an original link"). */
const LEGACY_ONLY = new Set([
  "batchSize", "regDataset", "learningRate", "regularizationRate", "networkShape", "showTestData",
  "percTrainData", "x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "cosY", "sinX", "sinY",
  "initZero",
]);

/** Original numeric keys and the config keys they set. */
const LEGACY_NUMBERS = {
  batchSize: "batch_size", learningRate: "learning_rate", regularizationRate: "regularization_rate",
  noise: "noise", percTrainData: "train_ratio",
};

/** The original's input features (cosX and cosY are written by it but do nothing there either). */
const LEGACY_FEATURES = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"];
const LEGACY_FEATURE_DEFAULTS = { x: true, y: true };

const HIDE_SUFFIX = "_hide";
const LESSON_KEY = "lesson";
/** Keys of Google's crash-course build of the playground, kept verbatim (js/lessons.js reads them). */
const COURSE_KEY = /^(tutorial|goal[A-Za-z]*Threshold[A-Za-z]*)$/;
const EDITS_KEY = "edits";
const PARAMS_KEY = "params";
const EPOCH_KEY = "epoch";
/**
 * The longest link the page offers with the weights in it: what chat apps, course sites' link
 * fields, mail clients and older browsers (IE's 2,083) keep intact. A longer one carries the
 * settings only, and the page offers the model's JSON file instead.
 */
export const LINK_LIMIT = 2000;
// One hand edit: "w<layer>.<from>.<to>:<value>" (a weight) or "b<layer>.<node>:<value>" (a bias),
// with docs/protocol.md's set_weight / set_bias indices.
const WEIGHT_EDIT = /^w(\d{1,4})\.(\d{1,4})\.(\d{1,4}):(.+)$/;
const BIAS_EDIT = /^b(\d{1,4})\.(\d{1,4}):(.+)$/;
const POINTS_KEY = "points";
/** A link carries its points only when their `points=` value is at most this long (about 250 drawn points). */
export const POINTS_MAX_CHARS = 1500;

/**
 * @typedef {object} HashSettings
 * @property {object} config      a partial config (only keys the hash gave, checked against options)
 * @property {object} display     {showTestData?, discretize?}
 * @property {number|null} speed  epochs per frame, if given
 * @property {Set<string>} hidden controls to hide (`<control>_hide=true`)
 * @property {boolean} hideText
 * @property {boolean} legacy     the hash came from the original playground
 * @property {Edit[]} edits       hand-set weights and biases (not yet checked against a network)
 * @property {number} badEdits    entries of `edits=` that could not be read
 * @property {object} otherDatasets  problem → dataset an original link names for the other problem
 * @property {string|null} lesson the lesson the link opens (`lesson=<id>`)
 * @property {[string, string][]} course  the crash course's `tutorial` and `goal…Threshold…` keys, in order
 * @property {{points: Point[], bad: number}|null} points  `points=`: the link's own points (a
 *   `custom` dataset) and how many entries could not be read; null without the key
 * @property {Float32Array|null} params  a trained network's parameters (`params=`), in frame order
 * @property {number} epoch       the epoch they were trained to (`epoch=`, 0 if absent)
 * @property {boolean} badParams  `params=` was there but could not be read
 */

/** @typedef {[number, number, number, "train"|"test"]} Point  x, y, label and the set it belongs to */

/**
 * @typedef {object} Edit  a weight (`to` and `from` given) or a bias (`node` given), with the fields
 *   of set_weight / set_bias, as the server's `state.edits` lists them
 * @property {number} layer
 * @property {number} [from]
 * @property {number} [to]
 * @property {number} [node]
 * @property {number} value
 */

/** Split "a=1&b=2" into a Map (values URI-decoded; a key without "=" gets ""). */
export function splitHash(hash) {
  const map = new Map();
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const at = part.indexOf("=");
    const key = at < 0 ? part : part.slice(0, at);
    let value = at < 0 ? "" : part.slice(at + 1);
    try {
      value = decodeURIComponent(value.replace(/\+/g, " "));
    } catch {
      // A malformed escape: keep the raw text rather than losing the whole link.
    }
    map.set(key, value);
  }
  return map;
}

function list(text) {
  return text.trim() === "" ? [] : text.split(",").map((s) => s.trim()).filter(Boolean);
}

function number(text) {
  const n = text.trim() === "" ? NaN : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The original's boolean rule: any value but "false" is true. */
function legacyBool(text) {
  return text !== "false";
}

/** Config values from the original's keys (docs/reference.md §4; the original's state.ts). */
function readLegacy(map, out) {
  const config = out.config;
  for (const [key, field] of Object.entries(LEGACY_NUMBERS)) {
    if (map.has(key) && number(map.get(key)) !== undefined) config[field] = number(map.get(key));
  }
  for (const key of ["activation", "regularization", "problem", "seed"]) {
    if (map.has(key) && map.get(key).trim() !== "") config[key] = map.get(key);
  }
  if (map.has("networkShape")) config.network_shape = list(map.get("networkShape")).map(Number);
  // The original keeps one dataset per problem; the one in use follows the problem type.
  const problem = config.problem ?? "classification";
  const datasetKey = problem === "regression" ? "regDataset" : "dataset";
  if (map.has(datasetKey) && map.get(datasetKey).trim() !== "") config.dataset = map.get(datasetKey);
  config.features = LEGACY_FEATURES.filter((name) =>
    map.has(name) && map.get(name).trim() !== "" ? legacyBool(map.get(name)) : Boolean(LEGACY_FEATURE_DEFAULTS[name]));
  // The original keeps the other problem's dataset too: switching problem comes back to it.
  const otherKey = datasetKey === "dataset" ? "regDataset" : "dataset";
  const other = problem === "regression" ? "classification" : "regression";
  if (map.has(otherKey) && map.get(otherKey).trim() !== "") out.otherDatasets[other] = map.get(otherKey);
  if (map.has("initZero")) config.init = legacyBool(map.get("initZero")) ? "zeros" : "random";
  if (map.has("showTestData")) out.display.showTestData = legacyBool(map.get("showTestData"));
}

/**
 * Config keys whose value is a list of names or null (a table's `inputs`: null is every column,
 * written `default`); their default, null, says nothing of their type.
 */
const NAME_LISTS = new Set(["inputs"]);

/** Config values from our own keys, typed by the defaults the server announced. */
function readOwn(map, defaults, config, skip) {
  for (const [key, fallback] of Object.entries(defaults)) {
    if (!map.has(key) || skip.has(key)) continue;
    const text = map.get(key);
    if (NAME_LISTS.has(key)) {
      // (A column name with a comma in it cannot be carried: the list is split at commas.)
      config[key] = ["", "null", "default"].includes(text.trim()) ? null : list(text);
    } else if (Array.isArray(fallback)) {
      const items = list(text);
      config[key] = typeof fallback[0] === "number" || key === "network_shape" ? items.map(Number) : items;
    } else if (typeof fallback === "number" || fallback === null) {
      const n = number(text);
      if (n !== undefined) config[key] = n;
      else if (fallback === null && (text === "" || text === "null" || text === "default")) config[key] = null;
    } else if (text !== "") {
      config[key] = text;
    }
  }
}

/**
 * Read settings from a location hash.
 * @param {string} hash       location.hash, with or without "#"
 * @param {object} options    hello.options (defaults and allowed values)
 * @returns {HashSettings}
 */
export function parseHash(hash, options) {
  const map = splitHash(hash);
  const out = {
    config: {}, display: {}, speed: null, hidden: new Set(), hideText: false, legacy: false, edits: [], badEdits: 0,
    otherDatasets: {}, lesson: null, course: [], points: null, params: null, epoch: 0, badParams: false,
  };
  out.legacy = [...map.keys()].some((key) => LEGACY_ONLY.has(key));
  if (out.legacy) readLegacy(map, out);
  // In an original link `dataset` is the classification set even when the problem is regression.
  readOwn(map, options.defaults, out.config, out.legacy ? new Set(["dataset"]) : new Set());
  for (const [key, value] of map) {
    if (key.endsWith(HIDE_SUFFIX) && value === "true") out.hidden.add(key.slice(0, -HIDE_SUFFIX.length));
  }
  dropHiddenInputs(out, options);
  if (map.has("hideText")) out.hideText = legacyBool(map.get("hideText"));
  for (const [key, field] of [["show_test_data", "showTestData"], ["discretize", "discretize"]]) {
    if (map.has(key)) out.display[field] = legacyBool(map.get(key));
  }
  if (map.has("speed") && number(map.get("speed")) !== undefined) out.speed = Math.round(number(map.get("speed")));
  if (map.has(EDITS_KEY)) Object.assign(out, parseEdits(map.get(EDITS_KEY)));
  if (map.get(LESSON_KEY)?.trim()) out.lesson = map.get(LESSON_KEY).trim();
  out.course = [...map].filter(([key]) => COURSE_KEY.test(key));
  if (map.has(POINTS_KEY)) out.points = parsePoints(map.get(POINTS_KEY));
  if (map.has(PARAMS_KEY)) {
    out.params = decodeParams(map.get(PARAMS_KEY));
    out.badParams = !out.params;
    const trained = map.has(EPOCH_KEY) ? number(map.get(EPOCH_KEY)) : 0;
    out.epoch = Number.isInteger(trained) && trained >= 0 ? trained : 0;
  }
  return out;
}

/**
 * As the original: a hidden input (`xTimesY_hide=true`) is removed from the network altogether,
 * even when the link switches it on (playground.ts deletes hidden inputs at start-up).
 */
function dropHiddenInputs(out, options) {
  const hiddenInputs = options.features.filter((name) => out.hidden.has(name));
  if (!hiddenInputs.length) return;
  const chosen = out.config.features ?? options.defaults.features;
  const kept = Array.isArray(chosen) ? chosen.filter((name) => !hiddenInputs.includes(name)) : chosen;
  if (kept.length) out.config.features = kept;
}

/**
 * Read the `edits=` list. Entries that cannot be read are counted, not kept; a later entry for the
 * same weight or bias replaces an earlier one.
 * @param {string} text  "w0.1.0:-4.5,b2.0:3"
 * @returns {{edits: Edit[], badEdits: number}}
 */
export function parseEdits(text) {
  const byKey = new Map();
  let badEdits = 0;
  for (const entry of list(text)) {
    // Spaces around the separators go; any other is a typed "+" ("1e+3" arrives as "1e 3").
    const edit = parseEdit(entry.replace(/\s*([.:])\s*/g, "$1").replace(/ /g, "+"));
    if (edit) {
      byKey.delete(editKey(edit));
      byKey.set(editKey(edit), edit);
    } else {
      badEdits += 1;
    }
  }
  return { edits: [...byKey.values()], badEdits };
}

function parseEdit(entry) {
  const weight = WEIGHT_EDIT.exec(entry);
  if (weight) {
    const value = number(weight[4]);
    if (value === undefined) return null;
    return { layer: Number(weight[1]), from: Number(weight[2]), to: Number(weight[3]), value };
  }
  const bias = BIAS_EDIT.exec(entry);
  if (!bias || number(bias[3]) === undefined) return null;
  return { layer: Number(bias[1]), node: Number(bias[2]), value: number(bias[3]) };
}

/** The parameter an edit sets, as the hash names it ("w0.1.0", "b2.0"). */
export function editKey(edit) {
  return isBias(edit) ? `b${edit.layer}.${edit.node}` : `w${edit.layer}.${edit.from}.${edit.to}`;
}

function isBias(edit) {
  return "node" in edit;
}

/**
 * A parameter value in the fewest digits that give the same float32 as the frame carries: what the
 * user typed (unless that had more than about 7 significant digits), never an exponent with "+"
 * (values are within ±1e6, and "+" reads as a space in a hash).
 */
export function formatValue(value) {
  const single = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(single.toPrecision(digits));
    if (Math.fround(shortest) === single) return String(shortest);
  }
  return String(single);
}

/** Edits in the frame's parameter order: layer by layer, node by node, the bias before the weights. */
function compareEdits(a, b) {
  const node = (e) => (isBias(e) ? e.node : e.to);
  const column = (e) => (isBias(e) ? 0 : e.from + 1);
  return a.layer - b.layer || node(a) - node(b) || column(a) - column(b);
}

/**
 * The `edits=` value for a list of edits (one per parameter), e.g. "w0.1.0:-4.5,b2.0:3".
 * @param {Edit[]} edits
 */
export function formatEdits(edits) {
  return [...edits].sort(compareEdits).map((e) => `${editKey(e)}:${formatValue(e.value)}`).join(",");
}

/**
 * Parameters as `params=` writes them: the float32s little-endian (as a frame carries them),
 * base64url without padding (letters, digits, "-" and "_": nothing to escape in a hash).
 * @param {Float32Array} params
 */
export function encodeParams(params) {
  const bytes = new Uint8Array(params.length * 4);
  const view = new DataView(bytes.buffer);
  params.forEach((value, i) => view.setFloat32(i * 4, value, true));
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * `params=` back to numbers: null unless it is base64url of whole float32s, every one finite.
 * @param {string} text
 * @returns {Float32Array|null}
 */
export function decodeParams(text) {
  const clean = text.trim().replace(/-/g, "+").replace(/_/g, "/");
  if (!clean || !/^[A-Za-z0-9+/]+$/.test(clean)) return null;
  let binary;
  try {
    binary = atob(clean + "=".repeat((4 - (clean.length % 4)) % 4));
  } catch {
    return null;
  }
  if (binary.length % 4) return null;
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const params = new Float32Array(binary.length / 4);
  for (let i = 0; i < params.length; i++) params[i] = view.getFloat32(i * 4, true);
  return params.every(Number.isFinite) ? params : null;
}

/**
 * A hash with the whole network added (`params=`, `epoch=`) in place of its `edits=` (which the
 * network holds): the address bar's link as the user copies it to share the trained network.
 * @param {string} hash  location.hash, with or without "#"
 * @param {{params: Float32Array, epoch: number}} trained
 * @returns {string} without the leading "#"
 */
export function withTrained(hash, trained) {
  const drop = new Set([EDITS_KEY, PARAMS_KEY, EPOCH_KEY]);
  const parts = hash.replace(/^#/, "").split("&").filter((part) => part && !drop.has(part.split("=")[0]));
  parts.push(`${PARAMS_KEY}=${encodeParams(trained.params)}`, `${EPOCH_KEY}=${trained.epoch}`);
  return parts.join("&");
}

function encode(value) {
  return encodeURIComponent(String(value)).replace(/%2C/gi, ",");
}

/**
 * The hash for the given settings: the open lesson (if any), every config key in the server's
 * order, then display toggles, speed, hand-set weights (if any), and the classroom keys and the
 * crash course's keys, which survive every rewrite. `trained` (only in a link the user copies)
 * adds the whole network, `params=` and `epoch=`, after the edits.
 * @param {{config: object, display: object, speed: number, hidden: Set<string>, hideText: boolean,
 *   edits?: Edit[], lesson?: string|null, course?: [string, string][], points?: string|null,
 *   trained?: {params: Float32Array, epoch: number}|null}} s
 *   (`points`: a formatPoints value, for a `custom` dataset whose points fit in a link)
 * @returns {string} without the leading "#"
 */
export function formatHash({ config, display, speed, hidden, hideText, edits = [], lesson = null, course = [], points = null, trained = null }) {
  const parts = [];
  if (lesson) parts.push(`${LESSON_KEY}=${encode(lesson)}`);
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (value === null) {
      parts.push(`${key}=default`); // num_points: the problem's own default
      continue;
    }
    parts.push(`${key}=${Array.isArray(value) ? value.map(encode).join(",") : encode(value)}`);
  }
  parts.push(`show_test_data=${Boolean(display.showTestData)}`, `discretize=${Boolean(display.discretize)}`);
  if (speed) parts.push(`speed=${speed}`);
  // Written as is: its characters (letters, digits, ".", ":", ",", "-") need no escaping in a hash.
  // The whole network holds every hand-set weight: a link with it needs no `edits=`.
  if (edits.length && !trained) parts.push(`${EDITS_KEY}=${formatEdits(edits)}`);
  // formatPoints' value: base64url letters and one ".", nothing to escape.
  if (points) parts.push(`${POINTS_KEY}=${points}`);
  if (trained) parts.push(`${PARAMS_KEY}=${encodeParams(trained.params)}`, `${EPOCH_KEY}=${trained.epoch}`);
  for (const name of [...hidden].sort()) parts.push(`${name}${HIDE_SUFFIX}=true`);
  if (hideText) parts.push("hideText=true");
  for (const [key, value] of course) parts.push(`${key}=${encode(value)}`);
  return parts.join("&");
}

// -- points= -------------------------------------------------------------------------------------
// A custom dataset's points, packed: "<decimals>.<base64url>", decimals 2 or 4 (the fewest that
// hold every number exactly), then each point as fixed-width base64url digits (most significant
// first) of whole numbers n = round(v · 10^decimals) + offset:
//   decimals 2: x and y 2 digits each (offset 2048: ±20.48), label and set 2 digits (offset 1024:
//     ±10.24, plus 2048 for a test point): 6 characters a point;
//   decimals 4: x and y 3 digits each (offset 131072: ±13.1072), label and set 4 digits (offset
//     4194304: ±419.4304, plus 8388608 for a test point): 10 characters a point.
// A label is the number the CSV has (±1, a class number, a regression value).

const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PACKINGS = {
  2: { scale: 100, coord: 2, label: 2 },
  4: { scale: 10000, coord: 3, label: 4 },
};

function packing(decimals) {
  const p = PACKINGS[decimals];
  const coordOffset = 64 ** p.coord / 2;
  const testBit = 64 ** p.label / 2;
  return { ...p, coordOffset, testBit, labelOffset: testBit / 2, width: 2 * p.coord + p.label };
}

function digitsOf(n, width) {
  let text = "";
  for (let i = 0; i < width; i++) {
    text = DIGITS[n % 64] + text;
    n = Math.floor(n / 64);
  }
  return text;
}

function numberOf(text) {
  let n = 0;
  for (const c of text) {
    const d = DIGITS.indexOf(c);
    if (d < 0) return -1;
    n = n * 64 + d;
  }
  return n;
}

/** Whether v has at most `decimals` decimals (as a CSV number to 4 decimals does). */
function exactIn(v, scale) {
  return Math.abs(Math.round(v * scale) - v * scale) < 1e-6;
}

/**
 * The `points=` value of a list of points, or null when a number does not fit the packing.
 * @param {Point[]} points
 * @returns {string|null}
 */
export function formatPoints(points) {
  const numbers = points.flatMap(([x, y, label]) => [x, y, label]);
  if (!numbers.every(Number.isFinite)) return null;
  const decimals = numbers.every((v) => exactIn(v, 100)) ? 2 : 4;
  const p = packing(decimals);
  let text = `${decimals}.`;
  for (const [x, y, label, set] of points) {
    const nx = Math.round(x * p.scale) + p.coordOffset;
    const ny = Math.round(y * p.scale) + p.coordOffset;
    const nl = Math.round(label * p.scale) + p.labelOffset;
    if ([nx, ny].some((n) => n < 0 || n >= 2 * p.coordOffset) || nl < 0 || nl >= p.testBit) return null;
    text += digitsOf(nx, p.coord) + digitsOf(ny, p.coord) + digitsOf(nl + (set === "test" ? p.testBit : 0), p.label);
  }
  return text;
}

/**
 * The `points=` value for a link, or null when there are none or they would make it too long
 * (more than POINTS_MAX_CHARS characters).
 * @param {Point[]} points
 */
export function linkPoints(points) {
  if (!points.length) return null;
  const text = formatPoints(points);
  return text && text.length <= POINTS_MAX_CHARS ? text : null;
}

/**
 * Read a `points=` value. A point whose characters are not base64url digits, and characters
 * left over at the end, are counted in `bad`, not kept; a value without a known "2." or "4."
 * is one bad entry.
 * @param {string} text
 * @returns {{points: Point[], bad: number}}
 */
export function parsePoints(text) {
  const value = text.trim();
  const dot = value.indexOf(".");
  const p = dot > 0 ? PACKINGS[value.slice(0, dot)] && packing(value.slice(0, dot)) : null;
  if (!p) return { points: [], bad: value ? 1 : 0 };
  const body = value.slice(dot + 1);
  const points = [];
  let bad = 0;
  for (let at = 0; at < body.length; at += p.width) {
    const chunk = body.slice(at, at + p.width);
    const nx = numberOf(chunk.slice(0, p.coord));
    const ny = numberOf(chunk.slice(p.coord, 2 * p.coord));
    const nl = numberOf(chunk.slice(2 * p.coord));
    if (chunk.length < p.width || nx < 0 || ny < 0 || nl < 0) {
      bad += 1;
      continue;
    }
    const test = nl >= p.testBit;
    const round = (v) => Number(v.toFixed(4)); // no float noise such as 1.2300000000000002
    points.push([
      round((nx - p.coordOffset) / p.scale), round((ny - p.coordOffset) / p.scale),
      round(((test ? nl - p.testBit : nl) - p.labelOffset) / p.scale), test ? "test" : "train",
    ]);
  }
  return { points, bad };
}
