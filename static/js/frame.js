// Decoding of the server's binary frames (docs/protocol.md, "Frames"): header, float32
// parameters, the main map and the hidden neurons' thumbnails, as typed-array views (no copies).
// A table's frames (flag bit 3) have no maps: D and T are 0, `map` and `thumbs` empty.

export const FLAG_MULTICLASS = 1;
export const FLAG_INSPECTED = 2;
export const FLAG_DIVERGED = 4;
export const FLAG_TABLE = 8;
const NO_NEURON = 0xffff;

/**
 * @typedef {object} Frame
 * @property {number} epoch
 * @property {number} resolution      D, the main map's side
 * @property {number} thumbnail       T, a thumbnail's side
 * @property {number[]} sizes         layer sizes, inputs … outputs
 * @property {boolean} multiclass     the main map holds (class << 5) | confidence bytes
 * @property {number|null} inspected  hidden neuron whose map the main map is, or null
 * @property {boolean} diverged
 * @property {boolean} table          a table's frame: no maps (resolution and thumbnail 0)
 * @property {Float32Array} params    per layer l: s_{l+1} rows of (bias, weights from layer l)
 * @property {number[]} offsets       where each layer's matrix starts in params
 * @property {Uint8Array} map         D·D bytes, rows from the view's top down (empty on a table)
 * @property {Uint8Array} thumbs      T·T bytes per hidden neuron, layer by layer (empty on a table)
 */

/**
 * @param {ArrayBuffer} buffer
 * @returns {Frame}
 */
export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  const version = view.getUint8(0);
  if (version !== 1) throw new Error(`frame: unknown format version ${version}`);
  const flags = view.getUint8(1);
  const resolution = view.getUint16(2, true);
  const epoch = view.getUint32(4, true);
  const thumbnail = view.getUint16(8, true);
  const inspected = view.getUint16(10, true);
  const count = view.getUint16(12, true);
  const sizes = [];
  for (let i = 0; i < count; i++) sizes.push(view.getUint16(14 + 2 * i, true));
  let offset = Math.ceil((14 + 2 * count) / 4) * 4;
  const offsets = [];
  let numParams = 0;
  for (let l = 0; l + 1 < count; l++) {
    offsets.push(numParams);
    numParams += sizes[l + 1] * (sizes[l] + 1);
  }
  const params = new Float32Array(buffer, offset, numParams);
  offset += numParams * 4;
  const map = new Uint8Array(buffer, offset, Math.min(resolution * resolution, buffer.byteLength - offset));
  offset += map.length;
  const hidden = sizes.slice(1, -1).reduce((a, b) => a + b, 0);
  const thumbs = new Uint8Array(buffer, offset, Math.min(hidden * thumbnail * thumbnail, buffer.byteLength - offset));
  return {
    epoch, resolution, thumbnail, sizes, params, offsets, map, thumbs,
    multiclass: Boolean(flags & FLAG_MULTICLASS),
    inspected: flags & FLAG_INSPECTED && inspected !== NO_NEURON ? inspected : null,
    diverged: Boolean(flags & FLAG_DIVERGED),
    table: Boolean(flags & FLAG_TABLE),
  };
}

/** The weight from node `from` of layer `layer` to node `to` of layer `layer + 1`. */
export function weightOf(frame, layer, from, to) {
  return frame.params[frame.offsets[layer] + to * (frame.sizes[layer] + 1) + from + 1];
}

/** The bias of node `node` of layer `layer + 1`. */
export function biasOf(frame, layer, node) {
  return frame.params[frame.offsets[layer] + node * (frame.sizes[layer] + 1)];
}
