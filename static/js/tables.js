// Tables (issue 14): data beyond the plane, rows of any number of inputs (docs/protocol.md,
// "Tables"). No DOM: which datasets are tables (hello's `options.tables`, and your own, `table`),
// the table the page shows now (the `data` message's `table`, kept as the store's `data.table`),
// its kind ("image" when each row is a picture, else "columns": the view it gets), the columns the
// network takes (`config.inputs`), the sample's pixels decoded from base64 once, their mean, and
// each first-layer neuron's weights as a picture (made once per frame for every view that shows them).

/** The dataset name of a table of your own (an uploaded CSV table; docs/protocol.md). */
export const OWN_TABLE = "table";

/** Whether `dataset` is a table: one hello lists in `options.tables`, or your own. */
export function isTable(dataset, options) {
  return dataset === OWN_TABLE || Boolean(options?.tables && Object.hasOwn(options.tables, dataset));
}

/** Whether the session's dataset is a table (known from the config alone, before its data comes). */
export function onTable(state) {
  return Boolean(state.config && isTable(state.config.dataset, state.hello?.options));
}

/** The table the page shows: the latest `data` message's, when it is the current dataset's; else null. */
export function currentTable(state) {
  if (!onTable(state)) return null;
  const table = state.data?.table;
  return table && table.name === state.config.dataset ? table : null;
}

/**
 * The kind of data the session has: null on the plane, "image" for a table whose rows are
 * pictures (the digits view), "columns" for any other table, "" while a table's data is on its way.
 */
export function tableKind(state) {
  if (!onTable(state)) return null;
  const table = currentTable(state);
  return table ? (table.image ? "image" : "columns") : "";
}

/** The table's columns the network takes, in the table's order (`inputs` null: every column). */
export function activeColumns(config, table) {
  if (!Array.isArray(config.inputs)) return [...table.columns];
  const chosen = new Set(config.inputs);
  return table.columns.filter((name) => chosen.has(name));
}

/** A title for a table dataset: hello's `options.tables[name].title`, else the name itself. */
export function tableTitle(name, options) {
  return options?.tables?.[name]?.title ?? (name === OWN_TABLE ? "Your table" : name);
}

const pixels = new WeakMap(); // table → Uint8Array of its sample's pixels

/**
 * The sample's pixels (one byte each, image after image, row by row: `sample_pixels`), decoded
 * from base64 once per table; an empty array for a table without pictures.
 * @param {object} table  a `data` message's table
 * @returns {Uint8Array}
 */
export function samplePixels(table) {
  if (!table || typeof table.sample_pixels !== "string") return new Uint8Array(0);
  if (!pixels.has(table)) {
    let bytes;
    try {
      bytes = Uint8Array.from(atob(table.sample_pixels), (c) => c.charCodeAt(0));
    } catch {
      bytes = new Uint8Array(0);
    }
    pixels.set(table, bytes);
  }
  return pixels.get(table);
}

/** One sample image's pixels (`index` from 0): height × width bytes, a view into samplePixels. */
export function sampleImage(table, index) {
  const [height, width] = table.image ?? [0, 0];
  const all = samplePixels(table);
  const size = height * width;
  return all.subarray(index * size, Math.min(all.length, (index + 1) * size));
}

const means = new WeakMap(); // table → its sample's mean picture

/** The mean of the sample's pictures (bytes 0..255, height × width): a picture of the typical row. */
export function meanImage(table) {
  if (!means.has(table)) {
    const [height, width] = table.image ?? [0, 0];
    const size = height * width;
    const all = samplePixels(table);
    const count = size ? Math.floor(all.length / size) : 0;
    const sums = new Float64Array(size);
    for (let i = 0; i < count * size; i++) sums[i % size] += all[i];
    means.set(table, Uint8Array.from(sums, (v) => (count ? Math.round(v / count) : 0)));
  }
  return means.get(table);
}

const weightPictures = new WeakMap(); // frame → its first layer's weight pictures

/**
 * Each first-layer neuron's weights from the inputs (frame layer 0's rows, without the bias in
 * column 0: the first hidden layer's, or the outputs' in a network without one) as map bytes on the −1…1 scale (maps.js VALUE_LUT: orange negative, blue
 * positive), each neuron scaled by its own largest |w| so its pattern shows; with `rms`, each
 * neuron's root-mean-square weight (the size of its weights as a whole). Made once per frame.
 * @param {import("./frame.js").Frame} frame
 * @returns {{pictures: Uint8Array[], rms: number[]}}
 */
export function firstLayerPictures(frame) {
  if (!weightPictures.has(frame)) {
    const inputs = frame.sizes[0];
    const neurons = frame.sizes[1] ?? 0; // the first hidden layer's, or the outputs' without one
    const pictures = [];
    const rms = [];
    for (let j = 0; j < neurons; j++) {
      const start = frame.offsets[0] + j * (inputs + 1) + 1;
      const row = frame.params.subarray(start, start + inputs);
      let most = 0;
      let squares = 0;
      for (const w of row) {
        if (!Number.isFinite(w)) continue;
        most = Math.max(most, Math.abs(w));
        squares += w * w;
      }
      const bytes = new Uint8Array(inputs);
      for (let i = 0; i < inputs; i++) {
        const v = most > 0 && Number.isFinite(row[i]) ? row[i] / most : 0;
        bytes[i] = Math.round((v + 1) * 127.5);
      }
      pictures.push(bytes);
      rms.push(inputs ? Math.sqrt(squares / inputs) : 0);
    }
    weightPictures.set(frame, { pictures, rms });
  }
  return weightPictures.get(frame);
}
