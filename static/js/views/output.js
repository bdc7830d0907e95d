// The big map: the network's output over the current dataset's view of the plane (or the hovered
// neuron's or feature's map), the data points on top (training white-outlined, test dark-outlined
// when shown), the axes' ticks of that view (maps.js viewOf: [−6, 6]², or the logic gates'
// [−0.5, 1.5]²), the diverged notice, the colour legend (the −1…1 scale always; the class colours too in multi-class; a 0…1
// probability scale when the output is a sigmoid's or a softmax's probability), and the read-out
// of the map's value under the pointer (as a probability there too). While the "Your data" tools are
// open (views/drawing.js) the points are the page's own list (`userPoints`), drawn as they change.

import { CLASS_COLORS, LEGEND_GRADIENT, byteValue } from "../colors.js";
import { inView, lutFor, paintBytes, toPixels, viewOf } from "../maps.js";
import { formatNumber, labelOf } from "../labels.js";
import { pointColour } from "../previews.js";
import { requestRender } from "../render.js";
import { onTable } from "../tables.js";
import { recoveryRate } from "./controls.js";
import { weightName } from "./gradients.js";

/** "Neuron 3 of hidden layer 2" for a hidden neuron's index over all hidden layers. */
export function neuronName(index, shape) {
  let rest = index;
  for (let layer = 0; layer < shape.length; layer++) {
    if (rest < shape[layer]) return `Neuron ${rest + 1} of hidden layer ${layer + 1}`;
    rest -= shape[layer];
  }
  return `Neuron ${index + 1}`;
}

/**
 * What the output map's colours stand for: "probability" for a sigmoid output (binary
 * classification with cross-entropy: byte b is p = b / 255 of the blue class), "confidence" for
 * a softmax (multi-class with cross-entropy: the winning class's probability, 1/K to 1), else
 * "value" (the playground's −1…1: tanh, regression's linear output, tanh class scores).
 * @param {object} config
 */
export function outputScale(config) {
  if (config.loss !== "cross_entropy") return "value";
  return config.problem === "multiclass" ? "confidence" : config.problem === "classification" ? "probability" : "value";
}

/**
 * Words for the output map's byte under the pointer.
 * @param {number} b  the map byte
 * @param {object} config
 * @param {boolean} multiclass  the frame's multi-class flag
 */
export function readOutput(b, config, multiclass) {
  if (multiclass) {
    const k = config.num_classes;
    const share = (b & 31) / 31;
    const winner = `class ${(b >> 5) + 1}`;
    // Softmax: confidence 0..31 is the winner's probability from 1/K (a toss-up) to 1.
    if (outputScale(config) === "confidence") return `Most likely ${winner}, probability ${(1 / k + share * (1 - 1 / k)).toFixed(2)}`;
    return `Picks ${winner}, ahead of the next by ${(2 * share).toFixed(2)}`; // tanh scores: the margin
  }
  if (outputScale(config) === "probability") return `Probability of blue ${(b / 255).toFixed(2)}`;
  const v = byteValue(b);
  const text = b === 0 ? "≤ −1.00" : b === 255 ? "≥ 1.00" : v.toFixed(2).replace("-", "−");
  return `Output ${text}`;
}

/**
 * What a stalled run (the engine's Metrics.stalled) means, for a student.
 * @param {{layer: number|"output", reason: "saturated"|"dead"|"too_fast", matrix?: number, step?: number}} stall
 * @param {string} activation  the hidden layers' activation
 */
