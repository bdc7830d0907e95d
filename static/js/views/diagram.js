// Building the network diagram's DOM for one network and width: where nodes go, the SVG links and
// bias squares, the node buttons with their thumbnail canvases, and each layer's +/− controls.
// Pure construction; network.js owns the behaviour and paints the live values into it.
// On a table (issue 14) the inputs are its columns (one node each, named, switched off and on as
// the features are), or, for a picture or more than a handful of columns, one input node standing
// for all of them, whose links into the first hidden layer are summarized (one line per neuron, as
// wide as its weights are large); tall layers (MNIST's 32 neurons) get smaller nodes.

import { CLASS_COLORS, NAMED_CLASS_COLOUR, cssOf, inkOn, linkWidth } from "../colors.js";
import { layerControl } from "../hiding.js";
import { lutFor, paintBytes, shrink } from "../maps.js";
import { neuronName } from "./output.js";

const SVG = "http://www.w3.org/2000/svg";
export const NODE = 36;  // a node's side, px, where there is room
const SMALL_NODE = 30;   // ... and the least it shrinks to when many layers share a narrow panel
const ROW_GAP = 10;      // vertical room between two nodes of a column
const LABEL_ROOM = 54;   // room left of the inputs for their labels ("sin(X₁)" and its gap)
const RIGHT_ROOM = 6;    // room right of the outputs (a focus ring)
const BIAS = 8;          // the bias square's side
// Between two columns: a bias square 3 px from its node and 4 px from the column before, so that
// links show between. Where even small nodes do not fit so, the diagram is wider than its panel
// (a phone), and the panel scrolls sideways.
const COLUMN_GAP = BIAS + 7;
// A layer's +/− and "8 neurons" sit above its column, in a box this much narrower than the pitch
// (so neighbours never touch). Sizes as the CSS draws them (.layer-controls, .layer-size).
const CONTROLS_GAP = 4;
const CONTROLS_MAX = 80;
const ONE_LINE = 62;     // "8 neurons" fits on one line in a box this wide; narrower, it wraps
const LINE = 13;         // the label's line height (12 when it wraps, in a smaller font)
const TOP = 4;           // room above the controls (a focus ring when the diagram scrolls)
// A table's tall layers: the column's nodes shrink (down to TINY_NODE, TALL_GAP apart) so that the
// tallest fits in about TALL px rather than 46 px a node.
const TALL = 800;
const TINY_NODE = 16;
const TALL_GAP = 4;
const SUMMARY_SIDE = 96; // the side of one input node standing for a whole picture, at most
const LABEL_CHAR = 7.2;  // px a character of an input's label takes (13 px system font), about

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function place(node, p, size) {
  node.style.left = `${p.x}px`;
  node.style.top = `${p.y}px`;
  if (size !== NODE) node.style.width = node.style.height = `${size}px`;
  return node;
}

function iconButton(action, label, icon, layer) {
  const button = el("button", "mini", { type: "button", "data-action": action, "aria-label": label, "data-layer": String(layer) });
  const mark = document.createElementNS(SVG, "svg");
  mark.setAttribute("aria-hidden", "true");
  mark.append(svg("use", { href: `#i-${icon}` }));
  button.append(mark);
  return button;
}

/**
 * How each layer's controls fit above its column: the box's width, whether the +/− stack and the
 * label wraps, and the room they need above the nodes.
 * @param {number} pitch   px between neighbouring columns
 * @param {number} button  the side of a +/− button (bigger for touch)
 */
function controlsFit(pitch, button) {
  const box = Math.min(CONTROLS_MAX, Math.floor(pitch - CONTROLS_GAP));
  const stack = box < 2 * button + 4;
  const wrap = box < ONE_LINE;
  const stepper = stack ? 2 * button + 2 : button;
  const label = wrap ? 2 * (LINE - 1) : LINE;
  return { box, stack, wrap, head: TOP + stepper + 2 + label + 8 };
}

/**
 * Where every node goes (top-left corners): inputs at the left, outputs at the right, hidden
 * layers evenly between; each column centred vertically. A width too small for the layers'
 * columns to stay MIN_PITCH apart gives a wider diagram (its panel scrolls sideways).
 * @param {{button?: number, labelRoom?: number, tall?: boolean}} [options]  button: the +/−
 *   buttons' side (22 px, 28 for touch); labelRoom: room left of the inputs for their labels;
 *   tall: a column of many nodes shrinks them to fit in about TALL px (a table's)
 */
