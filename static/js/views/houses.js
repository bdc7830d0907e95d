// A regression table in the table view (issue 14): house prices, or a table of your own whose target
// is a number. A scatter of the predicted against the actual target for the test rows the server
// samples (`data.table.sample_labels`, `metrics.sample_predictions`, in the table's units), with the
// diagonal y = x where a perfect prediction would sit; the test RMSE (in the table's units) and R²
// large, beside what predicting the mean would give (RMSE = the test targets' spread, R² = 0 by
// definition); a few test rows with their columns, actual and predicted target (a column the network
// does not take is marked); and a hint to try the network without a hidden layer (a linear model).
// A classification or multi-class table of your own without pictures gets the test accuracy and a few
// rows' predicted classes (the confusion matrix is views/confusion.js's, under the output). Every
// number comes from the server; the page only draws and words them.

import { headOf } from "../math.js";
import { formatPercent, formatR2 } from "./metrics.js";
import { requestRender } from "../render.js";

const SVG = "http://www.w3.org/2000/svg";
const MINUS = "\u2212";
const PICKED = 3;        // test rows shown in the small table (and numbered on the scatter)
const MAX_COLUMNS = 12;  // columns of a wide table of your own shown in it
// The scatter's own coordinates (its viewBox): a square plot, so that y = x runs at 45°.
const LEFT = 66;
const TOP = 12;
const SIZE = 260;
const WIDTH = LEFT + SIZE + 14;
const HEIGHT = TOP + SIZE + 44;

/** A whole number with thousands separators and a real minus sign ("−1,234"). */
export function wholeNumber(value) {
  return Math.round(value).toLocaleString("en").replace("-", MINUS);
}

/** An amount in the target's units: "16,559 CAD", or a plain number (3 significant digits for small ones). */
export function amount(value, units = "") {
  if (!Number.isFinite(value)) return "–";
  const text = Math.abs(value) >= 100 ? wholeNumber(value) : String(Number(value.toPrecision(3))).replace("-", MINUS);
  return units ? `${text} ${units}` : text;
}

/** A tick's label: short, "50k" for 50,000 (the axis title names the units). */
export function tickLabel(value) {
  if (Math.abs(value) >= 10000) return `${String(Number((value / 1000).toPrecision(4))).replace("-", MINUS)}k`;
  return amount(value);
}

/** Round ticks over [low, high]: a step of 1, 2, 2.5 or 5 × 10ᵏ giving about `count` intervals. */
export function ticksOf(low, high, count = 4) {
  if (!(high > low)) {
    const pad = Math.abs(low) > 0 ? Math.abs(low) * 0.1 : 1;
    return ticksOf(low - pad, high + pad, count);
  }
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const first = Math.floor(low / step) * step;
  const last = Math.ceil(high / step) * step;
  const ticks = [];
  for (let i = 0; first + i * step <= last + step / 1e6; i++) ticks.push(Number((first + i * step).toPrecision(12)));
  return ticks;
}

/** What predicting one number for every test row gives: the mean of the test targets, whose RMSE
 * is their spread (R² is measured against it, so it scores 0). Every test row when the sample
 * holds them all; else the spread the server's own R² and RMSE imply (RMSE² / (1 − R²)). */
export function meanPredictor(table, metrics) {
  const labels = table.sample_labels ?? [];
  if (labels.length && labels.length === table.test_rows) {
    const mean = labels.reduce((a, b) => a + b, 0) / labels.length;
    const spread = Math.sqrt(labels.reduce((a, y) => a + (y - mean) ** 2, 0) / labels.length);
    return { mean, rmse: spread };
  }
  if (metrics && Number.isFinite(metrics.rmse) && metrics.r2 < 1) return { mean: null, rmse: metrics.rmse / Math.sqrt(1 - metrics.r2) };
  return { mean: null, rmse: null };
}

function element(tag, attrs = {}, text = "") {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  if (text) el.textContent = text;
  return el;
}

function svg(tag, attrs = {}, text = "") {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text) el.textContent = text;
  return el;
}

