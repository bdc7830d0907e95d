// Your own points (issue 13) without the DOM: the CSV the page sends in `import_data` (docs/protocol.md
// "Your own data"), the even rule that puts a new point in the test set, the points of a `data`
// message as one list, and the tab's own copy of its custom points in sessionStorage, which a
// reload or a reconnect sends again after its `load` (session.js applyHash).

/** @typedef {import("./hash.js").Point} Point */

const STORAGE_KEY = "playground-points";

/** A number as the CSV writes it: at most 4 decimals (the precision the server keeps), no "-0". */
export function csvNumber(v) {
  const n = Number(v.toFixed(4));
  return String(n === 0 ? 0 : n);
}

/**
 * The CSV of a list of points, with the header `x,y,label,set` (what `export_data` gives too).
 * @param {Point[]} points
 */
export function toCsv(points) {
  const rows = points.map(([x, y, label, set]) => `${csvNumber(x)},${csvNumber(y)},${csvNumber(label)},${set}`);
  return ["x,y,label,set", ...rows].join("\n") + "\n";
}

/**
 * A `data` message's training and test points as one list, each with its set.
 * @param {{train: number[][], test: number[][]}} data
 * @returns {Point[]}
 */
export function pointsOf(data) {
  return [...data.train.map(([x, y, l]) => [x, y, l, "train"]), ...data.test.map(([x, y, l]) => [x, y, l, "test"])];
}

/**
 * The set of a new point when `count` points are there already: the protocol's even split, point i
 * (from 0) goes to the test set when ⌊(i + 1) · t⌋ > ⌊i · t⌋ with t = 1 − train_ratio / 100, so
 * the drawn points keep the training share (and the first one is always for training).
 * @param {number} count
 * @param {number} trainRatio  percent
 */
export function setOfNew(count, trainRatio) {
  // i · (100 − ratio) / 100 rather than i · t: whole numbers, so that t = 0.3 is not 0.30000000000000004.
  const share = (i) => Math.floor((i * (100 - trainRatio)) / 100);
  return share(count + 1) > share(count) ? "test" : "train";
}

/** The tab's last custom points ({problem, csv}), or null. */
export function loadSaved() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    return saved && typeof saved.csv === "string" && typeof saved.problem === "string" ? saved : null;
  } catch {
    return null; // no storage here (a blocked frame), or a damaged entry
  }
}

/** Keep the tab's custom points for the next reload or reconnect. */
export function save(problem, csv) {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ problem, csv }));
  } catch {
    // No storage (or full): the points live on in the server's session until the tab closes.
  }
}

const TABLE_KEY = "playground-table";

/** The tab's last table of its own ({problem, content, target, inputs?, test_ratio?}), or null. */
export function loadSavedTable() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(TABLE_KEY) ?? "null");
    return saved && typeof saved.content === "string" && typeof saved.target === "string"
      && typeof saved.problem === "string" ? saved : null;
  } catch {
    return null;
  }
}

/** Keep the table of its own that the tab opened, for the next reload or reconnect. */
export function saveTable(table) {
  try {
    sessionStorage.setItem(TABLE_KEY, JSON.stringify(table));
  } catch {
    // No storage (or full): the table lives on in the server's session until the tab closes.
  }
}

/** How many points a CSV holds (its lines after the header). */
export function csvCount(csv) {
  return csv.split("\n").filter((line) => line.trim()).length - 1;
}
