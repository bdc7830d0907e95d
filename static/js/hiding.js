// Which controls a classroom link hides. The original's `<control>_hide=true` keys name its 15
// controls; a control the original did not have follows the original control it extends (so an
// original link that locks a lesson locks ours too), and has its own `_hide` key as well.

/** Our controls and the original control each extends: hidden whenever that one is. */
export const FOLLOWS = {
  regenerate: "dataset", seed: "dataset", numPoints: "dataset", numClasses: "dataset",
  loss: "problem",
  optimizer: "learningRate", momentum: "learningRate",
  batching: "batchSize",
  speed: "playButton",
  init: "resetButton",
};

/**
 * Every control the link builder offers, in the page's order: [hide key, what the teacher reads].
 * The first 15 are the original's (its HIDABLE_CONTROLS, with its words); the rest are ours.
 */
export const HIDABLE = [
  ["showTestData", "Show test data"], ["discretize", "Discretize output"], ["playButton", "Play button"],
  ["stepButton", "Step button"], ["resetButton", "Reset button"], ["learningRate", "Learning rate"],
  ["activation", "Activation"], ["regularization", "Regularization"], ["regularizationRate", "Regularization rate"],
  ["problem", "Problem type"], ["dataset", "Which dataset"], ["percTrainData", "Ratio train data"],
  ["noise", "Noise level"], ["batchSize", "Batch size"], ["numHiddenLayers", "# of hidden layers"],
  ["numNodes", "Neurons per layer (+/−)"], ["features", "Input features on/off"],
  ["loss", "Loss"], ["optimizer", "Optimizer"], ["momentum", "Momentum"], ["speed", "Speed"],
  ["regenerate", "Regenerate button"], ["seed", "Seed"], ["numPoints", "Number of points"],
  ["numClasses", "Number of classes"], ["batching", "Batches"], ["init", "Starting weights"],
];

/**
 * The controls hidden by a link's hide keys: the keys themselves and every control that follows
 * one of them.
 * @param {Set<string>} keys  the link's `<name>_hide=true` names
 * @returns {Set<string>}
 */
export function hiddenControls(keys) {
  const hidden = new Set(keys);
  for (const [control, leader] of Object.entries(FOLLOWS)) if (keys.has(leader)) hidden.add(control);
  return hidden;
}

/**
 * The layer-size stepper's hide key for hidden layer `index` (from 0), counted as the original
 * counts layers: the inputs are layer 0, so the first hidden layer's key is `numNodes1`.
 * @param {number} index
 */
export function layerControl(index) {
  return `numNodes${index + 1}`;
}
