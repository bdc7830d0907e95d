// Colour scales: the playground's orange → near-white → blue scale of neuron and weight values (31
// quantized shades for maps, continuous for links) and the class colours of multi-class maps, as
// lookup tables of RGBA bytes.

const ORANGE = [0xf5, 0x93, 0x22];
const NEAR_WHITE = [0xe8, 0xea, 0xeb];
const BLUE = [0x08, 0x77, 0xbd];

/** As the original's heatmap: d3 quantize over [-1, 1] with NUM_SHADES + 1 = 31 colours. */
export const NUM_SHADES = 31;

/**
 * Class colours for multi-class maps, points and output nodes, in class order. Chosen by
 * scripts/class_palette.py (a search over Paul Tol's, Okabe–Ito's and a 16-level sRGB grid) to stay
 * apart under normal vision and simulated protanopia, deuteranopia and tritanopia (Machado et al.
 * 2009): in CIEDE2000, any two classes differ by at least 18 as point fills and 11 as map tints;
 * every class is at least 18 from the weight scale's orange and blue (11 as tints) and, by hue,
 * neither an orange nor a blue; every tint is at least 10 from the toss-up near-white. The first
 * three (the default three classes) are three hues: purple, mint, red.
 */
export const CLASS_COLORS = ["#443366", "#55ffaa", "#cc2211", "#996666", "#771122", "#ccaadd"];
/** The one colour of a table's named classes (MNIST's ten digits: their names tell them apart). */
export const NAMED_CLASS_COLOUR = "#3d5a6c";

function lerp(a, b, t) {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));
}

/**
 * RGB of a value on the playground's scale (d3 linear [-1, 0, 1], clamped, RGB interpolation).
 * @param {number} value
 * @returns {number[]} [r, g, b]
 */
export function rgbOf(value) {
  const v = Math.max(-1, Math.min(1, Number.isFinite(value) ? value : 0));
  return v < 0 ? lerp(NEAR_WHITE, ORANGE, -v) : lerp(NEAR_WHITE, BLUE, v);
}

/** CSS colour of a value on the continuous scale (links, biases, points). */
export function cssOf(value) {
  const [r, g, b] = rgbOf(value);
  return `rgb(${r},${g},${b})`;
}

/** Link width as the original: 1 px at 0, linear to 10 px at |w| ≥ 5. */
export function linkWidth(weight) {
  const w = Math.min(5, Math.abs(Number.isFinite(weight) ? weight : 0));
  return 1 + (9 * w) / 5;
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Text colour for a label on a background of `hex`: white or near-black, whichever contrasts more
 * (WCAG relative luminance), since the class colours run from dark purple to light mint.
 * @param {string} hex  "#rrggbb"
 */
export function inkOn(hex) {
  const linear = hexToRgb(hex).map((c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  const dark = 0.0165; // #1f2328, the page's ink
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / (dark + 0.05) ? "#ffffff" : "#1f2328";
}

/** The value a map byte stands for: b / 127.5 − 1. */
export function byteValue(b) {
  return b / 127.5 - 1;
}

function shadeOf(value) {
  // d3.scale.quantize().domain([-1, 1]).range(31 colours sampled at 0, 1/30, ..., 1).
  const index = Math.min(NUM_SHADES - 1, Math.max(0, Math.floor(((value + 1) / 2) * NUM_SHADES)));
  return rgbOf((index / (NUM_SHADES - 1)) * 2 - 1);
}

/**
 * Maps are painted as the original paints its heatmaps, at alpha 160 of 255 over white, so
 * data points in their full colours stay visible on regions the network is sure about. The
 * blend is done here, giving opaque pixels whatever lies behind the canvas.
 */
const MAP_OPACITY = 160 / 255;

function table(colourOfByte) {
  const lut = new Uint32Array(256);
  const bytes = new Uint8Array(lut.buffer);
  for (let b = 0; b < 256; b++) {
    const [r, g, bl] = colourOfByte(b).map((c) => Math.round(255 + (c - 255) * MAP_OPACITY));
    bytes.set([r, g, bl, 255], b * 4);
  }
  return lut;
}

/**
 * A value's colour as the maps paint it (the continuous scale at the maps' alpha over white), as
 * "#rrggbb": for cells that show a value beside the map, such as the truth table's.
 * @param {number} value  on the −1…1 scale
 */
export function mapHexOf(value) {
  const channels = rgbOf(value).map((c) => Math.round(255 + (c - 255) * MAP_OPACITY));
  return `#${channels.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

/** 256 RGBA words (platform byte order, for a Uint32Array view of ImageData) for value maps. */
export const VALUE_LUT = table((b) => shadeOf(byteValue(b)));
/** The same, discretized: the sign of the value, as the original's "discretize output". */
export const DISCRETE_LUT = table((b) => shadeOf(byteValue(b) >= 0 ? 1 : -1));

function opaqueTable(colourOfByte) {
  const lut = new Uint32Array(256);
  const bytes = new Uint8Array(lut.buffer);
  for (let b = 0; b < 256; b++) bytes.set([...colourOfByte(b), 255], b * 4);
  return lut;
}

/** Weights drawn as pictures (a table's first layer): the −1…1 scale, continuous and opaque. */
export const WEIGHT_LUT = opaqueTable((b) => rgbOf(byteValue(b)));
/** A table's pictures as they are: byte 0 black, 255 white (MNIST's white strokes on black). */
export const GREY_LUT = opaqueTable((b) => [b, b, b]);

/**
 * A lookup table for multi-class map bytes ((class << 5) | confidence): the winner's colour
 * blended from near-white by confidence; discretized maps use full colour everywhere.
 * @param {boolean} discrete
 */
export function classLut(discrete) {
  const colours = CLASS_COLORS.map(hexToRgb);
  return table((b) => {
    const cls = b >> 5;
    const confidence = discrete ? 1 : (b & 31) / 31;
    if (cls >= colours.length) return NEAR_WHITE;
    // A toss-up is faintly tinted rather than pure white so regions stay readable.
    return lerp(NEAR_WHITE, colours[cls], 0.15 + 0.85 * confidence);
  });
}

export const CLASS_LUT = classLut(false);
export const CLASS_DISCRETE_LUT = classLut(true);

/** Gradient stops for the legend (CSS linear-gradient). */
export const LEGEND_GRADIENT = `linear-gradient(to right, rgb(${ORANGE}), rgb(${NEAR_WHITE}), rgb(${BLUE}))`;
