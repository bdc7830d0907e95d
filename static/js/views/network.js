// The network diagram: input features (click to toggle), hidden layers with +/− for layers and
// neurons, the output, links whose width and colour follow the live weights, bias squares, and a
// live thumbnail per neuron. Hover or focus a neuron to see its full map; hover a link or bias to
// read it; click it (or press Enter on a neuron) to type new values. A finger taps to see (the
// neuron's map, a link's value in a card) and edits with the card's button. Every change rebuilds
// the diagram, so focus is carried over to the equivalent control of the new one.
// mountNetwork returns what the math views (views/probe.js, views/stepThrough.js) draw with:
// numbers on the nodes, the links painted with other values than the weights, and the diagram item
// under the pointer, the finger or the focus.
// On a table (issue 14, tables.js) the inputs are its columns (a click switches one off or on:
// `config.inputs`, at least one stays on), or for a picture one input node (the row the page last
// probed, else the sample's mean picture) whose first-layer links are summarized, each neuron of
// that layer showing its weights as a picture; nothing asks for a neuron's map (there is none).

import { biasOf, weightOf } from "../frame.js";
import { hiddenControls } from "../hiding.js";
import { lutFor, paintBytes } from "../maps.js";
import { requestRender } from "../render.js";
import { GREY_LUT, WEIGHT_LUT } from "../colors.js";
import { activeColumns, currentTable, firstLayerPictures, meanImage, onTable } from "../tables.js";
import { buildDiagram, NODE, paintInputs, paintLinks } from "./diagram.js";
import { createEditor, isShown } from "./editor.js";
import { neuronName } from "./output.js";

const COMPACT_PITCH = 76; // columns closer than this (px) get the one-line labels: two would touch
const MAX_COLUMN_NODES = 16; // a table of more columns gets one input node for them all

