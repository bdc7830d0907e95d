// Painting byte maps (the output map, neuron maps, thumbnails) into canvases through colour lookup
// tables; the view of the plane a dataset is shown on (hello.options.views), which every map, point
// and axis follows; and loading the input features' maps over a view (the server computes them once
// per view; they never change).

import { CLASS_DISCRETE_LUT, CLASS_LUT, DISCRETE_LUT, VALUE_LUT } from "./colors.js";

/**
 * The lookup table for a map.
 * @param {{multiclass: boolean, discretize: boolean}} how
 */
export function lutFor({ multiclass, discretize }) {
  if (multiclass) return discretize ? CLASS_DISCRETE_LUT : CLASS_LUT;
  return discretize ? DISCRETE_LUT : VALUE_LUT;
}

/**
 * Paint `bytes` (side × side, or side wide and `height` high, rows from the top) into `canvas` at
 * one pixel per cell. The canvas keeps an ImageData of its own so a frame allocates nothing.
 * Nothing to paint (a side of 0: a table's frame has no maps) leaves the canvas as it is.
 * @param {HTMLCanvasElement} canvas
 * @param {Uint8Array} bytes
 * @param {number} side
 * @param {Uint32Array} lut
 * @param {number} [height]  rows, when not `side` (a table's pictures may be oblong)
 */
export function paintBytes(canvas, bytes, side, lut, height = side) {
  if (!(side > 0 && height > 0)) return;
  if (canvas.width !== side || canvas.height !== height) {
    canvas.width = side;
    canvas.height = height;
    canvas._image = null;
  }
  const ctx = canvas._ctx ?? (canvas._ctx = canvas.getContext("2d"));
  let image = canvas._image;
  if (!image) {
    image = canvas._image = ctx.createImageData(side, height);
    canvas._pixels = new Uint32Array(image.data.buffer);
  }
  const pixels = canvas._pixels;
  const n = Math.min(pixels.length, bytes.length);
  for (let i = 0; i < n; i++) pixels[i] = lut[bytes[i]];
  ctx.putImageData(image, 0, 0);
}

/**
 * The view a dataset is shown on: [low, high] on both axes (hello.options.views; the playground's
 * [−extent, extent]² for a dataset the server names no view for).
 * @param {object} hello  the server's hello
 * @param {string} dataset
 * @returns {[number, number]}
 */
export function viewOf(hello, dataset) {
  const view = hello?.options?.views?.[dataset];
  if (Array.isArray(view) && view.length === 2) return [Number(view[0]), Number(view[1])];
  const extent = hello?.limits?.extent ?? 6;
  return [-extent, extent];
}

/** A coordinate of the plane to two decimals, as a clicked point is sent and shown (never −0). */
export function round2(v) {
  const n = Math.round(v * 100) / 100;
  return n === 0 ? 0 : n;
}

/** Whether (x, y) lies in the view (both axes from low to high). */
export function inView(x, y, [low, high]) {
  return x >= low && x <= high && y >= low && y <= high;
}

const featureMaps = new Map(); // "low,high" → Promise of the maps over that view

/**
 * The input features' maps over a dataset's view, from the server (docs/protocol.md's map bytes),
 * fetched once per view (datasets that share a view share them).
 * @param {string} dataset
 * @param {[number, number]} view  its view (viewOf), the cache's key
 * @returns {Promise<{view: [number, number], key: string, resolution: number, maps: Map<string, Uint8Array>}>}
 */
export function loadFeatureMaps(dataset, view) {
  const key = view.join(",");
  if (!featureMaps.has(key)) {
    const query = new URLSearchParams({ dataset });
    featureMaps.set(key, fetch(`/api/feature-maps?${query}`).then(async (response) => {
      if (!response.ok) throw new Error(`feature maps: HTTP ${response.status}`);
      const answer = await response.json();
      const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
      return { view: answer.view, key: answer.view.join(","), resolution: answer.resolution,
               maps: new Map(Object.entries(answer.maps).map(([name, text]) => [name, bytes(text)])) };
    }).catch((error) => {
      featureMaps.delete(key); // asked for again next time
      throw error;
    }));
  }
  return featureMaps.get(key);
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

/**
 * Map a point of a view ([low, high] on both axes, viewOf) to pixel coordinates in a square of
 * `size` px, y up.
 */
export function toPixels(x, y, size, [low, high]) {
  const span = high - low;
  return [((x - low) / span) * size, ((high - y) / span) * size];
}