export function stallText(stall, activation) {
  if (stall.reason === "too_fast") {
    const step = stall.step >= 10 ? Math.round(stall.step) : stall.step.toFixed(1);
    return `The learning rate is too large for this network: every update moves the weights of ${weightName(stall.matrix)} `
      + `by about ${step} on average, so they jump past the low point of the loss instead of settling into it, `
      + "and the loss has stopped falling. Lower the learning rate and reset.";
  }
  const ends = stall.layer !== "output" && activation === "sigmoid" ? "0 or 1" : "−1 or +1";
  const where = stall.layer === "output" ? "The output is" : `Nearly every neuron of hidden layer ${stall.layer} is`;
  const what = stall.reason === "dead"
    ? `${where.replace(/ is$/, " has")} died: its ReLU gives 0 for almost every point, so no gradient flows back`
    : `${where} stuck at ${ends} for almost every point, where its slope is flat, so the gradients are near zero`;
  return `${what} (${stallOnChart(stall)}). The weights can no longer move, and a smaller learning rate alone will not help: lower it and reset.`;
}

/** Where the gradient chart (views/gradients.js) shows a stall: the matrices up to the layer. */
function stallOnChart(stall) {
  if (stall.layer === "output") return "on the gradient chart under the network, every line has sunk towards 0";
  const upTo = stall.layer;
  const names = upTo === 1 ? weightName(0) : `${weightName(0)} ${upTo === 2 ? "and" : "to"} ${weightName(upTo - 1)}`;
  return `on the gradient chart under the network, ${names} ${upTo === 1 ? "has" : "have"} sunk towards 0`;
}

/** The page's own points ([x, y, label, set]) as a `data` message's two lists. */
function splitPoints(points) {
  const data = { train: [], test: [] };
  for (const [x, y, label, set] of points) data[set === "test" ? "test" : "train"].push([x, y, label]);
  return data;
}

