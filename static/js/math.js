// The course's notation on the page (issue 12, views/probe.js and views/stepThrough.js): numbers in
// a few significant digits, layers counted as the course counts them (layer 1 the inputs, so the
// page's hidden layer h is the course's layer h + 1 and weight matrix l of the protocol is W^(l+1)),
// the output head a config trains with, g and g′ of the hidden activations for the formulas, the
// targets y a label stands for, and small DOM pieces to write formulas with (sub- and superscripts).
// Every number shown comes from the server (its `probe` and `backprop` answers, the frame's
// weights); what is computed here only fills a formula's middle terms (g′(z), a head's output).

const MINUS = "\u2212";
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/**
 * A number in `digits` significant digits, trailing zeros dropped, a real minus sign; tiny and
 * huge ones as 1.23×10⁻⁵ ("–" for a value that is not finite, which the server never sends).
 */
export function fmt(value, digits = 3) {
  if (!Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  const size = Math.abs(value);
  if (size >= 1e-3 && size < 1e5) return String(Number(value.toPrecision(digits))).replace("-", MINUS);
  const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
  const power = String(Number(exponent)).split("").map((c) => SUPERSCRIPT[c]).join("");
  return `${String(Number(mantissa)).replace("-", MINUS)}×10${power}`;
}

/** As fmt, shorter, for the labels on the nodes: two digits, "1.2e−5" for the tiny ones. */
export function fmtShort(value) {
  if (!Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  const size = Math.abs(value);
  if (size >= 0.01 && size < 1000) return String(Number(value.toPrecision(size >= 10 ? 3 : 2))).replace("-", MINUS);
  const [mantissa, exponent] = value.toExponential(1).split("e");
  return `${Number(mantissa)}e${Number(exponent)}`.replaceAll("-", MINUS);
}

/** A factor in a product: negative numbers in parentheses, "2 × (−1.5)". */
export function factor(value, digits = 3) {
  return value < 0 ? `(${fmt(value, digits)})` : fmt(value, digits);
}

/**
 * A sum of products written out, "0.12 × 1 + 0.5 × 2.5 − 0.3 × (−1.2)": `terms` are [w, a]
 * pairs; a long one keeps its first `keep` terms and says how many more it has.
 */
export function sumOfProducts(terms, keep = 4) {
  const shown = terms.length > keep + 1 ? terms.slice(0, keep) : terms;
  const parts = shown.map(([w, a], i) => {
    const product = `${fmt(Math.abs(w))} × ${factor(a)}`;
    if (i === 0) return w < 0 ? `${MINUS}${product}` : product;
    return `${w < 0 ? MINUS : "+"} ${product}`;
  });
  if (shown.length < terms.length) parts.push(`+ … (${terms.length - shown.length} more terms)`);
  return parts.join(" ");
}

/** The output head the engine trains with for this config (engine/run.py HEADS): only for a
 * message that does not say it (`probe` and `backprop` carry `head`). */
export function headOf(config) {
  if (config.problem === "regression") return "linear";
  if (config.loss === "cross_entropy") return config.problem === "multiclass" ? "softmax" : "sigmoid";
  return "tanh";
}

/** The head's outputs for one point's output pre-activations z (a column). */
export function headOutputs(head, z) {
  if (head === "sigmoid") return z.map((v) => 1 / (1 + Math.exp(-v)));
  if (head === "tanh") return z.map(Math.tanh);
  if (head === "softmax") {
    const top = Math.max(...z);
    const e = z.map((v) => Math.exp(v - top));
    const sum = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / sum);
  }
  return [...z];
}

/**
 * The targets y the head is trained against for a data label (the data's: ±1 for a binary
 * problem, the class index for several, a number for regression), one per output node.
 */
export function targetsOf(config, label, head = headOf(config)) {
  if (config.problem === "multiclass") {
    return Array.from({ length: config.num_classes }, (_, k) => (k === label ? 1 : head === "softmax" ? 0 : -1));
  }
  if (head === "sigmoid") return [label > 0 ? 1 : 0];
  return [label];
}

/** g(inner) written out for an activation (or a head): "tanh(…)", "σ(…)", "max(0, …)". */
export function applied(name, inner) {
  switch (name) {
    case "relu": return `max(0, ${inner})`;
    case "linear": return inner;
    case "sigmoid": return `σ(${inner})`;
    case "tanh": return `tanh(${inner})`;
    case "leaky_relu": return `max(0.01·${inner}, ${inner})`;
    case "elu": return `ELU(${inner})`;
    case "swish": return `${inner}·σ(${inner})`;
    case "sin": return `sin(${inner})`;
    default: return `g(${inner})`;
  }
}

/** g's name as the equations say it: "g = tanh". */
export function gName(name) {
  return { relu: "ReLU", linear: "the identity", sigmoid: "σ, the sigmoid", tanh: "tanh", leaky_relu: "leaky ReLU",
           elu: "ELU", swish: "swish", sin: "sin" }[name] ?? name;
}

/** g′(z) of a hidden activation (engine/activations.py's derivatives), and how it is written. */
export function slopeOf(name, z) {
  const s = 1 / (1 + Math.exp(-z));
  switch (name) {
    case "tanh": return { value: 1 - Math.tanh(z) ** 2, text: "1 − tanh²(z)" };
    case "relu": return { value: z > 0 ? 1 : 0, text: "1 if z > 0, else 0" };
    case "sigmoid": return { value: s * (1 - s), text: "σ(z)(1 − σ(z))" };
    case "linear": return { value: 1, text: "1" };
    case "leaky_relu": return { value: z > 0 ? 1 : 0.01, text: "1 if z > 0, else 0.01" };
    case "elu": return { value: z > 0 ? 1 : Math.exp(z), text: "1 if z > 0, else eᶻ" };
    case "swish": return { value: s + z * s * (1 - s), text: "σ(z) + z σ(z)(1 − σ(z))" };
    case "sin": return { value: Math.cos(z), text: "cos(z)" };
    default: return { value: null, text: "g′(z)" };
  }
}

// -- formulas as DOM --------------------------------------------------------------------------

/**
 * A symbol of the course's notation: `base` in italics with a subscript and a superscript,
 * as `<span class="sym"><i>a</i><sub>1</sub><sup>(2)</sup></span>`.
 */
export function sym(base, sub = "", sup = "") {
  const span = document.createElement("span");
  span.className = "sym";
  const b = document.createElement("i");
  b.textContent = base;
  span.append(b);
  if (sub !== "") {
    const s = document.createElement("sub");
    s.textContent = String(sub);
    span.append(s);
  }
  if (sup !== "") {
    const s = document.createElement("sup");
    s.textContent = String(sup);
    span.append(s);
  }
  return span;
}

/** A layer's superscript, "(2)". */
export function layerMark(layer) {
  return `(${layer})`;
}

/** A number of the formula the tests and the curious can read whole: `data-term`, `data-value`. */
export function term(name, value, digits = 3) {
  const span = document.createElement("span");
  span.className = "num";
  span.dataset.term = name;
  span.dataset.value = String(value);
  span.textContent = fmt(value, digits);
  return span;
}

/** One line of a formula from strings and nodes. */
export function line(...parts) {
  const p = document.createElement("p");
  p.className = "eq";
  p.append(...parts.flat().filter((part) => part !== null && part !== undefined && part !== false));
  return p;
}

/**
 * Keep a box that the pointer fills (a hovered neuron's numbers) from shrinking: once grown, it
 * holds its height until `release`. Otherwise a box under the diagram that shrinks when the pointer
 * leaves a neuron and grows when it comes back moves the page under the pointer (scroll anchoring
 * keeps the panel below still), and the two chase each other.
 */
export function holdHeight(element) {
  const height = element.offsetHeight;
  if (height > (parseFloat(element.style.minHeight) || 0)) element.style.minHeight = `${height}px`;
}

/** Let a held box take its own height again (a new stage, a new point). */
export function releaseHeight(element) {
  element.style.minHeight = "";
}
