// Small pictures of each dataset for the dataset buttons, drawn from a sample the server's own
// generators make (GET /api/previews), so a picture always shows the real shape of its set, each in
// its own dataset's view (the logic gates' four points on [−0.5, 1.5]², the rest on [−6, 6]²).
// A table has no points to sample (issue 14): its picture is drawn here, its first sample image
// once the page has the table (a real digit), else a small drawing (a digit, a house, a grid).

import { CLASS_COLORS, cssOf } from "./colors.js";
import { inView, toPixels } from "./maps.js";
import { sampleImage } from "./tables.js";

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
  const { ctx, size } = pictureCanvas(canvas);
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

/** The canvas sized for the screen, cleared to the pictures' light grey: its context and side. */
function pictureCanvas(canvas) {
  const size = canvas.clientWidth || 64;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * ratio);
  canvas.height = Math.round(size * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = "#f7f8f8";
  ctx.fillRect(0, 0, size, size);
  return { ctx, size };
}

/** Drawings for the shipped tables without their data at hand (by name); any other gets a grid. */
const DRAWINGS = {
  mnist(ctx, s) { // a handwritten 2, white on black as MNIST's digits are
    ctx.fillStyle = "#1f2328";
    ctx.fillRect(s * 0.14, s * 0.14, s * 0.72, s * 0.72);
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = s * 0.075;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(s * 0.35, s * 0.38);
    ctx.bezierCurveTo(s * 0.38, s * 0.22, s * 0.66, s * 0.22, s * 0.64, s * 0.4);
    ctx.bezierCurveTo(s * 0.62, s * 0.52, s * 0.42, s * 0.62, s * 0.34, s * 0.72);
    ctx.lineTo(s * 0.68, s * 0.71);
    ctx.stroke();
  },
  "house-prices"(ctx, s) { // a house and a price tag's bars
    ctx.fillStyle = "#0877bd";
    ctx.beginPath();
    ctx.moveTo(s * 0.16, s * 0.5);
    ctx.lineTo(s * 0.42, s * 0.26);
    ctx.lineTo(s * 0.68, s * 0.5);
    ctx.closePath();
    ctx.fill();
    ctx.fillRect(s * 0.22, s * 0.49, s * 0.4, s * 0.3);
    ctx.fillStyle = "#f7f8f8";
    ctx.fillRect(s * 0.37, s * 0.6, s * 0.1, s * 0.19);
    ctx.fillStyle = "#f59322";
    [0.3, 0.45, 0.62].forEach((h, i) => ctx.fillRect(s * (0.7 + i * 0.06), s * (0.79 - h * 0.7), s * 0.045, s * h * 0.7));
  },
};

function drawGrid(ctx, s) {
  ctx.strokeStyle = "#9aa3ab";
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = s * (0.22 + i * 0.14);
    ctx.beginPath();
    ctx.moveTo(s * 0.18, y);
    ctx.lineTo(s * 0.82, y);
    ctx.stroke();
  }
  for (const x of [0.18, 0.4, 0.61, 0.82]) {
    ctx.beginPath();
    ctx.moveTo(s * x, s * 0.22);
    ctx.lineTo(s * x, s * 0.78);
    ctx.stroke();
  }
  ctx.fillStyle = "#dfe3e8";
  ctx.fillRect(s * 0.18, s * 0.22, s * 0.64, s * 0.14);
}

/**
 * A table dataset's picture: its first sample image when `table` (the page's current table) is
 * this one and has pictures, else a drawing for it.
 * @param {HTMLCanvasElement} canvas
 * @param {string} name     the dataset
 * @param {object|null} table  the page's current table (tables.js currentTable), or null
 */
export function drawTablePicture(canvas, name, table) {
  const { ctx, size } = pictureCanvas(canvas);
  if (table?.name === name && table.image) {
    const [height, width] = table.image;
    const pixels = sampleImage(table, 0);
    if (pixels.length === height * width) {
      const image = new ImageData(width, height);
      pixels.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
      const small = document.createElement("canvas");
      small.width = width;
      small.height = height;
      small.getContext("2d").putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(small, size * 0.14, size * 0.14, size * 0.72, size * 0.72);
      return;
    }
  }
  (DRAWINGS[name] ?? drawGrid)(ctx, size);
}