export function layout(width, allFeatures, shape, outputs, { button = 22, labelRoom = LABEL_ROOM, tall = false } = {}) {
  const gaps = shape.length + 1;
  // The biggest node (up to NODE) whose columns keep COLUMN_GAP between them in this width.
  const fits = Math.floor((width - labelRoom - RIGHT_ROOM - gaps * COLUMN_GAP) / (gaps + 1));
  let node = Math.max(SMALL_NODE, Math.min(NODE, fits));
  const rows = Math.max(allFeatures.length, ...shape, outputs, 1);
  let gap = ROW_GAP;
  if (tall && rows * (node + ROW_GAP) > TALL) {
    node = Math.max(TINY_NODE, Math.min(node, Math.floor(TALL / rows) - TALL_GAP));
    gap = TALL_GAP;
  }
  const least = labelRoom + gaps * (node + COLUMN_GAP) + node + RIGHT_ROOM;
  const full = Math.max(width, least);
  const slot = node + gap;
  const inX = labelRoom;
  const outX = Math.max(inX + 2 * node, full - node - RIGHT_ROOM);
  const pitch = (outX - inX) / gaps;
  const controls = controlsFit(pitch, button);
  const head = controls.head;
  const height = head + rows * slot;
  const column = (count, x) => Array.from({ length: count }, (_, i) => ({
    x, y: head + ((rows - count) / 2 + i) * slot + gap / 2,
  }));
  const hidden = shape.map((n, l) => column(n, inX + (l + 1) * pitch));
  return { width: full, height, node, scrolls: full > width, controls, pitch, head, rows, slot,
    inputs: column(allFeatures.length, inX), hidden, outputs: column(outputs, outX) };
}

function linkPath(a, b, size) {
  const x1 = a.x + size, y1 = a.y + size / 2, x2 = b.x, y2 = b.y + size / 2;
  const mid = (x1 + x2) / 2;
  return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
}

/** Readable names of every node of the frame's layers (active inputs, hidden, outputs). */
function nodeNames(active, shape, outputs, labels, classNames = null) {
  return [
    active.map((f) => labels[f] ?? f),
    ...shape.map((n, l) => Array.from({ length: n }, (_, i) => `neuron ${i + 1} of hidden layer ${l + 1}`)),
    outputs === 1 ? ["the output"] : Array.from({ length: outputs }, (_, k) => outputName(k, classNames)),
  ];
}

/** "output class 3", or a table's named class: "the output for 7". */
function outputName(k, classNames) {
  return classNames?.[k] !== undefined ? `the output for ${classNames[k]}` : `output class ${k + 1}`;
}

/**
 * Links and bias squares, layer by layer. They are painted on one canvas every frame (cheap even
 * for the 6 × 8 network's ~400 links); static, invisible SVG shapes over it catch hover and click.
 * With `summary`, layer 0's links (one input node standing for them all) are one per neuron
 * (`summary: true`, `from` −1), painted by their size and not hit.
 */
function buildLinks(columns, pos, summary = false) {
  const canvas = el("canvas", "links-canvas", { "aria-hidden": "true" });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(pos.width * ratio);
  canvas.height = Math.round(pos.height * ratio);
  canvas.style.width = `${pos.width}px`;
  canvas.style.height = `${pos.height}px`;
  const hits = svg("svg", { width: pos.width, height: pos.height, class: "links", "aria-hidden": "true" });
  const links = [];
  const biases = [];
  const size = pos.node;
  for (let l = 0; l + 1 < columns.length; l++) {
    columns[l + 1].forEach((b, to) => {
      columns[l].forEach((a, from) => {
        const x1 = a.x + size, y1 = a.y + size / 2, x2 = b.x, y2 = b.y + size / 2;
        if (summary && l === 0) {
          links.push({ layer: 0, from: -1, to, x1, y1, x2, y2, summary: true });
          return;
        }
        hits.append(svg("path", { d: linkPath(a, b, size), class: "link-hit", "data-link": "", "data-layer": l, "data-from": from, "data-to": to }));
        links.push({ layer: l, from, to, x1, y1, x2, y2 });
      });
      const x = b.x - BIAS - 3, y = b.y + size - BIAS;
      hits.append(svg("rect", { x: x - 3, y: y - 3, width: BIAS + 6, height: BIAS + 6,
        class: "bias-hit", "data-bias": "", "data-layer": l, "data-node": to }));
      biases.push({ layer: l, node: to, x, y });
    });
  }
  return { canvas, hits, links, biases, ratio };
}