export function mountNetwork(root, store, session) {
  const panel = root.querySelector(".network-panel");
  const box = root.querySelector("[data-network]");
  const hovercard = root.querySelector("[data-hovercard]");
  const tapcard = root.querySelector("[data-tapcard]");
  const tapText = root.querySelector("[data-tapcard-text]");
  const tapEdit = tapcard.querySelector("[data-action=edit]");
  const layerCount = root.querySelector("[data-layer-count]");
  const layerWord = root.querySelector("[data-layer-word]");
  const editor = createEditor(panel);
  let built = null; // {signature, links, biases, hiddenCanvases, outputCanvas, sizes, names}
  let pinned = null; // a neuron kept on the big map while its editor is open
  let hovered = null; // the link or bias under the pointer: {kind, layer, from?, to?, node?, x, y}
  let tapped = null;  // what the tap card shows: {kind: "node", button} or a link or bias as hovered
  let values = null;  // numbers shown on the nodes: {sizes, layers: [[{lines, short?, data} | null per node] per layer]}
  let painter = null; // {weight(link), bias(bias), width(v), readOut(target)}: links painted with other values
  const watchers = []; // onTarget's functions
  const coarse = window.matchMedia("(pointer: coarse)");
  const noHover = window.matchMedia("(hover: none)");

  // -- building --------------------------------------------------------------------------------

  function structure(state) {
    const { config, hello, hidden } = state;
    const outputs = config.problem === "multiclass" ? config.num_classes : 1;
    if (onTable(state)) return tableStructure(state, outputs);
    // A hidden input is not part of this page at all (as the original's `<input>_hide`).
    const all = hello.options.features.filter((name) => !hidden.has(name) || config.features.includes(name));
    return { all, features: config.features, shape: config.network_shape, outputs };
  }

  /**
   * A table's inputs: its columns, one node each (at most MAX_COLUMN_NODES), or one node for them
   * all (a picture's pixels; a wide table); its classes' names. Before its data is here: no inputs.
   */
  function tableStructure(state, outputs) {
    const { config } = state;
    const table = currentTable(state);
    const base = { shape: config.network_shape, outputs };
    if (!table) return { ...base, all: [], features: [], table: { summary: null, classNames: null, columns: [] } };
    const active = activeColumns(config, table);
    const classNames = config.problem === "multiclass" && table.classes?.length === outputs ? table.classes : null;
    if (table.image || table.columns.length > MAX_COLUMN_NODES) {
      const [height, width] = table.image ?? [0, 0];
      const summary = table.image
        ? { count: active.length, picture: true, label: `${height} × ${width} pixels`,
            description: `The input: a picture of ${height} × ${width} pixels, ${active.length} inputs (the one last drawn, or the test sample's average)` }
        : { count: active.length, picture: false, label: `${active.length} columns`, description: `The input: ${active.length} columns of the table` };
      return { ...base, all: [], features: [], table: { summary, classNames, columns: active, image: table.image } };
    }
    const units = Object.fromEntries(table.columns.map((name, i) => [name, table.column_units?.[i] ?? ""]));
    return { ...base, all: [...table.columns], features: active, table: { summary: null, classNames, columns: active, units } };
  }

  function buildSpec(state) {
    return { ...structure(state), labels: state.hello.options.feature_labels, featureMaps: state.featureMaps,
             thumbnail: state.hello.limits.thumbnail };
  }

  function build() {
    const state = store.state;
    if (!state.config || !state.hello) return;
    const s = structure(state);
    const width = box.clientWidth;
    const button = coarse.matches ? 28 : 22; // .mini's side in the CSS, bigger for fingers
    const shape = JSON.stringify([s, [...state.hidden], state.featureMaps?.key ?? null]); // the inputs' maps: their view
    const signature = `${shape}@${width}@${button}`;
    if (built && built.signature === signature) return;
    // A new width only moves the nodes; an editor open on a link or neuron stays valid.
    // (Closed, it hands focus back to its neuron, which the rebuild then carries over.)
    if (!built || !built.signature.startsWith(`${shape}@`)) editor.close();
    hovered = null; // the element under the pointer is about to go
    hovercard.hidden = true;
    const focused = box.contains(document.activeElement) ? focusKey(document.activeElement) : null;
    untap();
    const diagram = buildDiagram(buildSpec(state), width, { maxNeurons: maxNeurons(), button }, hiddenControls(state.hidden));
    // Too many layers for the panel (a phone): the diagram keeps its spacing and scrolls sideways.
    box.dataset.scrolls = String(diagram.scrolls);
    box.style.height = `${diagram.height}px`;
    box.replaceChildren(...diagram.elements);
    const bar = box.offsetHeight - box.clientHeight; // a scrollbar that takes room from the nodes
    if (bar > 0) box.style.height = `${diagram.height + bar}px`;
    built = { signature, structure: s, ...diagram };
    box.dataset.layers = String(s.shape.length);
    box.dataset.shape = s.shape.join(",");
    layerCount.textContent = String(s.shape.length);
    layerWord.textContent = s.shape.length === 1 ? "hidden layer" : "hidden layers";
    const addLayer = root.querySelector("[data-action=add-layer]");
    const removeLayer = root.querySelector("[data-action=remove-layer]");
    const onHead = document.activeElement;
    addLayer.disabled = s.shape.length >= maxLayers();
    removeLayer.disabled = s.shape.length === 0;
    // The focused one of them just became disabled (6 layers, or none): the other one, not the body.
    if (onHead === addLayer && addLayer.disabled) removeLayer.focus({ preventScroll: true });
    if (onHead === removeLayer && removeLayer.disabled) addLayer.focus({ preventScroll: true });
    if (focused) focusable(findControl(focused))?.focus({ preventScroll: true });
    paintThumbnails();
    applyValues();
    notify(null);
  }

  // -- what the math views draw on the diagram -----------------------------------------------

  /** The node button of frame layer `layer` (0 the active inputs, in `features` order), node `index`. */
  function nodeButton(layer, index) {
    if (!built) return null;
    if (layer === 0) {
      if (onTable(store.state)) {
        const column = built.names[0]?.[index];
        return column !== undefined ? [...box.querySelectorAll("[data-node=input][data-column]")].find((b) => b.dataset.column === column) ?? null : null;
      }
      const feature = store.state.config?.features[index];
      return feature ? box.querySelector(`[data-node=input][data-feature="${feature}"]`) : null;
    }
    if (layer === built.sizes.length - 1) return box.querySelector(`[data-node=output][data-index="${index}"]`);
    return box.querySelector(`[data-node=hidden][data-layer="${layer - 1}"][data-index="${index}"]`);
  }

  /** Put `values` on the nodes (a small label in each; its `short` lines where the columns are close), or take them off. */
  function applyValues() {
    for (const old of box.querySelectorAll("[data-node-value]")) old.remove();
    if (!values || !built || values.sizes.join() !== built.sizes.join()) return;
    const close = built.pitch < COMPACT_PITCH;
    values.layers.forEach((layer, l) => layer.forEach((value, i) => {
      const button = value && nodeButton(l, i);
      if (!button) return;
      const label = document.createElement("span");
      label.className = "node-value";
      label.dataset.nodeValue = "";
      label.setAttribute("aria-hidden", "true");
      for (const [key, v] of Object.entries(value.data ?? {})) label.dataset[key] = String(v);
      for (const text of (close && value.short) || value.lines) {
        const line = document.createElement("span");
        line.textContent = text;
        label.append(line);
      }
      button.append(label);
    }));
  }

  /** The diagram item an element stands for, in frame terms (docs/protocol.md's indices). */
  function itemOf(element) {
    const hit = element?.closest?.("[data-link],[data-bias]");
    if (hit) {
      const layer = Number(hit.dataset.layer);
      return "link" in hit.dataset
        ? { kind: "link", layer, from: Number(hit.dataset.from), to: Number(hit.dataset.to) }
        : { kind: "bias", layer, node: Number(hit.dataset.node) };
    }
    const node = element?.closest?.("[data-node]");
    if (!node || !built) return null;
    if (node.dataset.node === "input") {
      const index = "column" in node.dataset ? built.names[0].indexOf(node.dataset.column)
        : "feature" in node.dataset ? store.state.config.features.indexOf(node.dataset.feature) : -1;
      return index < 0 ? null : { kind: "node", layer: 0, index };
    }
    if (node.dataset.node === "output") return { kind: "node", layer: built.sizes.length - 1, index: Number(node.dataset.index) };
    return { kind: "node", layer: Number(node.dataset.layer) + 1, index: Number(node.dataset.index) };
  }

  function notify(item) {
    for (const fn of watchers) fn(item);
  }

  // -- focus across rebuilds -------------------------------------------------------------------

  /** What a diagram control is, in terms that outlive its element: kind, feature, layer, index. */
  function focusKey(element) {
    const control = element.closest("[data-node],[data-action]");
    if (!control) return null;
    const d = control.dataset;
    return { node: d.node, action: d.action, feature: d.feature, column: d.column, layer: Number(d.layer), index: Number(d.index) };
  }

  /**
   * The control of the diagram as built now that stands for `key`: the same one if it is still
   * there and usable, else the nearest (the other +/− of the layer, the last layer's when its
   * layer went, a neighbouring neuron, the output, the layer buttons in the panel head).
   */
  function findControl(key) {
    const lastLayer = built.sizes.length - 3; // sizes: inputs, hidden layers…, outputs
    const layer = Math.min(key.layer, lastLayer);
    const candidates = [];
    if (key.node === "input" && key.feature !== undefined) candidates.push(`[data-node=input][data-feature="${key.feature}"]`);
    if (key.node === "input" && key.column !== undefined) candidates.push(`[data-node=input][data-column="${CSS.escape(key.column)}"]`);
    if (key.node === "hidden" && layer >= 0) {
      const index = Math.min(key.index, built.sizes[layer + 1] - 1);
      candidates.push(`[data-node=hidden][data-layer="${layer}"][data-index="${index}"]`);
    }
    if (key.action && layer >= 0) {
      const other = key.action === "add-neuron" ? "remove-neuron" : "add-neuron";
      candidates.push(`[data-action=${key.action}][data-layer="${layer}"]`, `[data-action=${other}][data-layer="${layer}"]`);
    }
    if (key.node === "output") candidates.push(`[data-node=output][data-index="${key.index}"]`);
    candidates.push("[data-node=output]", "button[data-node=input]");
    for (const selector of candidates) {
      const found = [...box.querySelectorAll(selector)].find(focusable);
      if (found) return found;
    }
    return [root.querySelector("[data-action=add-layer]"), root.querySelector("[data-action=remove-layer]")].find(focusable);
  }

  function focusable(element) {
    return element && !element.disabled && isShown(element) ? element : null;
  }

  // The page's own controls reach the original's 6 layers of 8 (hello's menu limits).
  function maxLayers() {
    return store.state.hello.options.menu_limits.hidden_layers;
  }

  function maxNeurons() {
    // A table's own networks are wider (MNIST's 32): there the engine's limit is the page's.
    const { options } = store.state.hello;
    return onTable(store.state) ? options.limits.neurons_per_layer : options.menu_limits.neurons_per_layer;
  }

  // -- every frame -----------------------------------------------------------------------------

  function frameFits(frame) {
    return frame && built && frame.sizes.length === built.sizes.length && frame.sizes.every((n, i) => n === built.sizes[i]);
  }

  function paintFrame() {
    const frame = store.state.frame;
    if (!frameFits(frame)) return;
    const marked = hovered?.kind === "link" ? hovered : tapped?.kind === "link" ? tapped : null;
    const highlight = marked ? built.links.find((l) => l.layer === marked.layer && l.from === marked.from && l.to === marked.to) : null;
    // One line per neuron for a summarized first layer: its weights' size as a share of the largest.
    const pictures = built.summaryCanvas ? firstLayerPictures(frame) : null;
    const largest = pictures ? Math.max(0, ...pictures.rms) : 0;
    const summary = (link) => (largest > 0 ? pictures.rms[link.to] / largest : 0);
    if (painter) paintLinks(built, (link) => (link.summary ? summary(link) : painter.weight(link)), painter.bias, highlight, painter.width);
    else {
      paintLinks(built,
        (link) => (link.summary ? summary(link) : weightOf(frame, link.layer, link.from, link.to)),
        (bias) => biasOf(frame, bias.layer, bias.node), highlight);
    }
    const t = frame.thumbnail;
    // As the original, "discretize output" paints every node's thumbnail as signs too.
    const lut = lutFor({ multiclass: false, discretize: store.state.display.discretize });
    if (t > 0) built.hiddenCanvases.forEach((canvas, i) => paintBytes(canvas, frame.thumbs.subarray(i * t * t, (i + 1) * t * t), t, lut));
    const image = pictures && structureOf().table?.image;
    if (image) {
      // A table of pictures: each first-layer neuron's weights as a picture on it.
      pictures.pictures.forEach((bytes, i) => {
        const canvas = built.hiddenCanvases[i];
        if (!canvas) return;
        canvas.classList.add("weights");
        paintBytes(canvas, bytes, image[1], WEIGHT_LUT, image[0]);
      });
    }
    if (built.outputCanvas && frame.inspected === null && !frame.multiclass) {
      paintBytes(built.outputCanvas, frame.map, frame.resolution, lut);
    }
    if (hovered) showHover(hovered);
    if (tapped && tapped.kind !== "node") tapText.textContent = readOut(tapped);
  }

  /** Every thumbnail: the inputs' (which only the discretize toggle changes) and the frame's. */
  function paintThumbnails() {
    if (!built) return;
    paintInputs(built, store.state.display.discretize);
    paintSummary();
    paintFrame();
  }

  /** The structure the diagram was built for (its `table` part on a table). */
  function structureOf() {
    return built?.structure ?? {};
  }

  /** The one input node of a table of pictures: the row last probed, else the sample's mean picture. */
  function paintSummary() {
    const image = structureOf().table?.image;
    const table = currentTable(store.state);
    if (!built?.summaryCanvas || !image || !table) return;
    const [height, width] = image;
    const row = store.state.probedRow;
    const bytes = row?.length === height * width ? Uint8Array.from(row, (v) => Math.max(0, Math.min(255, Math.round(v)))) : meanImage(table);
    paintBytes(built.summaryCanvas, bytes, width, GREY_LUT, height);
    built.summaryCanvas.parentElement.dataset.showing = row ? "probed" : "mean";
  }

  // -- reading and editing ---------------------------------------------------------------------


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

  function readOut(target) {
    const instead = painter?.readOut?.(target);
    if (instead) return instead;
    const value = valueOf(target);
    return value === null ? describe(target) : `${describe(target)}: ${value.toFixed(3)}`;
  }

  function showHover(target) {
    if (valueOf(target) === null || editor.isOpen) return;
    hovercard.textContent = `${readOut(target)}. Click to edit.`;
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

  /**
   * A neuron's editor: its bias and every incoming weight (how a keyboard edits the network).
   * Opened from a tap (`byTouch`), it gives focus back to nobody when it closes: a finger has no
   * focus to return to, and a focused neuron would keep its map in the big view.
   */
  function editNeuron(button, byTouch = false) {
    const frame = store.state.frame;
    if (!frameFits(frame)) return;
    const isOutput = button.dataset.node === "output";
    const node = Number(button.dataset.index);
    const layer = isOutput ? built.sizes.length - 2 : Number(button.dataset.layer);
    const fields = [{ label: "Bias", value: biasOf(frame, layer, node), apply: (v) => session.setBias(layer, node, v) }];
    // From a picture's many pixels (a summarized layer) only the bias is typed here.
    const many = layer === 0 && built.summaryCanvas;
    for (let from = 0; !many && from < built.sizes[layer]; from++) {
      fields.push({ label: `Weight from ${built.names[layer][from]}`, value: weightOf(frame, layer, from, node),
        apply: (v) => session.setWeight(layer, from, node, v) });
    }
    editor.close(); // (an editor already open unpins its neuron as it closes)
    const neuron = isOutput ? null : Number(button.dataset.neuron);
    pinned = neuron;
    if (neuron !== null) session.inspect(neuron);
    const panelBox = panel.getBoundingClientRect();
    const nodeBox = button.getBoundingClientRect();
    const key = focusKey(button);
    editor.open({
      title: `${built.names[layer + 1][node].replace(/^./, (c) => c.toUpperCase())}`,
      fields, x: nodeBox.left - panelBox.left + NODE / 2, y: nodeBox.bottom - panelBox.top + 8,
      onClose: () => { pinned = null; session.inspect(null); },
      returnFocus: byTouch ? () => null : () => focusable(findControl(key)), // the neuron, even if rebuilt
    });
  }

  // Quick clicks (− − −) build on the change already sent, not on the state it has not answered
  // yet (session.wanted); the server's state remains the truth.
  function changeShape(action, layer) {
    const shape = [...session.wanted("network_shape")];
    if (action === "add-layer" && shape.length < maxLayers()) shape.push(2); // as the original: 2 neurons
    else if (action === "remove-layer" && shape.length > 0) shape.pop();
    else if (action === "add-neuron" && shape[layer] < maxNeurons()) shape[layer] += 1;
    else if (action === "remove-neuron" && shape[layer] > 1) shape[layer] -= 1;
    else return;
    session.configure({ network_shape: shape });
  }

  /** A table's column off or on (`inputs`: null when every column is on); the last one stays on. */
  function toggleColumn(name) {
    const table = currentTable(store.state);
    if (!table) return;
    const wanted = session.wanted("inputs");
    const chosen = new Set(Array.isArray(wanted) ? wanted : table.columns);
    if (chosen.has(name)) chosen.delete(name);
    else chosen.add(name);
    if (!chosen.size) {
      store.update({ error: "The network needs at least one input: switch another column on first." });
      return;
    }
    const inputs = table.columns.filter((c) => chosen.has(c));
    session.configure({ inputs: inputs.length === table.columns.length ? null : inputs });
  }

  function toggleFeature(name) {
    const chosen = new Set(session.wanted("features"));
    if (chosen.has(name)) chosen.delete(name);
    else chosen.add(name);
    // (Switching the last one off is sent too: the server says why it needs one.)
    session.configure({ features: store.state.hello.options.features.filter((f) => chosen.has(f)) });
  }

  function preview(button) {
    if (!button) {
      store.update({ preview: null });
      if (pinned === null) session.inspect(null);
    } else if (button.dataset.node === "input") {
      // (A table's columns have no map of the plane to show.)
      if ("feature" in button.dataset) store.update({ preview: { kind: "feature", name: button.dataset.feature } });
    } else if (button.dataset.node === "hidden") {
      store.update({ preview: null });
      session.inspect(Number(button.dataset.neuron));
    }
  }

  // -- touch -----------------------------------------------------------------------------------
  // A finger cannot hover, and a tap that opened the editor would bring up the on-screen keyboard.
  // So a tap does what hovering does with a mouse (a neuron's map in the big view, a link's value)
  // and shows a card whose "Edit" button opens the editor. Mouse and keyboard are unchanged.

  let pressedWith = ""; // the pointer type of the last press on the diagram

  function fingerLike(type) {
    return type === "touch" || (type === "pen" && noHover.matches); // a pen that cannot hover, too
  }

  function byFinger(event) {
    // A click from Enter or Space (detail 0) is the keyboard's, whatever pressed last.
    return event.detail !== 0 && fingerLike(event.pointerType || pressedWith);
  }

  function showTapcard(text, x, y, edit) {
    tapText.textContent = text;
    tapEdit.textContent = edit;
    tapcard.hidden = false;
    const width = tapcard.offsetWidth;
    tapcard.style.left = `${Math.max(6, Math.min(x - width / 2, panel.clientWidth - width - 6))}px`;
    tapcard.style.top = `${y}px`;
  }

  function tapNode(button) {
    if (tapped?.button === button) {
      untap(); // a second tap puts the output back on the big map
      return;
    }
    untap();
    tapped = { kind: "node", button };
    button.classList.add("tapped");
    let text;
    if (button.dataset.node === "hidden" && onTable(store.state)) {
      text = `${neuronName(Number(button.dataset.neuron), store.state.config.network_shape)}.`;
    } else if (button.dataset.node === "hidden") {
      pinned = Number(button.dataset.neuron);
      session.inspect(pinned);
      text = `${neuronName(pinned, store.state.config.network_shape)}: its map is in the big view.`;
    } else {
      text = built.sizes.at(-1) === 1 ? "The output: the big map shows it." : `Output for class ${Number(button.dataset.index) + 1}.`;
    }
    const panelBox = panel.getBoundingClientRect();
    const nodeBox = button.getBoundingClientRect();
    showTapcard(text, nodeBox.left - panelBox.left + nodeBox.width / 2, nodeBox.bottom - panelBox.top + 8, "Edit weights");
  }

  function tapLink(target) {
    untap();
    tapped = target;
    requestRender(paintFrame); // outline the tapped link
    showTapcard(readOut(target), target.x, target.y + 14, target.kind === "link" ? "Edit weight" : "Edit bias");
  }

  /** Hide the tap card; the big map goes back to the output unless `keepMap` (an editor follows). */
  function untap(keepMap = false) {
    if (!tapped) return;
    const was = tapped;
    tapped = null;
    tapcard.hidden = true;
    if (was.kind === "node") was.button.classList.remove("tapped");
    else requestRender(paintFrame);
    if (!keepMap && pinned !== null && !editor.isOpen) {
      pinned = null;
      session.inspect(null);
    }
  }

  tapEdit.addEventListener("click", () => {
    const was = tapped;
    if (!was) return;
    untap(true);
    if (was.kind === "node") editNeuron(was.button, true);
    else editOne(was);
  });
  document.addEventListener("pointerdown", (event) => {
    if (!tapped || tapcard.contains(event.target)) return;
    // A press on another node, link or bias: its click decides what the card shows next.
    if (box.contains(event.target) && event.target.closest("[data-node],[data-link],[data-bias]")) return;
    untap();
  }, true);

  // -- events ----------------------------------------------------------------------------------

  box.addEventListener("pointerdown", (event) => { pressedWith = event.pointerType; }, true);

  box.addEventListener("pointerover", (event) => {
    if (fingerLike(event.pointerType)) return; // a touch is not a hover: its tap decides
    const hit = event.target.closest("[data-link],[data-bias]");
    if (hit) {
      hovered = targetOf(hit, event);
      showHover(hovered);
      requestRender(paintFrame); // outline the hovered link
      notify(itemOf(hit));
      return;
    }
    const node = event.target.closest("[data-node]");
    if (node && !node.contains(event.relatedTarget)) {
      preview(node);
      notify(itemOf(node));
    }
  });
  box.addEventListener("pointerout", (event) => {
    if (fingerLike(event.pointerType)) return;
    const hit = event.target.closest("[data-link],[data-bias]");
    if (hit) {
      hovered = null;
      hovercard.hidden = true;
      requestRender(paintFrame);
      notify(null);
      return;
    }
    const node = event.target.closest("[data-node]");
    if (node && !node.contains(event.relatedTarget)) {
      preview(null);
      notify(null);
    }
  });
  box.addEventListener("focusin", (event) => {
    const node = event.target.closest("[data-node]");
    if (node) {
      preview(node);
      notify(itemOf(node));
    }
  });
  box.addEventListener("focusout", (event) => {
    if (event.target.closest("[data-node]") && !box.contains(event.relatedTarget)) {
      preview(null);
      notify(null);
    }
  });
  box.addEventListener("click", (event) => {
    const finger = byFinger(event);
    if (finger) notify(itemOf(event.target)); // a finger's tap is its hover
    const hit = event.target.closest("[data-link],[data-bias]");
    if (hit) {
      hovercard.hidden = true;
      if (finger) tapLink(targetOf(hit, event));
      else editOne(targetOf(hit, event));
      return;
    }
    const action = event.target.closest("[data-action]");
    if (action) {
      changeShape(action.dataset.action, Number(action.dataset.layer));
      return;
    }
    const node = event.target.closest("[data-node]");
    if (!node) return;
    if (node.dataset.node === "input") {
      if ("column" in node.dataset) toggleColumn(node.dataset.column);
      else if ("feature" in node.dataset) toggleFeature(node.dataset.feature);
    }
    else if (finger) tapNode(node);
    else editNeuron(node);
  });
  for (const action of ["add-layer", "remove-layer"]) {
    root.querySelector(`[data-action=${action}]`).addEventListener("click", () => changeShape(action));
  }

  store.on(["config", "hello", "hidden", "featureMaps", "data"], () => requestRender(build));
  store.on("probedRow", () => requestRender(paintSummary));
  store.on("frame", () => requestRender(paintFrame));
  store.on("display", () => requestRender(paintThumbnails));
  new ResizeObserver(() => requestRender(build)).observe(box);

  return {
    /** Numbers on the nodes ({sizes, layers}; see `values`), kept across rebuilds of the same network; null: none. */
    showValues(next) {
      values = next;
      applyValues();
    },
    /** Paint the links and biases with `next`'s values instead of the weights (null: the weights again). */
    paintWith(next) {
      painter = next;
      requestRender(paintFrame);
      if (hovered) showHover(hovered);
    },
    /** `fn(item)` whenever the pointer, a tap or the focus goes to a diagram item ({kind: "node", layer,
     * index} in frame layers, {kind: "link", layer, from, to}, {kind: "bias", layer, node}) or off it (null). */
    onTarget(fn) {
      watchers.push(fn);
    },
    /** The diagram's node names per frame layer ("X₁", "neuron 1 of hidden layer 1", "the output"). */
    names: () => built?.names ?? null,
  };
}
