// The network diagram: input features (click to toggle), hidden layers with +/− for layers and
// neurons, the output, links whose width and colour follow the live weights, bias squares, and a
// live thumbnail per neuron. Hover or focus a neuron to see its full map; hover a link or bias to
// read it; click it (or press Enter on a neuron) to type new values.

import { cssOf, linkWidth, CLASS_COLORS } from "../colors.js";
import { biasOf, weightOf } from "../frame.js";
import { FEATURE_LABELS, featureMap, lutFor, paintBytes, shrink } from "../maps.js";
import { requestRender } from "../render.js";
import { createEditor } from "./editor.js";
import { neuronName } from "./output.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE = 36;        // a node's side, px
const SLOT = 46;        // vertical room per node
const HEAD = 44;        // room above the nodes for each layer's +/− controls
const LABEL_ROOM = 58;  // room left of the inputs for their labels
const BIAS = 8;         // the bias square's side
const PAGE_MAX_LAYERS = 6;
const PAGE_MAX_NEURONS = 8;

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
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

/** Where every node goes, for a width and a network. */
export function layout(width, allFeatures, shape, outputs) {
  const rows = Math.max(allFeatures.length, ...shape, outputs, 1);
  const height = HEAD + rows * SLOT;
  const inX = LABEL_ROOM;
  const outX = Math.max(inX + 2 * NODE, width - NODE - 6);
  const column = (count, x) => Array.from({ length: count }, (_, i) => ({
    x, y: HEAD + ((rows - count) / 2 + i) * SLOT + (SLOT - NODE) / 2,
  }));
  const hidden = shape.map((n, l) => column(n, inX + ((l + 1) * (outX - inX)) / (shape.length + 1)));
  return { width, height, inputs: column(allFeatures.length, inX), hidden, outputs: column(outputs, outX) };
}

function linkPath(a, b) {
  const x1 = a.x + NODE, y1 = a.y + NODE / 2, x2 = b.x, y2 = b.y + NODE / 2;
  const mid = (x1 + x2) / 2;
  return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
}

