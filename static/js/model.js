// A network as `import_model` takes it (docs/protocol.md, the `model` object), built from what the
// page holds: a config and the frame's float32 parameters (layer by layer, each node's row with
// column 0 its bias). No DOM: session.js, durable.js and the views share these.

export const MODEL_FORMAT = "nn-playground-model";
export const MODEL_VERSION = 1;

/** Layer sizes of a config's network: inputs, hidden layers, outputs (one per class in multiclass). */
export function layerSizes(config) {
  const outputs = config.problem === "multiclass" ? config.num_classes : 1;
  return [config.features.length, ...config.network_shape, outputs];
}

/** How many parameters (weights and biases) a network of these sizes has: a frame's count. */
export function parameterCount(sizes) {
  let count = 0;
  for (let l = 0; l + 1 < sizes.length; l++) count += sizes[l + 1] * (sizes[l] + 1);
  return count;
}

/**
 * The `model` object for a config, its trained epoch and the parameters in frame order; null when
 * the parameters do not fit the config's network. `data` is left out: a custom dataset's model
 * then uses the session's own points (docs/protocol.md, `import_model`).
 * `edits`: the record of hand-set weights it was trained from (state.edits), which the session
 * keeps listing (and the hash keeps writing) after the import.
 * @param {{config: object, epoch: number, params: Float32Array|number[], sizes?: number[], edits?: object[]}} network
 */
export function modelOf({ config, epoch, params, sizes = layerSizes(config), edits = [] }) {
  if (params.length !== parameterCount(sizes)) return null;
  const weights = [];
  const biases = [];
  let at = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const rows = [];
    const bias = [];
    for (let node = 0; node < sizes[l + 1]; node++) {
      bias.push(params[at]);
      rows.push(Array.from(params.slice(at + 1, at + 1 + sizes[l])));
      at += sizes[l] + 1;
    }
    weights.push(rows);
    biases.push(bias);
  }
  return {
    format: MODEL_FORMAT, version: MODEL_VERSION, config, epoch, layer_sizes: [...sizes], weights, biases,
    edits: edits.map((edit) => ({ ...edit })),
  };
}

/** The words for an optimizer whose memory a model does not hold (momentum, Adam), else null. */
export function optimizerMemory(config) {
  if (config?.optimizer === "momentum") return "The optimizer's momentum starts afresh (a model does not hold it).";
  if (config?.optimizer === "adam") return "Adam's moment estimates start afresh (a model does not hold them).";
  return null;
}
