// The confusion matrix of the test set (metrics' `confusion`, classification and multi-class): a
// real table (rows the true class, columns the predicted one, counts in the cells) that a screen
// reader reads as one, each class named and shown in the colour the map paints it, and each cell
// tinted with its predicted class's colour by the share of its row's points it holds.

import { CLASS_COLORS, NAMED_CLASS_COLOUR, cssOf, inkOn } from "../colors.js";
import { currentTable } from "../tables.js";

/**
 * The classes' names and colours: a binary problem's class 0 is orange (−1), class 1 blue (+1); a
 * table's classes have its names (MNIST's digits 0…9: "Digit 3").
 * @param {object} config
 * @param {object|null} [table]  the page's current table (tables.js currentTable)
 */
export function classesOf(config, table = null) {
  if (config.problem === "multiclass") {
    const names = table?.classes;
    if (names?.length === config.num_classes) {
      // A table's classes are named (up to ten: more than the palette has), so one colour serves.
      const target = String(table.target || "class").replace(/^./, (c) => c.toUpperCase());
      return names.map((name) => ({ name: `${target} ${name}`, short: String(name), colour: NAMED_CLASS_COLOUR }));
    }
    return CLASS_COLORS.slice(0, config.num_classes).map((colour, k) => ({ name: `Class ${k + 1}`, short: String(k + 1), colour }));
  }
  return [{ name: "Orange (−1)", short: "Orange", colour: hexOf(cssOf(-1)) }, { name: "Blue (+1)", short: "Blue", colour: hexOf(cssOf(1)) }];
}

function hexOf(css) {
  const [r, g, b] = css.match(/\d+/g).map(Number);
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

/** `hex` blended over white: share 0 is a faint tint, 1 the full colour. */
export function tint(hex, share) {
  const t = 0.08 + 0.92 * Math.max(0, Math.min(1, share));
  const n = parseInt(hex.slice(1), 16);
  const channels = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => Math.round(255 + (c - 255) * t));
  return `#${channels.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

function cell(tag, text, attrs = {}) {
  const el = document.createElement(tag);
  el.textContent = text;
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

/** A class's header: its colour and short name on screen, its whole name for screen readers. */
function header(th, { name, short, colour }) {
  const seen = cell("span", short, { "aria-hidden": "true" });
  th.append(swatch(colour), seen, cell("span", name, { class: "visually-hidden" }));
  th.title = name;
}

function swatch(colour) {
  const el = document.createElement("span");
  el.className = "swatch";
  el.setAttribute("aria-hidden", "true");
  el.style.background = colour;
  return el;
}

export function mountConfusion(root, store) {
  const box = root.querySelector("[data-confusion-box]");
  const table = root.querySelector("[data-confusion]");
  const head = table.querySelector("thead");
  const body = table.querySelector("tbody");
  const caption = table.querySelector("caption");
  let signature = "";
  let cells = [];

  /** The headers and K × K cells, rebuilt only when the classes change (not every metrics). */
  function build(classes) {
    const k = classes.length;
    const corner = () => cell("td", "", { class: "corner" });
    const top = document.createElement("tr");
    top.append(corner(), corner(), cell("th", "Predicted class", { scope: "colgroup", colspan: String(k), class: "axis-title" }));
    const names = document.createElement("tr");
    names.append(corner(), corner());
    for (const c of classes) {
      const th = cell("th", "", { scope: "col" });
      header(th, c);
      names.append(th);
    }
    head.replaceChildren(top, names);
    cells = [];
    const rows = classes.map((c, t) => {
      const row = document.createElement("tr");
      if (t === 0) {
        const title = cell("th", "", { scope: "rowgroup", rowspan: String(k), class: "axis-title true-axis" });
        title.append(cell("span", "True class"));
        row.append(title);
      }
      const th = cell("th", "", { scope: "row" });
      header(th, c);
      row.append(th);
      cells.push(classes.map((_, p) => {
        const td = cell("td", "0", { "data-confusion-cell": "", "data-true": String(t), "data-predicted": String(p) });
        if (t === p) td.classList.add("diagonal");
        row.append(td);
        return td;
      }));
      return row;
    });
    body.replaceChildren(...rows);
  }

  store.on("metrics", (m) => {
    const config = store.state.config;
    const matrix = m?.confusion;
    box.hidden = !matrix || !config;
    if (box.hidden) return;
    const classes = classesOf(config, currentTable(store.state));
    if (matrix.length !== classes.length) {
      box.hidden = true; // a metrics message of the network before a class change
      return;
    }
    const next = classes.map((c) => c.name + c.colour).join("|");
    if (next !== signature) {
      build(classes);
      signature = next;
      // Many classes (MNIST's ten) in the narrow column: smaller cells, no swatches of one colour.
      table.classList.toggle("compact", classes.length > CLASS_COLORS.length);
    }
    let total = 0;
    matrix.forEach((row, t) => {
      const count = row.reduce((a, b) => a + b, 0);
      total += count;
      row.forEach((n, p) => {
        const td = cells[t][p];
        const text = String(n);
        if (td.textContent !== text) td.textContent = text;
        const background = tint(classes[p].colour, count ? n / count : 0);
        td.style.background = background;
        td.style.color = inkOn(background);
      });
    });
    table.dataset.total = String(total);
    const rows = currentTable(store.state);
    const words = rows
      ? `Test set, ${total.toLocaleString("en")} ${rows.image ? "images" : "rows"}: where each class's went`
      : `Test set, ${total.toLocaleString("en")} points: where each class's points went`;
    if (caption.textContent !== words) caption.textContent = words;
  });
}