/** A column's header and how its values read: a yes/no column (units "yes = 1") as yes and no. */
function columnOf(name, unit) {
  if (unit === "yes = 1") return { name, head: name, cell: (v) => (v === 1 ? "yes" : v === 0 ? "no" : amount(v)) };
  return { name, head: unit ? `${name} (${unit})` : name, cell: (v) => amount(v) };
}

export function mountHouses(root, store, session) {
  const host = root.querySelector("[data-table-view=columns]");
  if (!host) return;
  const box = element("section", { class: "houses", "data-houses": "", "aria-labelledby": "houses-title", hidden: "" });
  const title = element("h3", { class: "houses-title", id: "houses-title", "data-houses-title": "" });
  const source = element("p", { class: "hint houses-source", "data-houses-source": "" });

  // The scores: the network's, then what predicting the mean would give.
  const scores = element("div", { class: "houses-scores" });
  const rmseBox = element("div", { class: "houses-score", "data-houses-score": "rmse" });
  const rmseLabel = element("span", { class: "houses-score-label" }, "Test RMSE");
  const rmseValue = element("span", { class: "houses-score-value", "data-houses-value": "rmse" }, "–");
  const rmseNote = element("span", { class: "houses-score-note" }, "a typical error of a prediction");
  rmseBox.append(rmseLabel, rmseValue, rmseNote);
  const r2Box = element("div", { class: "houses-score", "data-houses-score": "r2" });
  const r2Value = element("span", { class: "houses-score-value", "data-houses-value": "r2" }, "–");
  r2Box.append(element("span", { class: "houses-score-label" }, "Test R²"), r2Value,
    element("span", { class: "houses-score-note" }, "1 is perfect, 0 is no better than the mean"));
  const baseBox = element("div", { class: "houses-score baseline", "data-houses-baseline": "" });
  const baseLabel = element("span", { class: "houses-score-label" });
  const baseValue = element("span", { class: "houses-score-value" }, "–");
  const baseNote = element("span", { class: "houses-score-note" }, "R² 0, by definition");
  baseBox.append(baseLabel, baseValue, baseNote);
  scores.append(rmseBox, r2Box, baseBox);
  const verdict = element("p", { class: "houses-verdict", "data-houses-verdict": "" });

  // The scatter.
  const figure = element("figure", { class: "houses-figure" });
  const chart = svg("svg", { class: "houses-scatter", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "data-houses-scatter": "", "data-points": "0" });
  const grid = svg("g", { class: "houses-grid" });
  const diagonal = svg("line", { class: "houses-diagonal", "data-houses-diagonal": "" });
  const diagonalLabel = svg("text", { class: "houses-diagonal-label", "text-anchor": "end" }, "predicted = actual");
  const highLabel = svg("text", { class: "houses-region", x: LEFT + 8, y: TOP + 16 }, "predicted too high");
  const lowLabel = svg("text", { class: "houses-region", x: LEFT + SIZE - 8, y: TOP + SIZE - 8, "text-anchor": "end" }, "predicted too low");
  const dots = svg("g", { class: "houses-dots" });
  const marks = svg("g", { class: "houses-marks" });
  const xTitle = svg("text", { class: "houses-axis-title", x: LEFT + SIZE / 2, y: HEIGHT - 6, "text-anchor": "middle" });
  const yTitle = svg("text", { class: "houses-axis-title", transform: `translate(14 ${TOP + SIZE / 2}) rotate(-90)`, "text-anchor": "middle" });
  chart.append(grid, highLabel, lowLabel, diagonal, diagonalLabel, dots, marks, xTitle, yTitle);
  const caption = element("figcaption", { class: "hint", "data-houses-caption": "" });
  figure.append(chart, caption);

  // The hint: a network without a hidden layer is a linear model.
  const hint = element("div", { class: "houses-hint", "data-houses-hint": "" });
  const hintText = element("p");
  const hintButton = element("button", { type: "button", class: "button", "data-action": "toggle-hidden-layer" });
  hint.append(hintText, hintButton);

  // A few test rows: one column per row of the table, so that many columns read down, not across.
  const rowsBox = element("div", { class: "houses-rows" });
  const rowsTable = element("table", { class: "houses-table", "data-houses-table": "" });
  const rowsCaption = element("caption");
  const rowsHead = element("thead");
  const rowsBody = element("tbody");
  rowsTable.append(rowsCaption, rowsHead, rowsBody);
  rowsBox.append(rowsTable);

  box.append(title, source, scores, verdict, figure, hint, rowsBox);
  host.append(box);

  // The minimal view of a class table of your own: its accuracy and a few rows' predicted class.
  const classBox = element("section", { class: "houses class-table", "data-class-table": "", "aria-labelledby": "class-table-title", hidden: "" });
  const classTitle = element("h3", { class: "houses-title", id: "class-table-title" });
  const classScores = element("div", { class: "houses-scores" });
  const accuracyValue = element("span", { class: "houses-score-value", "data-class-table-accuracy": "" }, "–");
  const accuracyBox = element("div", { class: "houses-score" });
  accuracyBox.append(element("span", { class: "houses-score-label" }, "Test accuracy"), accuracyValue,
    element("span", { class: "houses-score-note", "data-class-table-note": "" }));
  classScores.append(accuracyBox);
  const classHint = element("p", { class: "hint" }, "The confusion matrix under the output shows which classes the test rows were taken for.");
  const classRows = element("div", { class: "houses-rows" });
  const classTable = element("table", { class: "houses-table", "data-class-rows": "" });
  classRows.append(classTable);
  classBox.append(classTitle, classScores, classHint, classRows);
  host.append(classBox);

  let built = "";        // the table the scatter's dots and the rows were made for
  let circles = [];
  let labels = [];       // the picked rows' number labels
  let cells = [];        // per picked row: its predicted and error cells
  let domain = [0, 1];

  const tableOf = () => {
    const { config, data } = store.state;
    const table = data?.table;
    return config && table && table.name === config.dataset ? table : null;
  };

  const xOf = (v) => LEFT + ((v - domain[0]) / (domain[1] - domain[0])) * SIZE;
  const yOf = (v) => TOP + SIZE - ((v - domain[0]) / (domain[1] - domain[0])) * SIZE;
  const clampTo = (v) => Math.max(domain[0], Math.min(domain[1], v));

  function axisName(table) {
    return table.units ? `${table.target} (${table.units})` : table.target;
  }

  /** Axes, dots and the rows' table for a new table (not on every metrics message). */
  function build(table) {
    const actual = table.sample_labels;
    const ticks = ticksOf(Math.min(...actual), Math.max(...actual));
    domain = [ticks[0], ticks[ticks.length - 1]];
    grid.replaceChildren();
    for (const t of ticks) {
      const x = xOf(t);
      const y = yOf(t);
      grid.append(svg("line", { x1: x, x2: x, y1: TOP, y2: TOP + SIZE, class: "houses-gridline" }),
        svg("line", { x1: LEFT, x2: LEFT + SIZE, y1: y, y2: y, class: "houses-gridline" }),
        svg("text", { x, y: TOP + SIZE + 16, "text-anchor": "middle", class: "houses-tick", "data-houses-tick": "x" }, tickLabel(t)),
        svg("text", { x: LEFT - 6, y: y + 4, "text-anchor": "end", class: "houses-tick", "data-houses-tick": "y" }, tickLabel(t)));
    }
    grid.append(svg("rect", { x: LEFT, y: TOP, width: SIZE, height: SIZE, class: "houses-frame" }));
    diagonal.setAttribute("x1", xOf(domain[0]));
    diagonal.setAttribute("y1", yOf(domain[0]));
    diagonal.setAttribute("x2", xOf(domain[1]));
    diagonal.setAttribute("y2", yOf(domain[1]));
    diagonalLabel.setAttribute("x", xOf(domain[1]) - 6);
    diagonalLabel.setAttribute("y", yOf(domain[1]) + 30);
    diagonalLabel.setAttribute("transform", `rotate(-45 ${xOf(domain[1]) - 6} ${yOf(domain[1]) + 30})`);
    xTitle.textContent = `Actual ${axisName(table)}`;
    yTitle.textContent = `Predicted ${axisName(table)}`;
    circles = actual.map((y, i) => {
      const dot = svg("circle", { r: i < PICKED ? 4.5 : 3.2, cx: xOf(y), cy: yOf(domain[0]), "data-houses-point": String(i), "data-actual": String(y) });
      if (i < PICKED) dot.classList.add("picked");
      dot.append(svg("title"));
      return dot;
    });
    dots.replaceChildren(...circles.slice(PICKED), ...circles.slice(0, PICKED));
    labels = actual.slice(0, PICKED).map((_, i) => svg("text", { class: "houses-mark", "text-anchor": "middle" }, String(i + 1)));
    marks.replaceChildren(...labels);
    chart.dataset.points = String(circles.length);
    chart.setAttribute("aria-label", `Predicted against actual ${table.target} for ${actual.length} test rows; the diagonal is a perfect prediction`);
    buildRows(table);
  }

  function buildRows(table) {
    const picked = Math.min(PICKED, table.sample_labels.length);
    const noun = table.name === "house-prices" ? "houses" : "rows";
    rowsCaption.textContent = `${picked} of the test ${noun}, numbered as on the chart${table.units ? ` (${table.target} in ${table.units})` : ""}`;
    const head = element("tr");
    head.append(element("th", { scope: "col" }, table.name === "house-prices" ? "House" : "Row"));
    for (let i = 0; i < picked; i++) head.append(element("th", { scope: "col" }, String(i + 1)));
    rowsHead.replaceChildren(head);
    const columns = table.columns.map((name, c) => columnOf(name, table.column_units?.[c] ?? ""));
    const shown = columns.slice(0, MAX_COLUMNS);
    const rows = shown.map((column, c) => {
      const tr = element("tr", { "data-houses-column": column.name });
      const th = element("th", { scope: "row" });
      th.append(element("span", {}, column.head), element("span", { class: "off-tag" }, " (not used)"));
      tr.append(th);
      for (let i = 0; i < picked; i++) tr.append(element("td", {}, column.cell(table.sample_inputs[i][c])));
      return tr;
    });
    if (columns.length > shown.length) {
      const more = element("tr");
      more.append(element("th", { scope: "row", class: "more" }, `…and ${columns.length - shown.length} more columns`));
      rows.push(more);
    }
    const actualRow = element("tr", { class: "target-row" });
    actualRow.append(element("th", { scope: "row" }, `Actual ${table.target}`));
    const predictedRow = element("tr", { class: "target-row predicted" });
    predictedRow.append(element("th", { scope: "row" }, "Predicted"));
    const errorRow = element("tr", { class: "error-row" });
    errorRow.append(element("th", { scope: "row", title: "predicted − actual" }, "Error"));
    cells = [];
    for (let i = 0; i < picked; i++) {
      actualRow.append(element("td", { "data-houses-actual": String(i) }, amount(table.sample_labels[i])));
      const predicted = element("td", { "data-houses-predicted": String(i) }, "–");
      const error = element("td", { "data-houses-error": String(i) }, "–");
      predictedRow.append(predicted);
      errorRow.append(error);
      cells.push({ predicted, error });
    }
    rowsBody.replaceChildren(...rows, actualRow, predictedRow, errorRow);
  }

  function draw() {
    const table = tableOf();
    const metrics = store.state.metrics;
    if (!table || table.problem !== "regression" || box.hidden) return;
    const predictions = metrics?.sample_predictions;
    const actual = table.sample_labels;
    const fits = Array.isArray(predictions) && predictions.length === actual.length;
    let outside = 0;
    circles.forEach((dot, i) => {
      const p = fits ? predictions[i] : null;
      const shown = p === null ? domain[0] : clampTo(p);
      const off = p !== null && shown !== p;
      if (off) outside += 1;
      dot.setAttribute("cy", yOf(shown).toFixed(1));
      dot.toggleAttribute("data-outside", off);
      dot.dataset.predicted = p === null ? "" : String(p);
      dot.style.visibility = p === null ? "hidden" : "";
      dot.firstChild.textContent = p === null ? "" : `Actual ${amount(actual[i], table.units)}, predicted ${amount(p, table.units)}`;
      if (i < labels.length) {
        labels[i].setAttribute("x", (Number(dot.getAttribute("cx")) + 8).toFixed(1));
        labels[i].setAttribute("y", (yOf(shown) - 6).toFixed(1));
        labels[i].style.visibility = p === null ? "hidden" : "";
      }
    });
    cells.forEach(({ predicted, error }, i) => {
      const p = fits ? predictions[i] : null;
      predicted.textContent = p === null ? "–" : amount(p);
      const e = p === null ? null : p - actual[i];
      error.textContent = e === null ? "–" : `${e > 0 ? "+" : ""}${amount(e)}`;
    });
    const rows = table.name === "house-prices" ? "test houses" : "test rows";
    caption.textContent = `Each dot is one of the ${actual.length} ${rows}: across, its actual ${table.target}; up, the network's prediction. `
      + "On the dashed diagonal a prediction is exact."
      + (outside ? ` ${outside} ${outside === 1 ? "prediction is" : "predictions are"} off the chart, drawn at its edge.` : "");
    chart.dataset.outside = String(outside);
    chart.dataset.epoch = String(metrics?.epoch ?? "");
  }

  function scoresOf(table) {
    const metrics = store.state.metrics;
    const units = table.units;
    const hasFit = metrics && Number.isFinite(metrics.rmse) && Number.isFinite(metrics.r2);
    rmseValue.replaceChildren(hasFit ? amount(metrics.rmse) : "–", ...(hasFit && units ? [element("span", { class: "houses-units" }, ` ${units}`)] : []));
    rmseValue.dataset.value = hasFit ? String(metrics.rmse) : "";
    r2Value.textContent = hasFit ? formatR2(metrics.r2).replace("-", MINUS) : "–";
    r2Value.dataset.value = hasFit ? String(metrics.r2) : "";
    const base = meanPredictor(table, metrics);
    const noun = table.name === "house-prices" ? "price" : table.target;
    const rows = table.name === "house-prices" ? "houses" : "rows";
    baseLabel.textContent = base.mean === null
      ? `Always predicting the test ${rows}' mean ${noun}`
      : `Always predicting the test ${rows}' mean ${noun} (${amount(base.mean, units)})`;
    baseValue.replaceChildren(base.rmse === null ? "–" : `RMSE ${amount(base.rmse)}`, ...(base.rmse !== null && units ? [element("span", { class: "houses-units" }, ` ${units}`)] : []));
    baseBox.dataset.rmse = base.rmse === null ? "" : String(base.rmse);
    if (!hasFit || base.rmse === null) {
      verdict.textContent = "";
      verdict.dataset.better = "";
      return;
    }
    const gap = base.rmse - metrics.rmse;
    const better = gap > 0;
    verdict.dataset.better = String(better);
    verdict.textContent = better
      ? `The network's predictions are off by ${amount(metrics.rmse, units)} on a typical test ${table.name === "house-prices" ? "house" : "row"}: ${amount(gap, units)} less than always guessing the mean.`
      : `Not yet better than always guessing the mean (${amount(-gap, units)} worse): train it (Play) and watch the dots gather along the diagonal.`;
  }

  function hintOf(table) {
    const { config, hello } = store.state;
    const linear = config.network_shape.length === 0;
    const own = hello?.options?.tables?.[table.name]?.defaults?.network_shape;
    const back = own && own.length ? own : [4];
    hint.dataset.linear = String(linear);
    if (linear) {
      hintText.textContent = "No hidden layer: the network is a linear model, a weighted sum of the inputs plus a bias. "
        + "Train it and compare its R² with the network's.";
      hintButton.textContent = `Back to a hidden layer of ${back.join(", ")}`;
      hintButton.dataset.shape = back.join(",");
    } else {
      hintText.textContent = table.name === "house-prices"
        ? "Try it without a hidden layer: a linear model (price = a weighted sum of the columns) does better on these 437 houses than this network, which has more weights to fit their noise."
        : "Try it without a hidden layer: a linear model, a weighted sum of the inputs. Does the hidden layer help on this table?";
      hintButton.textContent = "Try no hidden layer";
      hintButton.dataset.shape = "";
    }
  }

  function offColumns(table) {
    const chosen = store.state.config.inputs;
    for (const tr of rowsBody.querySelectorAll("[data-houses-column]")) {
      const off = Array.isArray(chosen) && !chosen.includes(tr.dataset.housesColumn);
      tr.classList.toggle("off", off);
      tr.dataset.off = String(off);
    }
    const used = Array.isArray(chosen) ? chosen.length : table.columns.length;
    // (The table's rows, split and source are in the data panel: views/tableAbout.js.)
    source.textContent = `The network takes ${used} of the ${table.columns.length} columns: switch them off and on at the network's inputs.`;
  }

  hintButton.addEventListener("click", () => {
    const shape = hintButton.dataset.shape;
    session.configure({ network_shape: shape ? shape.split(",").map(Number) : [] });
  });

  // -- a class table of your own -------------------------------------------------------------

  let classBuilt = "";
  let classCells = [];

  function buildClassRows(table) {
    const picked = Math.min(PICKED, table.sample_labels.length);
    const head = element("tr");
    head.append(element("th", { scope: "col" }, "Row"));
    for (let i = 0; i < picked; i++) head.append(element("th", { scope: "col" }, String(i + 1)));
    const columns = table.columns.map((name, c) => columnOf(name, table.column_units?.[c] ?? "")).slice(0, MAX_COLUMNS);
    const rows = columns.map((column, c) => {
      const tr = element("tr");
      tr.append(element("th", { scope: "row" }, column.head));
      for (let i = 0; i < picked; i++) tr.append(element("td", {}, column.cell(table.sample_inputs[i][c])));
      return tr;
    });
    const actualRow = element("tr", { class: "target-row" });
    actualRow.append(element("th", { scope: "row" }, `Actual ${table.target}`));
    const predictedRow = element("tr", { class: "target-row predicted" });
    predictedRow.append(element("th", { scope: "row" }, "Predicted"));
    classCells = [];
    for (let i = 0; i < picked; i++) {
      actualRow.append(element("td", {}, classOf(table, table.sample_labels[i])));
      const td = element("td", { "data-class-predicted": String(i) }, "–");
      predictedRow.append(td);
      classCells.push(td);
    }
    classTable.replaceChildren(element("caption", {}, `${picked} of the test rows`), element("thead"), element("tbody"));
    classTable.tHead.append(head);
    classTable.tBodies[0].append(...rows, actualRow, predictedRow);
  }

  /** A class as the table names it: a binary target's −1 / +1 read as 0 / 1 (as the file had them). */
  function classOf(table, value) {
    if (table.problem === "classification") return value > 0 ? "1" : "0";
    return table.classes?.[value] ?? String(value);
  }

  function drawClasses(table) {
    const metrics = store.state.metrics;
    accuracyValue.textContent = formatPercent(metrics?.test_accuracy);
    const predictions = metrics?.sample_predictions;
    const fits = Array.isArray(predictions) && predictions.length === table.sample_labels.length;
    classCells.forEach((td, i) => {
      // A binary network's output is a value (its sign is the class); multi-class sends the class.
      const p = fits ? predictions[i] : null;
      const threshold = headOf(store.state.config) === "sigmoid" ? 0.5 : 0; // a probability, or tanh's −1…1
      td.textContent = p === null ? "–" : table.problem === "classification" ? (p > threshold ? "1" : "0") : classOf(table, p);
    });
  }

  // -- from the store ------------------------------------------------------------------------

  function render() {
    const table = tableOf();
    const regression = Boolean(table) && table.problem === "regression";
    const classes = Boolean(table) && !regression && !table.image;
    box.hidden = !regression;
    classBox.hidden = !classes;
    if (regression) {
      const signature = `${table.name}|${table.target}|${table.columns.join(",")}|${table.sample_labels.length}|${table.train_rows}`;
      if (signature !== built) {
        build(table);
        built = signature;
      }
      title.textContent = table.title;
      scoresOf(table);
      hintOf(table);
      offColumns(table);
      requestRender(draw);
    } else {
      built = "";
    }
    if (classes) {
      const signature = `${table.name}|${table.target}|${table.columns.join(",")}|${table.sample_labels.length}`;
      if (signature !== classBuilt) {
        buildClassRows(table);
        classBuilt = signature;
      }
      classTitle.textContent = `${table.title}: ${table.target}`;
      host.querySelector("[data-class-table-note]").textContent = `of ${table.test_rows.toLocaleString("en")} test rows`;
      drawClasses(table);
    } else {
      classBuilt = "";
    }
  }

  store.on(["data", "metrics", "config", "hello"], render);
  render();
}
