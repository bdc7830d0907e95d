// Small pictures of each dataset for the dataset buttons, drawn from a sample the server's own
// generators make (GET /api/previews), so a picture always shows the real shape of its set, each in
// its own dataset's view (the logic gates' four points on [−0.5, 1.5]², the rest on [−6, 6]²).

import { CLASS_COLORS, cssOf } from "./colors.js";
import { inView, toPixels } from "./maps.js";

const samples = new Map(); // "problem/classes" → Promise of {dataset: [[x, y, label], …]}

/**
 * Every dataset's sample for a problem (and class count), fetched once.
 * @param {string} problem
 * @param {number} classes  for multiclass
 * @returns {Promise<Object<string, number[][]>>}
 */
export function loadSamples(problem, classes) {
  const key = `${problem}/${classes}`;
  if (!samples.has(key)) {
    const query = new URLSearchParams({ problem, ...(problem === "multiclass" ? { num_classes: classes } : {}) });
    samples.set(key, fetch(`/api/previews?${query}`).then((r) => {
      if (!r.ok) throw new Error(`previews: HTTP ${r.status}`);
      return r.json();
    }).then((answer) => answer.datasets).catch((error) => {
      samples.delete(key); // try again next time
      throw error;
    }));
  }
  return samples.get(key);
}

/**
 * Colour of a point's label: a class colour for multi-class sets, else the value scale.
 * @param {number} label
 * @param {boolean} multiclass
 */
export function pointColour(label, multiclass) {
  return multiclass ? CLASS_COLORS[label] ?? "#666" : cssOf(label);
}

/**
 * Draw a dataset's sample into `canvas` (which it sizes for the screen).
 * @param {HTMLCanvasElement} canvas
 * @param {number[][]} points  [x, y, label] rows
 * @param {boolean} multiclass
 * @param {[number, number]} view  the dataset's view (maps.js viewOf)
 */
export function drawPreview(canvas, points, multiclass, view) {
  const size = canvas.clientWidth || 64;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * ratio);
  canvas.height = Math.round(size * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = "#f7f8f8";
  ctx.fillRect(0, 0, size, size);
  const r = points.length <= 16 ? size / 12 : Math.max(1.2, size / 40); // a handful of points: big dots
  for (const [x, y, label] of points) {
    if (!inView(x, y, view)) continue;
    const [px, py] = toPixels(x, y, size, view);
    ctx.beginPath();
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    ctx.fillStyle = pointColour(label, multiclass);
    ctx.fill();
  }
}
