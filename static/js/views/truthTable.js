// The logic gates' truth table (metrics' `truth_table`, the `logic` dataset only): for each of the
// four inputs (x₁, x₂), every hidden unit's value and the output ŷ on the 0..1 scale, against the
// gate's value there (the point's label in the `data` message: +1 is 1, −1 is 0), and whether ŷ
// rounds to it. A real table with headers and a caption; cells tinted on the 0..1 scale (0 orange,
// 1 blue, as the points and the probability legend); it follows every metrics message, so a weight
// typed in the diagram shows at once. Under it, one button per course network
// (hello.options.gate_networks) loads that gate's settings and weights, as a lesson's "Show me".

import { inkOn, mapHexOf } from "../colors.js";
import { labelOf } from "../labels.js";

const DIGITS = 5; // g(10) = 0.99995 and g(−10) = 0.00005, not 1 and 0
const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";

function cell(tag, text, attrs = {}) {
  const el = document.createElement(tag);
  el.textContent = text;
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

function visuallyHidden(text) {
  return cell("span", text, { class: "visually-hidden" });
}

/** A value as the table shows it: five decimals, a real minus sign ("–" for none). */
export function formatUnit(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  const text = Math.abs(value) < 1e4 ? value.toFixed(DIGITS) : value.toPrecision(DIGITS);
  return text.replace("-", "−");
}

function subscript(n) {
  return String(n).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
}

function signed(value, first) {
  const magnitude = String(Math.abs(value));
  if (first) return value < 0 ? `−${magnitude}` : magnitude;
  return value < 0 ? ` − ${magnitude}` : ` + ${magnitude}`;
}

/**
 * A course network in the course's notation, from its settings and edits: "ŷ = g(−10 + 20x₁ +
 * 20x₂)", or for XOR "a₁ = g(−10 + 20x₁ − 20x₂), a₂ = …, ŷ = g(−10 + 20a₁ + 20a₂)".
 * @param {{config: object, edits: object[]}} network  one of hello.options.gate_networks
 */
export function networkFormula({ config, edits }) {
  const layers = (config.network_shape ?? []).length;
  const units = new Map(); // "layer.node" → {layer, node, bias, weights: [[from, w]]}
  const unit = (layer, node) => {
    const key = `${layer}.${node}`;
    if (!units.has(key)) units.set(key, { layer, node, bias: 0, weights: [] });
    return units.get(key);
  };
  for (const edit of edits) {
    if ("node" in edit) unit(edit.layer, edit.node).bias = edit.value;
    else unit(edit.layer, edit.to).weights.push([edit.from, edit.value]);
  }
  const name = (layer, node) => (layer === layers ? "ŷ"
    : layers === 1 ? `a${subscript(node + 1)}` : `a${subscript(layer + 1)},${subscript(node + 1)}`);
  const input = (layer, from) => (layer === 0 ? `x${subscript(from + 1)}` : name(layer - 1, from));
  return [...units.values()].sort((a, b) => a.layer - b.layer || a.node - b.node).map(({ layer, node, bias, weights }) => {
    const terms = weights.filter(([, w]) => w !== 0).sort((a, b) => a[0] - b[0])
      .map(([from, w]) => `${signed(w, false)}${input(layer, from)}`);
    return `${name(layer, node)} = g(${signed(bias, true)}${terms.join("")})`;
  }).join(", ");
}

/**
 * The gate's value at (x₁, x₂): the label of that point in the `data` message (+1 → 1, −1 → 0),
 * or null when the data do not have it (yet).
 */
export function targetOf(data, x1, x2) {
  if (!data) return null;
  const point = [...data.train, ...data.test].find(([x, y]) => Math.abs(x - x1) < 1e-9 && Math.abs(y - x2) < 1e-9);
  return point ? (point[2] > 0 ? 1 : 0) : null;
}

function tintCell(td, value01) {
  const finite = typeof value01 === "number" && Number.isFinite(value01);
  const background = mapHexOf(finite ? 2 * value01 - 1 : 0);
  td.style.background = background;
  td.style.color = inkOn(background);
}

export function mountTruthTable(root, store, session) {
  const box = root.querySelector("[data-truth-box]");
  const table = box.querySelector("[data-truth-table]");
  const head = table.querySelector("thead");
  const body = table.querySelector("tbody");
  const title = table.querySelector("[data-truth-title]");
  const score = table.querySelector("[data-truth-score]");
  const networks = box.querySelector("[data-gate-networks]");
  const scroller = box.querySelector(".truth-scroll");
  let signature = "";
  let rows = []; // per input: {tr, units: [[td per unit] per layer], output, target, mark}

  /** The headers and the four rows, rebuilt only when the hidden layers change. */
  function build(shape) {
    const top = document.createElement("tr");
    top.append(cell("th", "Inputs", { scope: "colgroup", colspan: "2", class: "pin-left" }));
    shape.forEach((count, l) => {
      const group = cell("th", "", { scope: "colgroup", colspan: String(count), class: "layer-group" });
      group.append(cell("span", `Hidden layer ${l + 1}`));
      top.append(group);
    });
    const output = cell("th", "Output ŷ", { scope: "col", rowspan: "2", class: "pin-right" });
    output.title = "The network's output on the 0..1 scale";
    const target = cell("th", "Target", { scope: "col", rowspan: "2", class: "pin-right" });
    target.title = "The gate's value at this input";
    const mark = cell("th", "", { scope: "col", rowspan: "2", class: "pin-right" });
    mark.append(cell("span", "✓", { "aria-hidden": "true" }), visuallyHidden("Right: ŷ rounds to the target"));
    mark.title = "Whether ŷ rounds to the target";
    top.append(output, target, mark);
    const names = document.createElement("tr");
    names.append(cell("th", "x₁", { scope: "col", class: "pin-left" }), cell("th", "x₂", { scope: "col", class: "pin-left" }));
    shape.forEach((count, l) => {
      for (let i = 0; i < count; i++) {
        // As the diagram names it ("neuron 1 of hidden layer 1"); the group header says the layer.
        const th = cell("th", `Neuron ${i + 1}`, { scope: "col", "data-layer": String(l), "data-index": String(i) });
        th.title = `Neuron ${i + 1} of hidden layer ${l + 1}`;
        if (i === 0) th.classList.add("layer-start");
        names.append(th);
      }
    });
    head.replaceChildren(top, names);
    rows = [];
    body.replaceChildren(...[0, 1, 2, 3].map(() => {
      const tr = cell("tr", "", { "data-truth-row": "" });
      const inputs = [cell("th", "", { scope: "row", class: "input pin-left" }), cell("th", "", { scope: "row", class: "input pin-left" })];
      tr.append(...inputs);
      const units = shape.map((count, l) => Array.from({ length: count }, (_, i) => {
        const td = cell("td", "", { "data-truth-cell": "", "data-layer": String(l), "data-index": String(i), class: i === 0 ? "layer-start" : "" });
        tr.append(td);
        return td;
      }));
      const outputCell = cell("td", "", { "data-truth-output": "", class: "output pin-right" });
      const targetCell = cell("td", "", { "data-truth-target": "", class: "target pin-right" });
      const markCell = cell("td", "", { "data-truth-mark": "", class: "mark pin-right" });
      tr.append(outputCell, targetCell, markCell);
      rows.push({ tr, inputs, units, output: outputCell, target: targetCell, mark: markCell });
      return tr;
    }));
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  function render() {
    const { metrics, config, data } = store.state;
    const truth = metrics?.truth_table;
    box.hidden = !Array.isArray(truth) || truth.length === 0 || !config;
    if (box.hidden) return;
    const shape = truth[0].hidden.map((layer) => layer.length);
    const next = shape.join(",");
    const rebuilt = next !== signature || rows.length !== truth.length;
    if (rebuilt) {
      build(shape);
      signature = next;
    }
    // A sigmoid unit's value is on the 0..1 scale; other activations' on the playground's −1…1.
    const hiddenOn01 = config.activation === "sigmoid";
    let right = 0;
    truth.forEach((entry, r) => {
      const row = rows[r];
      if (!row) return;
      const [x1, x2] = entry.inputs;
      setText(row.inputs[0], String(x1));
      setText(row.inputs[1], String(x2));
      row.tr.dataset.inputs = `${x1},${x2}`;
      entry.hidden.forEach((layer, l) => layer.forEach((value, i) => {
        const td = row.units[l]?.[i];
        if (!td) return;
        setText(td, formatUnit(value));
        tintCell(td, hiddenOn01 ? value : (value + 1) / 2);
      }));
      const y = typeof entry.output === "number" ? entry.output : NaN;
      setText(row.output, formatUnit(y));
      tintCell(row.output, y);
      const target = targetOf(data, x1, x2);
      setText(row.target, target === null ? "–" : String(target));
      if (target === null) row.target.removeAttribute("style");
      else tintCell(row.target, target);
      const correct = target !== null && Number.isFinite(y) && Math.round(y) === target;
      if (correct) right += 1;
      row.tr.dataset.correct = String(correct);
      const words = target === null ? "" : correct ? "right" : "wrong";
      if (row.mark.dataset.state !== words) {
        row.mark.dataset.state = words;
        row.mark.replaceChildren();
        if (words) row.mark.append(cell("span", correct ? "✓" : "✗", { "aria-hidden": "true" }), visuallyHidden(words));
      }
    });
    table.dataset.right = String(right);
    setText(title, `Truth table for ${labelOf("gate", config.gate)}`);
    setText(score, `${right} of ${truth.length} inputs right`);
    if (rebuilt) pin();
  }

  /**
   * A network too wide for the panel scrolls its hidden columns sideways between the inputs
   * (pinned left) and ŷ, the target and the mark (pinned right), which stay in view. Those columns
   * keep their widths whatever the values, so this runs once per build and on a resize.
   */
  function pin() {
    table.classList.remove("pinned"); // measured where they stand unpinned
    const wide = scroller.scrollWidth > scroller.clientWidth + 1;
    const pinned = [...table.querySelectorAll(".pin-left, .pin-right")];
    const edges = table.getBoundingClientRect();
    const offsets = pinned.map((el) => {
      const at = el.getBoundingClientRect();
      return el.classList.contains("pin-left") ? ["left", at.left - edges.left] : ["right", edges.right - at.right];
    });
    pinned.forEach((el, i) => {
      el.style.left = "";
      el.style.right = "";
      if (wide) el.style[offsets[i][0]] = `${offsets[i][1]}px`;
    });
    // A layer's name stays in view beside the inputs while its columns pass under it.
    const inputs = table.querySelector("thead th.pin-left");
    if (inputs) table.style.setProperty("--pinned-inputs", `${inputs.getBoundingClientRect().right - edges.left}px`);
    table.classList.toggle("pinned", wide);
  }

  function buildNetworks(hello) {
    const all = hello.options.gate_networks ?? {};
    const gates = (hello.options.gate ?? []).filter((gate) => all[gate]);
    const signature = gates.join(",");
    if (networks._signature === signature) return;
    networks._signature = signature;
    networks.replaceChildren(...gates.map((gate) => {
      const button = cell("button", labelOf("gate", gate), { type: "button", class: "button", "data-gate-network": gate });
      button.title = `The course's network for ${labelOf("gate", gate)}: ${networkFormula(all[gate])}`;
      return button;
    }));
  }

  /** The current gate's button stands out (the network that computes what the points show). */
  function markGate() {
    const gate = store.state.config?.gate;
    for (const button of networks.children) button.classList.toggle("current", button.dataset.gateNetwork === gate);
  }

  networks.addEventListener("click", (event) => {
    const button = event.target.closest("[data-gate-network]");
    const network = button && store.state.hello?.options.gate_networks?.[button.dataset.gateNetwork];
    if (network) session.apply(network);
  });

  store.on("hello", (hello) => {
    buildNetworks(hello);
    markGate();
  });
  store.on("config", markGate);
  store.on(["metrics", "data", "config"], render);
  new ResizeObserver(() => { if (!box.hidden) pin(); }).observe(scroller);
}