/**
 * Paint the links and bias squares for the given values (colour and width follow the value).
 * @param {ReturnType<typeof buildDiagram>} diagram
 * @param {(link: object) => number} weight
 * @param {(bias: object) => number} bias
 * @param {object|null} highlight  a link to draw on top, outlined
 * @param {(value: number) => number} [width]  a line's width for its value (the weights' linkWidth;
 *   the step-through paints gradients scaled to −1…1 with a width of its own)
 * A summary link (`link.summary`: one line for a neuron's many weights) is grey, `weight(link)`
 * its size as a share 0…1 of the largest.
 */
export function paintLinks(diagram, weight, bias, highlight, width = linkWidth) {
  const ctx = diagram.linkCanvas.getContext("2d");
  const { ratio } = diagram;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, diagram.linkCanvas.width / ratio, diagram.linkCanvas.height / ratio);
  ctx.lineCap = "round";
  const stroke = (link, w) => {
    const mid = (link.x1 + link.x2) / 2;
    ctx.beginPath();
    ctx.moveTo(link.x1, link.y1);
    ctx.bezierCurveTo(mid, link.y1, mid, link.y2, link.x2, link.y2);
    ctx.strokeStyle = colourOf(w);
    ctx.lineWidth = width(w);
    ctx.stroke();
  };
  for (const link of diagram.links) {
    if (!link.summary) {
      stroke(link, weight(link));
      continue;
    }
    const share = weight(link);
    const mid = (link.x1 + link.x2) / 2;
    ctx.beginPath();
    ctx.moveTo(link.x1, link.y1);
    ctx.bezierCurveTo(mid, link.y1, mid, link.y2, link.x2, link.y2);
    ctx.strokeStyle = "rgba(75, 85, 96, .45)";
    ctx.lineWidth = 0.5 + 3.5 * (Number.isFinite(share) ? Math.max(0, Math.min(1, share)) : 0);
    ctx.stroke();
  }
  if (highlight) {
    ctx.save();
    ctx.shadowColor = "rgba(0, 0, 0, .45)";
    ctx.shadowBlur = 4;
    stroke(highlight, weight(highlight));
    ctx.restore();
  }
  ctx.lineWidth = 0.8;
  ctx.strokeStyle = "rgba(0, 0, 0, .35)";
  for (const b of diagram.biases) {
    ctx.fillStyle = colourOf(bias(b));
    ctx.fillRect(b.x, b.y, BIAS, BIAS);
    ctx.strokeRect(b.x + 0.4, b.y + 0.4, BIAS - 0.8, BIAS - 0.8);
  }
}

/** Colours of the continuous scale, precomputed in steps of 0.01 (no string work per link). */
const SCALE = Array.from({ length: 201 }, (_, i) => cssOf(i / 100 - 1));

function colourOf(value) {
  const v = Number.isFinite(value) ? Math.max(-1, Math.min(1, value)) : 0;
  return SCALE[Math.round((v + 1) * 100)];
}

function buildInputs(s, pos, locked) {
  const canvases = [];
  // The plane's features (data-feature), or a table's columns (data-column).
  const column = Boolean(s.table);
  const nodes = s.all.map((name, i) => {
    const on = s.features.includes(name);
    const label = s.labels[name] ?? name;
    const what = column ? "column" : "feature";
    const unit = s.table?.units?.[name];
    const button = place(el("button", `node input${on ? " on" : ""}`, {
      type: "button", "data-node": "input", [`data-${what}`]: name, "aria-pressed": String(on),
      "aria-label": `Input ${what} ${label}`, title: `${on ? "Remove" : "Use"} ${what} ${label}${unit ? ` (${unit})` : ""}`,
    }), pos.inputs[i], pos.node);
    const canvas = el("canvas");
    canvases.push({ canvas, name });
    const text = el("span", "node-label");
    text.textContent = label;
    button.append(canvas, text);
    button.disabled = locked;
    return button;
  });
  return { nodes, canvases };
}

/**
 * Paint the input features' thumbnails (they never change but for "discretize output", which the
 * original applies to every node's thumbnail, inputs included).
 * @param {ReturnType<typeof buildDiagram>} diagram
 * @param {boolean} discretize
 */
