// The big map: the network's output over the plane (or the hovered neuron's or feature's map),
// the data points on top (training white-outlined, test dark-outlined when shown), the diverged
// notice, and the colour legend (the −1…1 scale always; the class colours too in multi-class).

import { CLASS_COLORS, LEGEND_GRADIENT } from "../colors.js";
import { lutFor, paintBytes, toPixels } from "../maps.js";
import { formatNumber, labelOf } from "../labels.js";
import { pointColour } from "../previews.js";
import { requestRender } from "../render.js";
import { recoveryRate } from "./controls.js";

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
 * What a stalled run (the engine's Metrics.stalled) means, for a student.
 * @param {{layer: number|"output", reason: "saturated"|"dead"}} stall
 * @param {string} activation  the hidden layers' activation
 */
export function stallText(stall, activation) {
  const ends = stall.layer !== "output" && activation === "sigmoid" ? "0 or 1" : "−1 or +1";
  const where = stall.layer === "output" ? "The output is" : `Nearly every neuron of hidden layer ${stall.layer} is`;
  const what = stall.reason === "dead"
    ? `${where.replace(/ is$/, " has")} died: its ReLU gives 0 for almost every point, so no gradient flows back`
    : `${where} stuck at ${ends} for almost every point, where its slope is flat, so the gradients are near zero`;
  return `${what}. The weights can no longer move, and a smaller learning rate alone will not help: lower it and reset.`;
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
    paintBytes(mapCanvas, frame.map, frame.resolution, lutFor({ multiclass: frame.multiclass, discretize: display.discretize }));
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

  function paintPoints() {
    const { data, display, config, hello } = store.state;
    const size = mapBox.clientWidth;
    const ratio = window.devicePixelRatio || 1;
    pointsCanvas.width = Math.round(size * ratio);
    pointsCanvas.height = Math.round(size * ratio);
    const ctx = pointsCanvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size, size);
    if (!data || !config || !hello) return;
    const { extent } = hello.limits;
    const multiclass = config.problem === "multiclass";
    const radius = Math.max(2.2, size / 95);
    const draw = (points, outline) => {
      ctx.strokeStyle = outline;
      ctx.lineWidth = 1;
      for (const [x, y, value] of points) {
        if (Math.abs(x) > extent || Math.abs(y) > extent) continue; // as the original: trained on, not drawn
        const [px, py] = toPixels(x, y, size, extent);
        ctx.beginPath();
        ctx.arc(px, py, radius, 0, 2 * Math.PI);
        ctx.fillStyle = pointColour(value, multiclass);
        ctx.fill();
        ctx.stroke();
      }
    };
    draw(data.train, "#ffffff");
    if (display.showTestData) draw(data.test, "#1f2328");
    pointsCanvas.dataset.points = String(data.train.length + (display.showTestData ? data.test.length : 0));
  }

  function renderLegend() {
    const { config } = store.state;
    if (!config) return;
    const multiclass = config.problem === "multiclass";
    // The −1…1 scale stays in multi-class: neurons, their thumbnails and the links still use it,
    // while the map and the points use the class colours beside it.
    legendScaleTitle.textContent = multiclass ? "Neurons and weights" : "Data, neurons and weights";
    legendClassKey.hidden = !multiclass;
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
  }

  store.on(["frame", "preview"], () => requestRender(paintMap));
  store.on("display", () => {
    requestRender(paintMap);
    requestRender(paintPoints);
  });
  store.on(["data", "config"], () => requestRender(paintPoints));
  store.on("config", () => renderLegend());
  store.on("diverged", (value) => { diverged.hidden = !value; });
  store.on("hello", (hello) => {
    const { extent } = hello.limits; // the axes' ends: the plane the maps cover
    for (const end of root.querySelectorAll("[data-axis-end]")) {
      end.textContent = `${end.dataset.axisEnd === "low" ? "−" : ""}${formatNumber(extent)}`;
    }
    requestRender(paintPoints);
  });
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
