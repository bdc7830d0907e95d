// Painting byte maps (the output map, neuron maps, thumbnails) into canvases through colour lookup
// tables, and the input features' maps, which the page computes itself (they never change).

import { CLASS_DISCRETE_LUT, CLASS_LUT, DISCRETE_LUT, VALUE_LUT } from "./colors.js";

const EXTENT = 6;

/**
 * The lookup table for a map.
 * @param {{multiclass: boolean, discretize: boolean}} how
 */
export function lutFor({ multiclass, discretize }) {
  if (multiclass) return discretize ? CLASS_DISCRETE_LUT : CLASS_LUT;
  return discretize ? DISCRETE_LUT : VALUE_LUT;
}

/**
 * Paint `bytes` (side × side, rows from the top) into `canvas` at one pixel per cell.
 * The canvas keeps an ImageData of its own so a frame allocates nothing.
 * @param {HTMLCanvasElement} canvas
 * @param {Uint8Array} bytes
 * @param {number} side
 * @param {Uint32Array} lut
 */
export function paintBytes(canvas, bytes, side, lut) {
  if (canvas.width !== side || canvas.height !== side) {
    canvas.width = side;
    canvas.height = side;
    canvas._image = null;
  }
  const ctx = canvas._ctx ?? (canvas._ctx = canvas.getContext("2d"));
  let image = canvas._image;
  if (!image) {
    image = canvas._image = ctx.createImageData(side, side);
    canvas._pixels = new Uint32Array(image.data.buffer);
  }
  const pixels = canvas._pixels;
  const n = Math.min(pixels.length, bytes.length);
  for (let i = 0; i < n; i++) pixels[i] = lut[bytes[i]];
  ctx.putImageData(image, 0, 0);
}

/** The seven features the playground offers, as functions of a point. */
const FEATURE_FUNCTIONS = {
  x: (x) => x,
  y: (x, y) => y,
  xSquared: (x) => x * x,
  ySquared: (x, y) => y * y,
  xTimesY: (x, y) => x * y,
  sinX: (x) => Math.sin(x),
  sinY: (x, y) => Math.sin(y),
};

/** How the page labels the features (the playground's X₁, X₂, …). */
export const FEATURE_LABELS = {
  x: "X₁", y: "X₂", xSquared: "X₁²", ySquared: "X₂²", xTimesY: "X₁X₂", sinX: "sin(X₁)", sinY: "sin(X₂)",
};

const featureCache = new Map();

/**
 * A feature's map over [-6, 6]² as bytes (as the server quantizes neuron maps), each feature
 * divided by its largest magnitude on the plane so x, x² and sin x are equally readable.
 * Unknown features give a flat (white) map.
 * @param {string} name
 * @param {number} side
 * @returns {Uint8Array}
 */
export function featureMap(name, side = 100) {
  const key = `${name}/${side}`;
  if (featureCache.has(key)) return featureCache.get(key);
  const f = FEATURE_FUNCTIONS[name] ?? (() => 0);
  const values = new Float64Array(side * side);
  let peak = 1e-12;
  for (let row = 0; row < side; row++) {
    const y = EXTENT - (2 * EXTENT * row) / (side - 1);
    for (let col = 0; col < side; col++) {
      const x = -EXTENT + (2 * EXTENT * col) / (side - 1);
      const v = f(x, y);
      values[row * side + col] = v;
      peak = Math.max(peak, Math.abs(v));
    }
  }
  const bytes = new Uint8Array(side * side);
  for (let i = 0; i < values.length; i++) {
    bytes[i] = Math.max(0, Math.min(255, Math.round((values[i] / peak + 1) * 127.5)));
  }
  featureCache.set(key, bytes);
  return bytes;
}

/**
 * Block means of a side × side map down to size × size (the playground's thumbnails).
 * @param {Uint8Array} bytes
 * @param {number} side
 * @param {number} size
 */
export function shrink(bytes, side, size) {
  const block = Math.floor(side / size);
  const out = new Uint8Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let sum = 0;
      for (let i = 0; i < block; i++) {
        for (let j = 0; j < block; j++) sum += bytes[(r * block + i) * side + c * block + j];
      }
      out[r * size + c] = Math.round(sum / (block * block));
    }
  }
  return out;
}

/** Map a point on [-6, 6]² to pixel coordinates in a square of `size` px. */
export function toPixels(x, y, size) {
  return [((x + EXTENT) / (2 * EXTENT)) * size, ((EXTENT - y) / (2 * EXTENT)) * size];
}