export function paintInputs(diagram, discretize) {
  const { featureMaps, thumbnail } = diagram;
  if (!featureMaps) return; // not loaded yet: the diagram is built again when they are
  const lut = lutFor({ multiclass: false, discretize });
  for (const { canvas, name } of diagram.inputCanvases) {
    const map = featureMaps.maps.get(name);
    if (map) paintBytes(canvas, shrink(map, featureMaps.resolution, thumbnail), thumbnail, lut);
  }
}

function layerControls(l, count, x, limits, hidden, fit, size) {
  const controls = el("div", "layer-controls", { "data-control": "numNodes", "data-layer-controls": l });
  controls.classList.toggle("stacked", fit.stack);
  controls.classList.toggle("wrapped", fit.wrap);
  controls.style.left = `${x + size / 2}px`;
  controls.style.top = `${TOP}px`;
  controls.style.width = `${fit.box}px`;
  const stepper = el("div", "stepper", { "data-control": layerControl(l) });
  const plus = iconButton("add-neuron", `Add a neuron to hidden layer ${l + 1}`, "plus", l);
  const minus = iconButton("remove-neuron", `Remove a neuron from hidden layer ${l + 1}`, "minus", l);
  plus.disabled = count >= limits.maxNeurons;
  minus.disabled = count <= 1;
  stepper.append(plus, minus);
  const text = el("span", "layer-size", { "data-layer-size": l });
  text.textContent = `${count} neuron${count === 1 ? "" : "s"}`;
  controls.append(stepper, text);
  for (const part of [controls, stepper]) part.hidden = hidden.has(part.dataset.control);
  return controls;
}

function buildHidden(shape, pos, limits, hidden) {
  const nodes = [];
  const canvases = [];
  shape.forEach((count, l) => {
    pos.hidden[l].forEach((p, i) => {
      const neuron = canvases.length; // counting all hidden layers, as the protocol's `inspect`
      const button = place(el("button", "node hidden", {
        type: "button", "data-node": "hidden", "data-layer": l, "data-index": i, "data-neuron": neuron,
        "aria-label": `${neuronName(neuron, shape)}: show its map; Enter to edit its weights`,
      }), p, pos.node);
      const canvas = el("canvas");
      button.append(canvas);
      canvases.push(canvas);
      nodes.push(button);
    });
    nodes.push(layerControls(l, count, pos.hidden[l][0]?.x ?? 0, limits, hidden, pos.controls, pos.node));
  });
  return { nodes, canvases };
}

/**
 * One input node standing for many inputs (a picture's pixels, a wide table's columns): a picture
 * (its canvas, which network.js paints) and a label under it. Not a control: nothing to toggle.
 */
function buildSummaryInput(summary, pos) {
  const side = summary.side;
  const box = el("div", "node input on summary", {
    "data-node": "input", "data-input": summary.picture ? "image" : "columns", role: "img",
    "aria-label": summary.description,
  });
  box.style.left = `${pos.summaryX}px`;
  box.style.top = `${pos.summaryY}px`;
  box.style.width = box.style.height = `${side}px`;
  box.title = summary.description;
  const canvas = el("canvas", summary.picture ? "pixels" : "");
  const text = el("span", "node-label");
  text.textContent = summary.label;
  box.append(canvas, text);
  return { node: box, canvas };
}

function buildOutputs(outputs, pos, classNames = null) {
  let canvas = null;
  const nodes = pos.outputs.map((p, k) => {
    const name = classNames?.[k];
    const button = place(el("button", "node output", {
      type: "button", "data-node": "output", "data-index": k,
      "aria-label": `${outputs === 1 ? "The output" : name !== undefined ? `Output for ${name}` : `Output for class ${k + 1}`}: Enter to edit its weights`,
    }), p, pos.node);
    if (outputs === 1) {
      canvas = el("canvas");
      button.append(canvas);
    } else if (name !== undefined) {
      // A table's named classes (MNIST's digits): the name, in one colour.
      button.style.setProperty("--class-colour", NAMED_CLASS_COLOUR);
      button.style.setProperty("--class-ink", inkOn(NAMED_CLASS_COLOUR));
      button.classList.add("class-node");
      const label = el("span", "class-label");
      label.textContent = String(name);
      button.append(label);
    } else {
      const colour = CLASS_COLORS[k] ?? "#888888";
      button.style.setProperty("--class-colour", colour);
      button.style.setProperty("--class-ink", inkOn(colour));
      button.classList.add("class-node");
      const label = el("span", "class-label");
      label.textContent = String(k + 1);
      button.append(label);
    }
    return button;
  });
  return { nodes, canvas };
}

