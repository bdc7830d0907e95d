// Painting byte maps (the output map, neuron maps, thumbnails) into canvases through colour lookup
// tables, and loading the input features' maps, which the server computes once (they never change).

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

/**
 * The input features' maps over the plane, from the server (docs/protocol.md's map bytes).
 * @returns {Promise<{resolution: number, maps: Map<string, Uint8Array>}>}
 */
export async function loadFeatureMaps() {
  const response = await fetch("/api/feature-maps");
  if (!response.ok) throw new Error(`feature maps: HTTP ${response.status}`);
  const { resolution, maps } = await response.json();
  const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return { resolution, maps: new Map(Object.entries(maps).map(([name, text]) => [name, bytes(text)])) };
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
 * Map a point on the plane [−extent, extent]² (hello.limits.extent) to pixel coordinates in a
 * square of `size` px, y up.
 */
export function toPixels(x, y, size, extent) {
  return [((x + extent) / (2 * extent)) * size, ((extent - y) / (2 * extent)) * size];
}