export function mountNetwork(root, store, session) {
  const panel = root.querySelector(".network-panel");
  const box = root.querySelector("[data-network]");
  const hovercard = root.querySelector("[data-hovercard]");
  const layerCount = root.querySelector("[data-layer-count]");
  const layerWord = root.querySelector("[data-layer-word]");
  const editor = createEditor(panel);
  let built = null; // {signature, links, biases, hiddenCanvases, outputCanvas, sizes, names}
  let pinned = null; // a neuron kept on the big map while its editor is open

  // -- building --------------------------------------------------------------------------------

  function structure(state) {
    const { config, hello } = state;
    const outputs = config.problem === "multiclass" ? config.num_classes : 1;
    return { all: hello.options.features, features: config.features, shape: config.network_shape, outputs };
  }

  function build() {
    const state = store.state;
    if (!state.config || !state.hello) return;
    const s = structure(state);
    const width = box.clientWidth;
    const signature = JSON.stringify([s, width, state.config.problem, [...state.hidden]]);
    if (built && built.signature === signature) return;
    editor.close();
    const pos = layout(width, s.all, s.shape, s.outputs);
    box.style.height = `${pos.height}px`;
    const svgRoot = svg("svg", { width: pos.width, height: pos.height, class: "links", "aria-hidden": "true" });
    const linkLayer = svg("g", { class: "link-lines" });
    const hitLayer = svg("g", { class: "link-hits" });
    svgRoot.append(linkLayer, hitLayer);
    const nodes = [];
    const links = [];
    const biases = [];
    const active = s.all.filter((f) => s.features.includes(f));
    // Columns of the frame's layers: active inputs, each hidden layer, outputs.
    const columns = [active.map((f) => pos.inputs[s.all.indexOf(f)]), ...pos.hidden, pos.outputs];
    const names = [active.map((f) => FEATURE_LABELS[f] ?? f)];
    s.shape.forEach((n, l) => names.push(Array.from({ length: n }, (_, i) => `neuron ${i + 1} of hidden layer ${l + 1}`)));
    names.push(s.outputs === 1 ? ["the output"] : Array.from({ length: s.outputs }, (_, k) => `output class ${k + 1}`));

    for (let l = 0; l + 1 < columns.length; l++) {
      columns[l + 1].forEach((b, to) => {
        columns[l].forEach((a, from) => {
          const d = linkPath(a, b);
          const line = svg("path", { d, class: "link", stroke: "#e8eaeb", "stroke-width": 1 });
          const hit = svg("path", { d, class: "link-hit", "data-link": "", "data-layer": l, "data-from": from, "data-to": to });
          linkLayer.append(line);
          hitLayer.append(hit);
          links.push({ line, layer: l, from, to, colour: "", width: "" });
        });
        const square = svg("rect", { x: b.x - BIAS - 3, y: b.y + NODE - BIAS, width: BIAS, height: BIAS, class: "bias", fill: "#e8eaeb" });
        const hit = svg("rect", { x: b.x - BIAS - 6, y: b.y + NODE - BIAS - 3, width: BIAS + 6, height: BIAS + 6, class: "bias-hit", "data-bias": "", "data-layer": l, "data-node": to });
        hitLayer.append(square, hit);
        biases.push({ square, layer: l, node: to, colour: "" });
      });
    }

    s.all.forEach((name, i) => {
      const on = s.features.includes(name);
      const button = el("button", `node input${on ? " on" : ""}`, {
        type: "button", "data-node": "input", "data-feature": name, "aria-pressed": String(on),
        "aria-label": `Input feature ${FEATURE_LABELS[name] ?? name}`, title: `${on ? "Remove" : "Use"} feature ${FEATURE_LABELS[name] ?? name}`,
      });
      placeNode(button, pos.inputs[i]);
      const canvas = el("canvas");
      paintBytes(canvas, shrink(featureMap(name, 100), 100, 10), 10, lutFor({ multiclass: false, discretize: false }));
      const label = el("span", "node-label");
      label.textContent = FEATURE_LABELS[name] ?? name;
      button.append(canvas, label);
      if (state.hidden.has("features")) button.disabled = true;
      nodes.push(button);
    });

    const hiddenCanvases = [];
    let index = 0;
    s.shape.forEach((count, l) => {
      pos.hidden[l].forEach((p, i) => {
        const button = el("button", "node hidden", {
          type: "button", "data-node": "hidden", "data-layer": l, "data-index": i, "data-neuron": index,
          "aria-label": `${neuronName(index, s.shape)}: show its map; Enter to edit its weights`,
        });
        placeNode(button, p);
        const canvas = el("canvas");
        button.append(canvas);
        hiddenCanvases.push(canvas);
        nodes.push(button);
        index += 1;
      });
      const x = pos.hidden[l][0]?.x ?? 0;
      const controls = el("div", "layer-controls", { "data-control": "numNodes" });
      controls.style.left = `${x + NODE / 2}px`;
      const stepper = el("div", "stepper", { "data-control": `numNodes${l}` });
      const plus = iconButton("add-neuron", `Add a neuron to hidden layer ${l + 1}`, "plus", l);
      const minus = iconButton("remove-neuron", `Remove a neuron from hidden layer ${l + 1}`, "minus", l);
      plus.disabled = count >= maxNeurons();
      minus.disabled = count <= 1;
      stepper.append(plus, minus);
      const text = el("span", "layer-size");
      text.textContent = `${count} neuron${count === 1 ? "" : "s"}`;
      controls.append(stepper, text);
      for (const part of [controls, stepper]) part.hidden = state.hidden.has(part.dataset.control);
      nodes.push(controls);
    });

    let outputCanvas = null;
    pos.outputs.forEach((p, k) => {
      const button = el("button", "node output", {
        type: "button", "data-node": "output", "data-index": k,
        "aria-label": `${s.outputs === 1 ? "The output" : `Output for class ${k + 1}`}: Enter to edit its weights`,
      });
      placeNode(button, p);
      if (s.outputs === 1) {
        outputCanvas = el("canvas");
        button.append(outputCanvas);
      } else {
        button.style.setProperty("--class-colour", CLASS_COLORS[k] ?? "#888");
        button.classList.add("class-node");
        const label = el("span", "class-label");
        label.textContent = String(k + 1);
        button.append(label);
      }
      nodes.push(button);
    });

    box.replaceChildren(svgRoot, ...nodes);
    layerCount.textContent = String(s.shape.length);
    layerWord.textContent = s.shape.length === 1 ? "hidden layer" : "hidden layers";
    root.querySelector("[data-action=add-layer]").disabled = s.shape.length >= maxLayers();
    root.querySelector("[data-action=remove-layer]").disabled = s.shape.length === 0;
    built = { signature, links, biases, hiddenCanvases, outputCanvas, names, shape: s.shape,
      sizes: [active.length, ...s.shape, s.outputs] };
    box.dataset.layers = String(s.shape.length);
    box.dataset.shape = s.shape.join(",");
    paintFrame();
  }

  function placeNode(node, p) {
    node.style.left = `${p.x}px`;
    node.style.top = `${p.y}px`;
  }

  function maxLayers() {
    return Math.min(PAGE_MAX_LAYERS, store.state.hello.options.limits.hidden_layers ?? PAGE_MAX_LAYERS);
  }

  function maxNeurons() {
    return Math.min(PAGE_MAX_NEURONS, store.state.hello.options.limits.neurons_per_layer ?? PAGE_MAX_NEURONS);
  }

  // -- every frame -----------------------------------------------------------------------------

  function frameFits(frame) {
    return frame && built && frame.sizes.length === built.sizes.length && frame.sizes.every((n, i) => n === built.sizes[i]);
  }

  function paintFrame() {
    const frame = store.state.frame;
    if (!frameFits(frame)) return;
    for (const link of built.links) {
      const w = weightOf(frame, link.layer, link.from, link.to);
      const colour = cssOf(w);
      const width = linkWidth(w).toFixed(1);
      if (colour !== link.colour) link.line.setAttribute("stroke", (link.colour = colour));
      if (width !== link.width) link.line.setAttribute("stroke-width", (link.width = width));
    }
    for (const bias of built.biases) {
      const colour = cssOf(biasOf(frame, bias.layer, bias.node));
      if (colour !== bias.colour) bias.square.setAttribute("fill", (bias.colour = colour));
    }
    const t = frame.thumbnail;
    const lut = lutFor({ multiclass: false, discretize: false });
    built.hiddenCanvases.forEach((canvas, i) => paintBytes(canvas, frame.thumbs.subarray(i * t * t, (i + 1) * t * t), t, lut));
    if (built.outputCanvas && frame.inspected === null && !frame.multiclass) {
      paintBytes(built.outputCanvas, frame.map, frame.resolution, lut);
    }
    if (hovered) showHover(hovered);
  }

  // -- reading and editing ---------------------------------------------------------------------

  let hovered = null; // {kind, layer, from?, to?, node?, x, y}

  function valueOf(target) {
    const frame = store.state.frame;
    if (!frameFits(frame)) return null;
    return target.kind === "link"
      ? weightOf(frame, target.layer, target.from, target.to)
      : biasOf(frame, target.layer, target.node);
  }

  function describe(target) {
    const names = built.names;
    return target.kind === "link"
      ? `Weight from ${names[target.layer][target.from]} to ${names[target.layer + 1][target.to]}`
      : `Bias of ${names[target.layer + 1][target.node]}`;
  }

  function targetOf(element, event) {
    const rect = panel.getBoundingClientRect();
    const base = { layer: Number(element.dataset.layer), x: event.clientX - rect.left, y: event.clientY - rect.top };
    return "link" in element.dataset
      ? { kind: "link", from: Number(element.dataset.from), to: Number(element.dataset.to), ...base }
      : { kind: "bias", node: Number(element.dataset.node), ...base };
  }

  function showHover(target) {
    const value = valueOf(target);
    if (value === null || editor.isOpen) return;
    hovercard.textContent = `${describe(target)}: ${value.toFixed(3)}. Click to edit.`;
    hovercard.hidden = false;
    hovercard.style.left = `${Math.min(target.x + 14, panel.clientWidth - hovercard.offsetWidth - 6)}px`;
    hovercard.style.top = `${target.y + 16}px`;
  }

  function editOne(target) {
    const value = valueOf(target);
    if (value === null) return;
    const apply = target.kind === "link"
      ? (v) => session.setWeight(target.layer, target.from, target.to, v)
      : (v) => session.setBias(target.layer, target.node, v);
    editor.open({ title: describe(target), fields: [{ label: target.kind === "link" ? "Weight" : "Bias", value, apply }], x: target.x, y: target.y + 12 });
  }

  /** A neuron's editor: its bias and every incoming weight (how a keyboard edits the network). */
  function editNeuron(button) {
    const frame = store.state.frame;
    if (!frameFits(frame)) return;
    const isOutput = button.dataset.node === "output";
    const node = Number(button.dataset.index);
    const layer = isOutput ? built.sizes.length - 2 : Number(button.dataset.layer);
    const fields = [{ label: "Bias", value: biasOf(frame, layer, node), apply: (v) => session.setBias(layer, node, v) }];
    for (let from = 0; from < built.sizes[layer]; from++) {
      fields.push({ label: `Weight from ${built.names[layer][from]}`, value: weightOf(frame, layer, from, node),
        apply: (v) => session.setWeight(layer, from, node, v) });
    }
    const neuron = isOutput ? null : Number(button.dataset.neuron);
    pinned = neuron;
    if (neuron !== null) session.inspect(neuron);
    const rect = panel.getBoundingClientRect();
    const box = button.getBoundingClientRect();
    editor.open({
      title: `${built.names[layer + 1][node].replace(/^./, (c) => c.toUpperCase())}`,
      fields, x: box.left - rect.left + NODE / 2, y: box.bottom - rect.top + 8,
      onClose: () => { pinned = null; session.inspect(null); },
    });
  }

  function changeShape(action, layer) {
    const shape = [...store.state.config.network_shape];
    if (action === "add-layer" && shape.length < maxLayers()) shape.push(2); // as the original: 2 neurons
    else if (action === "remove-layer" && shape.length > 0) shape.pop();
    else if (action === "add-neuron" && shape[layer] < maxNeurons()) shape[layer] += 1;
    else if (action === "remove-neuron" && shape[layer] > 1) shape[layer] -= 1;
    else return;
    session.configure({ network_shape: shape });
  }

  function toggleFeature(name) {
    const { config, hello } = store.state;
    const chosen = new Set(config.features);
    if (chosen.has(name)) chosen.delete(name);
    else chosen.add(name);
    if (chosen.size === 0) {
      store.update({ error: "The network needs at least one input feature." });
      return;
    }
    session.configure({ features: hello.options.features.filter((f) => chosen.has(f)) });
  }

  function preview(button) {
    if (!button) {
      store.update({ preview: null });
      if (pinned === null) session.inspect(null);
    } else if (button.dataset.node === "input") {
      store.update({ preview: { kind: "feature", name: button.dataset.feature } });
    } else if (button.dataset.node === "hidden") {
      store.update({ preview: null });
      session.inspect(Number(button.dataset.neuron));
    }
  }

  // -- events ----------------------------------------------------------------------------------

  box.addEventListener("pointerover", (event) => {
    const hit = event.target.closest("[data-link],[data-bias]");
    if (hit) {
      hovered = targetOf(hit, event);
      hit.classList.add("is-hovered");
      built.links.find((l) => l.layer === hovered.layer && l.from === hovered.from && l.to === hovered.to)?.line.classList.add("is-hovered");
      showHover(hovered);
      return;
    }
    const node = event.target.closest("[data-node]");
    if (node && !node.contains(event.relatedTarget)) preview(node);
  });
  box.addEventListener("pointerout", (event) => {
    const hit = event.target.closest("[data-link],[data-bias]");
    if (hit) {
      hit.classList.remove("is-hovered");
      for (const line of box.querySelectorAll(".link.is-hovered")) line.classList.remove("is-hovered");
      hovered = null;
      hovercard.hidden = true;
      return;
    }
    const node = event.target.closest("[data-node]");
    if (node && !node.contains(event.relatedTarget)) preview(null);
  });
  box.addEventListener("focusin", (event) => {
    const node = event.target.closest("[data-node]");
    if (node) preview(node);
  });
  box.addEventListener("focusout", (event) => {
    if (event.target.closest("[data-node]") && !box.contains(event.relatedTarget)) preview(null);
  });
  box.addEventListener("click", (event) => {
    const hit = event.target.closest("[data-link],[data-bias]");
    if (hit) {
      hovercard.hidden = true;
      editOne(targetOf(hit, event));
      return;
    }
    const action = event.target.closest("[data-action]");
    if (action) {
      changeShape(action.dataset.action, Number(action.dataset.layer));
      return;
    }
    const node = event.target.closest("[data-node]");
    if (!node) return;
    if (node.dataset.node === "input") toggleFeature(node.dataset.feature);
    else editNeuron(node);
  });
  for (const action of ["add-layer", "remove-layer"]) {
    root.querySelector(`[data-action=${action}]`).addEventListener("click", () => changeShape(action));
  }

  store.on(["config", "hello", "hidden"], () => requestRender(build));
  store.on("frame", () => requestRender(paintFrame));
  new ResizeObserver(() => requestRender(build)).observe(box);
}