/**
 * The whole diagram for a network.
 * @param {{all: string[], features: string[], shape: number[], outputs: number,
 *   labels: Object<string, string>, featureMaps: ?{resolution: number, maps: Map<string, Uint8Array>},
 *   thumbnail: number, table?: ?{summary: ?{count: number, picture: boolean, label: string, description: string},
 *   columns?: string[], classNames: ?string[], units: ?Object<string, string>}}} s  the inputs the
 *   page shows (all) and uses (features), the hidden layers, the outputs, the features' labels,
 *   their maps (once loaded) and the thumbnail size; on a table, `all` and `features` are its
 *   columns, or one node (`table.summary`) stands for its `count` inputs (`table.columns`), and its
 *   classes may have names
 * @param {number} width  the panel's room; a network that needs more is built wider (`scrolls`)
 * @param {{maxNeurons: number, button?: number}} limits  button: the +/− buttons' side, px
 * @param {Set<string>} hidden  controls hidden by a classroom link (hiding.js hiddenControls)
 */
export function buildDiagram(s, width, limits, hidden) {
  const summary = s.table?.summary ?? null;
  const table = Boolean(s.table);
  // Room left of the inputs: their labels (a table's column names are longer than X₁), or the
  // picture of a summary node, right-aligned where a node of the column would end.
  const side = summary ? Math.min(SUMMARY_SIDE, Math.max(NODE, Math.round(width * 0.16))) : 0;
  const longest = Math.max(0, ...s.all.map((f) => String(s.labels[f] ?? f).length));
  const labelRoom = summary ? side + 8 : table ? Math.min(140, Math.max(LABEL_ROOM, Math.ceil(longest * LABEL_CHAR) + 14)) : LABEL_ROOM;
  const pos = layout(width, summary ? [summary] : s.all, s.shape, s.outputs, { button: limits.button, labelRoom, tall: table });
  const active = s.all.filter((f) => s.features.includes(f));
  let inputColumn = active.map((f) => pos.inputs[s.all.indexOf(f)]);
  let inputs;
  let summaryCanvas = null;
  if (summary) {
    // The summary's right edge where the column's nodes end; its links leave from its middle.
    pos.summaryX = labelRoom + pos.node - side;
    pos.summaryY = pos.head + Math.max(0, (pos.rows * pos.slot - side) / 2);
    pos.height = Math.max(pos.height, pos.summaryY + side + 22); // (its label under it)
    inputColumn = [{ x: pos.summaryX + side - pos.node, y: pos.summaryY + side / 2 - pos.node / 2 }];
    const made = buildSummaryInput({ ...summary, side }, pos);
    inputs = { nodes: [made.node], canvases: [] };
    summaryCanvas = made.canvas;
  } else {
    inputs = buildInputs(s, pos, hidden.has("features"));
  }
  // Columns of the frame's layers: active inputs, each hidden layer, outputs.
  const columns = [inputColumn, ...pos.hidden, pos.outputs];
  const links = buildLinks(columns, pos, Boolean(summary));
  const neurons = buildHidden(s.shape, pos, limits, hidden);
  const classNames = s.table?.classNames ?? null;
  const outputs = buildOutputs(s.outputs, pos, classNames);
  const inputNames = summary ? s.table.columns ?? [] : active;
  return {
    width: pos.width,
    height: pos.height,
    scrolls: pos.scrolls,
    pitch: pos.pitch, // px between neighbouring columns
    node: pos.node,   // a node's side, px
    summaryCanvas,    // the picture of the one input node standing for them all (a table's), or null
    elements: [links.canvas, links.hits, ...inputs.nodes, ...neurons.nodes, ...outputs.nodes],
    linkCanvas: links.canvas,
    ratio: links.ratio,
    links: links.links,
    biases: links.biases,
    inputCanvases: inputs.canvases,
    featureMaps: s.featureMaps,
    thumbnail: s.thumbnail,
    hiddenCanvases: neurons.canvases,
    outputCanvas: outputs.canvas,
    names: nodeNames(inputNames, s.shape, s.outputs, s.labels, classNames),
    sizes: [summary ? summary.count : active.length, ...s.shape, s.outputs],
  };
}