export function mountOutput(root, store) {
  const mapBox = root.querySelector("[data-map]");
  const mapCanvas = root.querySelector("[data-map-canvas]");
  const pointsCanvas = root.querySelector("[data-points-canvas]");
  const label = root.querySelector("[data-map-label]");
  const diverged = root.querySelector("[data-diverged-notice]");
  const stalled = root.querySelector("[data-stalled-notice]");
  const stalledText = root.querySelector("[data-stalled-text]");
  const recovery = root.querySelector("[data-recovery-rate]");
  const legendBar = root.querySelector("[data-legend-bar]");
  const legendScaleTitle = root.querySelector("[data-legend-scale-title]");
  const legendClassKey = root.querySelector("[data-legend-class-key]");
  const legendClasses = root.querySelector("[data-legend-classes]");
  const probability = root.querySelector("[data-legend-probability]");
  const probabilityTitle = root.querySelector("[data-legend-probability-title]");
  const probabilityBar = root.querySelector("[data-legend-probability-bar]");
  const probabilityTicks = root.querySelector("[data-legend-probability-ticks]");
  const readout = root.querySelector("[data-map-readout]");
  const axes = {}; // renderAxes's memory: the view its ticks are for
  legendBar.style.background = LEGEND_GRADIENT;
  let framesPainted = 0;
  let lastFrame = null;

  function paintMap() {
    const { frame, preview, display, config, featureMaps, hello } = store.state;
    const feature = preview?.kind === "feature" && featureMaps?.maps.get(preview.name);
    if (feature) {
      paintBytes(mapCanvas, feature, featureMaps.resolution, lutFor({ multiclass: false, discretize: display.discretize }));
      showLabel(`Input feature ${hello.options.feature_labels[preview.name] ?? preview.name}`);
      return;
    }
    if (!frame) return;
    // A table's frame has no map (the map is hidden then; its frames are counted all the same).
    if (frame.resolution > 0) {
      paintBytes(mapCanvas, frame.map, frame.resolution, lutFor({ multiclass: frame.multiclass, discretize: display.discretize }));
    }
    showLabel(frame.inspected !== null && config ? neuronName(frame.inspected, config.network_shape) : "");
    if (frame !== lastFrame) {
      lastFrame = frame;
      framesPainted += 1;
      mapBox.dataset.framesRendered = String(framesPainted);
      mapBox.dataset.frameEpoch = String(frame.epoch);
      mapBox.dataset.painted = frame.inspected === null ? "output" : "neuron";
    }
  }

  function showLabel(text) {
    label.hidden = !text;
    label.textContent = text;
  }

  function tick(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  // The value under the pointer (a mouse's hover, a finger's tap): the output map's only, as a
  // probability where the output is one; a neuron's map reads on the −1…1 scale.
  let readoutTimer = null;
  function showReadout(event) {
    const { frame, config, preview } = store.state;
    if (!frame || !config || preview || store.state.diverged || !frame.resolution) {
      readout.hidden = true;
      return;
    }
    const box = mapBox.getBoundingClientRect();
    const column = Math.floor(((event.clientX - box.left) / box.width) * frame.resolution);
    const row = Math.floor(((event.clientY - box.top) / box.height) * frame.resolution);
    if (column < 0 || row < 0 || column >= frame.resolution || row >= frame.resolution) {
      readout.hidden = true;
      return;
    }
    const b = frame.map[row * frame.resolution + column];
    const text = frame.inspected === null
      ? readOutput(b, config, frame.multiclass)
      : `Neuron ${byteValue(b).toFixed(2).replace("-", "−")}`;
    readout.textContent = text;
    readout.hidden = false;
    clearTimeout(readoutTimer);
    // A finger does not hover: what it tapped stays a few seconds.
    if (event.pointerType !== "mouse") readoutTimer = setTimeout(() => { readout.hidden = true; }, 3000);
  }
  mapBox.addEventListener("pointermove", showReadout);
  mapBox.addEventListener("pointerdown", showReadout);
  mapBox.addEventListener("pointerleave", (event) => {
    if (event.pointerType === "mouse") readout.hidden = true;
  });

  function paintPoints() {
    const { display, config, hello, userPoints } = store.state;
    const data = userPoints ? splitPoints(userPoints) : store.state.data;
    const size = mapBox.clientWidth;
    const ratio = window.devicePixelRatio || 1;
    pointsCanvas.width = Math.round(size * ratio);
    pointsCanvas.height = Math.round(size * ratio);
    const ctx = pointsCanvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size, size);
    if (!data || !config || !hello) return;
    const view = viewOf(hello, userPoints ? "custom" : config.dataset);
    const multiclass = config.problem === "multiclass";
    const shown = data.train.length + (display.showTestData ? data.test.length : 0);
    // A handful of points (the logic gates' four inputs) are drawn big, each plain to see.
    const few = shown <= 16;
    const radius = few ? Math.max(6, size / 30) : Math.max(2.2, size / 95);
    const drawn = [];
    const draw = (points, outline) => {
      ctx.strokeStyle = outline;
      ctx.lineWidth = few ? 2 : 1;
      for (const [x, y, value] of points) {
        if (!inView(x, y, view)) continue; // as the original: trained on, not drawn
        const [px, py] = toPixels(x, y, size, view);
        ctx.beginPath();
        ctx.arc(px, py, radius, 0, 2 * Math.PI);
        ctx.fillStyle = pointColour(value, multiclass);
        ctx.fill();
        ctx.stroke();
        if (few) drawn.push(`${x},${y}@${px.toFixed(1)},${py.toFixed(1)}`);
      }
    };
    draw(data.train, "#ffffff");
    if (display.showTestData) draw(data.test, "#1f2328");
    pointsCanvas.dataset.points = String(shown);
    // Where a handful of points went, in CSS px of the map ("x,y@px,py;…"), for tests.
    pointsCanvas.dataset.drawn = drawn.join(";");
  }

  /** The axes' ticks for the current dataset's view: its ends and between them. */
  function renderAxes() {
    const { config, hello } = store.state;
    if (!config || !hello) return;
    const [low, high] = viewOf(hello, config.dataset);
    const key = `${low},${high}`;
    if (axes._key === key) return;
    axes._key = key;
    // The playground's plane reads −6, 0, 6; a small view (the logic gates') every half unit, so
    // that 0 and 1, where the points are, have ticks of their own.
    const count = high - low <= 4 ? Math.round((high - low) / 0.5) + 1 : 3;
    const ticks = Array.from({ length: count }, (_, i) => ({
      text: formatNumber(Number((low + ((high - low) * i) / (count - 1)).toFixed(6))).replace("-", "−"),
      at: i / (count - 1), end: i === 0 ? "low" : i === count - 1 ? "high" : null,
    }));
    for (const axis of root.querySelectorAll("[data-axis]")) {
      const vertical = axis.dataset.axis === "y";
      // Across, each tick stands at its place (an end flush with the map's edge); the y axis runs
      // from high at the top down to low.
      axis.replaceChildren(...(vertical ? [...ticks].reverse() : ticks).map(({ text, at, end }) => {
        const span = tick(text);
        if (end) span.dataset.axisEnd = end;
        if (!vertical) span.style.setProperty("--at", String(at));
        return span;
      }));
      axis.dataset.view = key;
    }
  }

  function renderLegend() {
    const { config } = store.state;
    if (!config) return;
    const multiclass = config.problem === "multiclass";
    // The −1…1 scale stays in multi-class: neurons, their thumbnails and the links still use it,
    // while the map and the points use the class colours beside it.
    const scale = outputScale(config);
    legendScaleTitle.textContent = multiclass || scale === "probability" ? "Neurons and weights" : "Data, neurons and weights";
    legendClassKey.hidden = !multiclass;
    // A sigmoid's or softmax's output is a probability: its own 0…1 scale, not the −1…1 one.
    probability.hidden = scale === "value";
    probability.dataset.scale = scale;
    if (scale === "probability") {
      probabilityTitle.textContent = "Output: probability of blue";
      probabilityBar.style.background = LEGEND_GRADIENT;
      probabilityTicks.replaceChildren(...["0", "0.5", "1"].map((t) => tick(t)));
    } else if (scale === "confidence") {
      // The winner's probability is never below 1/K: the palest region is a toss-up.
      const low = 1 / config.num_classes;
      probabilityTitle.textContent = "Map: the winner's probability";
      probabilityBar.style.background = "linear-gradient(to right, #dcdfe2, #4b5560)";
      probabilityTicks.replaceChildren(...[low.toFixed(2), ((1 + low) / 2).toFixed(2), "1"].map((t) => tick(t)));
    }
    if (multiclass) {
      legendClasses.replaceChildren(...CLASS_COLORS.slice(0, config.num_classes).map((colour, k) => {
        const item = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = colour;
        item.append(swatch, `Class ${k + 1}`);
        return item;
      }));
    }
    mapBox.setAttribute("aria-label", `${labelOf("problem", config.problem)} output map`);
    // On a table the map is hidden (controls.js): no focus stop on it then.
    mapBox.tabIndex = onTable(store.state) ? -1 : 0;
  }

  store.on(["frame", "preview"], () => requestRender(paintMap));
  store.on("display", () => {
    requestRender(paintMap);
    requestRender(paintPoints);
  });
  store.on(["data", "config", "userPoints"], () => requestRender(paintPoints));
  store.on("config", () => {
    renderLegend();
    renderAxes();
  });
  store.on("diverged", (value) => { diverged.hidden = !value; });
  store.on("hello", () => {
    renderAxes();
    requestRender(paintPoints);
  });
  store.on("featureMaps", () => requestRender(paintMap));
  store.on("metrics", (m) => {
    const stall = m && !m.diverged ? m.stalled : null;
    stalled.hidden = !stall;
    if (!stall) return;
    const { config, hello } = store.state;
    const text = stallText(stall, config?.activation);
    if (stalledText.textContent !== text) stalledText.textContent = text;
    if (config && hello) recovery.textContent = formatNumber(recoveryRate(config, hello.options));
    stalled.dataset.layer = String(stall.layer);
    stalled.dataset.reason = stall.reason;
  });
  new ResizeObserver(() => requestRender(paintPoints)).observe(mapBox);
}
