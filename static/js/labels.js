// Words for option values. The values themselves always come from the server's hello; a value
// this table does not know is shown as it is, so a new engine option appears without a page change.

const LABELS = {
  problem: { classification: "Classification", regression: "Regression", multiclass: "Multi-class" },
  activation: {
    relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear", leaky_relu: "Leaky ReLU",
    elu: "ELU", swish: "Swish", sin: "Sine",
  },
  regularization: { none: "None", L1: "L1", L2: "L2" },
  loss: { half_square: "½ squared error", cross_entropy: "Cross-entropy" },
  optimizer: { sgd: "SGD", momentum: "Momentum", adam: "Adam" },
  batching: { playground: "In order (original)", standard: "Shuffled" },
  init: { random: "Random (±0.5)", zeros: "All zero" },
  dataset: {
    circle: "Circle", xor: "Exclusive or", gauss: "Gaussian", spiral: "Spiral", logic: "Logic gate (0 and 1)",
    "reg-plane": "Plane", "reg-gauss": "Multi Gaussian",
    "multi-spiral": "Spiral arms", "multi-gauss": "Clusters", "multi-pie": "Pie slices", "multi-rings": "Rings",
  },
  // The logic dataset's gates, on the course's inputs x₁ and x₂ (the features X₁ and X₂).
  gate: {
    or: "OR", and: "AND", nand: "NAND", xor: "XOR",
    "x1-and-not-x2": "x₁ AND NOT x₂", "not-x1-and-x2": "NOT x₁ AND x₂", "not-x1": "NOT x₁",
  },
};

/**
 * The label of an option value.
 * @param {string} key    a config key
 * @param {*} value
 */
export function labelOf(key, value) {
  return LABELS[key]?.[value] ?? String(value);
}

/** A number as a menu shows it: 0.00001 rather than 1e-5. */
export function formatNumber(value) {
  if (Math.abs(value) >= 1e-6 && Math.abs(value) < 1e-4) return value.toFixed(-Math.floor(Math.log10(Math.abs(value))));
  return String(value);
}
