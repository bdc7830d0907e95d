// The step-through of one update (issue 12): "Step through one update" asks the server for one
// forward and one backward pass over the next mini-batch (`backprop`, Run.backprop; training is
// paused first, nothing changes on the server), then shows it one stage per click: forward
// propagation (each neuron's z and a on the diagram for a point of the batch the student picks,
// marked on the map), backpropagation (δ on the neurons, ∂J/∂W on the links as colour and width,
// scaled to the largest) and the update (each weight's change W_next − W; with another optimizer
// than plain gradient descent, which the course's formula is not, ∂J/∂W only). Each stage writes
// its equations in the course's notation and the numbers of the hovered, tapped or focused neuron
// or link, and the batch's loss J. Training (Play, Step) or any change to the network, its
// settings or the data ends it, and the diagram is as before.

import { linkWidth } from "../colors.js";
import { viewOf } from "../maps.js";
import {
  applied, factor, fmt, fmtShort, gName, headOf, headOutputs, holdHeight, layerMark, line, releaseHeight, slopeOf, sumOfProducts,
  sym, targetsOf, term,
} from "../math.js";

const STAGES = [
  { key: "forward", title: "Forward propagation", next: "Next: backpropagation" },
  { key: "backward", title: "Backpropagation", next: "Next: the update" },
  { key: "update", title: "The update", next: "Done" },
];

const OPTIMIZER_WORDS = {
  momentum: "Momentum steps along a running sum of the gradients",
  adam: "Adam scales each weight's step by running averages of its gradients and of their squares",
};

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function button(text, action, className = "button") {
  const b = el("button", className, { type: "button", "data-action": action });
  b.textContent = text;
  return b;
}

/** W_jk^(l) (with a comma between indices of two digits). */
function W(j, k, l) {
  return sym("W", j >= 10 || k >= 10 ? `${j},${k}` : `${j}${k}`, layerMark(l));
}

export function mountStepThrough(root, store, session, network) {
  const box = root.querySelector("[data-step-box]");
  const mapBox = root.querySelector("[data-map]");
  const marker = el("div", "step-marker", { "data-step-marker": "", "aria-hidden": "true" });
  marker.hidden = true;
  mapBox.append(marker);

  // The way in: a button and what it does.
  const opener = el("div", "step-open");
  const start = button("Step through one update", "step-through");
  const startHint = el("span", "hint", { "data-text": "" });
  startHint.textContent = "One mini-batch's gradient-descent step in the course's notation: forward, backward, the update, one stage at a time.";
  opener.append(start, startHint);

  // The step-through itself, built once (its buttons keep the focus from stage to stage).
  const panel = el("section", "step", { "data-step": "", "aria-labelledby": "step-title" });
  panel.hidden = true;
  const head = el("div", "step-head");
  const title = el("h3", "step-title", { id: "step-title" });
  const stages = el("ol", "stages");
  for (const [i, stage] of STAGES.entries()) {
    const li = el("li", "", { "data-stage": stage.key });
    li.textContent = `${i + 1} ${stage.key === "forward" ? "Forward" : stage.key === "backward" ? "Backward" : "Update"}`;
    stages.append(li);
  }
  const actions = el("div", "step-actions");
  const back = button("Back", "previous-stage");
  const next = button("Next", "next-stage", "button primary");
  const close = button("Close", "leave-step", "link-button");
  actions.append(back, next, close);
  head.append(title, stages, actions);
  const batch = el("p", "step-batch", { "data-step-batch": "" });
  const pick = el("label", "step-pick");
  const pickName = el("span", "", { id: "step-point-name" });
  pickName.textContent = "Numbers on the neurons for";
  const select = el("select", "", { "data-step-point": "", "aria-labelledby": "step-point-name" });
  pick.append(pickName, select);
  const equations = el("div", "step-equations", { "data-step-equations": "" });
  const detail = el("div", "step-detail", { "data-step-detail": "" });
  const scale = el("p", "hint step-scale", { "data-step-scale": "" });
  panel.append(head, batch, pick, equations, detail, scale);
  box.append(opener, panel);

  let run = null;      // {message, config, stage, point, sizes}: the step-through shown, or null
  let waiting = false; // a `backprop` asked for and not yet answered
  let item = null;     // the diagram item under the pointer, finger or focus

  // -- opening and closing ----------------------------------------------------------------------

  function open() {
    if (waiting) return;
    leave(false);
    if (store.state.playing) session.pause(); // the batch is the next one of the weights as they stay
    if (session.backprop()) {
      waiting = true;
      start.disabled = true;
      start.textContent = "Asking the server…";
    }
  }

  function fits(message, frame) {
    if (!frame || message.layers.length !== frame.sizes.length - 1) return false;
    return message.layers.every((layer, l) => layer.W.length === frame.sizes[l + 1]
      && layer.W.every((row) => row.length === frame.sizes[l] + 1));
  }

  /** Whether the frame carries the weights the step-through is about (float32, as frames carry them). */
  function sameWeights(frame) {
    const { message } = run;
    if (!fits(message, frame)) return false;
    return message.layers.every((layer, l) => layer.W.every((row, j) => row.every((w, c) =>
      frame.params[frame.offsets[l] + j * (frame.sizes[l] + 1) + c] === Math.fround(w))));
  }

  /** Close it: the diagram shows the weights again. `focus`: give the focus to the opener. */
  function leave(focus = true) {
    const had = run || waiting;
    const inside = panel.contains(document.activeElement);
    run = null;
    waiting = false;
    start.disabled = false;
    start.textContent = "Step through one update";
    panel.hidden = true;
    opener.hidden = false;
    marker.hidden = true;
    delete box.dataset.stage;
    if (!had) return;
    network.paintWith(null);
    network.showValues(null);
    root.querySelector("[data-network]").dataset.links = "weights";
    if (focus && inside) start.focus({ preventScroll: true });
    store.update({ stepThrough: null });
  }

  function goTo(stage) {
    if (!run) return;
    run.stage = stage;
    show();
    store.update({ stepThrough: { stage: STAGES[stage].key } });
  }

  // -- the numbers of the batch ------------------------------------------------------------------

  function head_() {
    return run.message.head ?? headOf(run.config);  // the server says which head trains
  }

  /** Frame layer fl's a for point p (the inputs', a hidden layer's, the head's outputs). */
  function activations(fl, p) {
    const { layers } = run.message;
    if (fl < layers.length) return layers[fl].a.slice(1).map((row) => row[p]);
    if (run.message.output) return run.message.output.map((row) => row[p]);  // ŷ, as the server computed it
    return headOutputs(head_(), layers[fl - 1].z.map((row) => row[p]));
  }

  function zOf(fl, p) {
    return run.message.layers[fl - 1].z.map((row) => row[p]);
  }

  function label(p) {
    const index = run.message.indices[p];
    return store.state.data?.train?.[index]?.[2];
  }

  function pointWords(p) {
    const index = run.message.indices[p];
    const point = store.state.data?.train?.[index];
    if (!point) return `point ${p + 1}`;
    const [x, y, value] = point;
    const { problem } = run.config;
    const kind = problem === "multiclass" ? `class ${value + 1}` : problem === "classification" ? (value > 0 ? "blue" : "orange") : `y = ${fmt(value)}`;
    return `point ${p + 1}: (${fmt(x)}, ${fmt(y)}), ${kind}`;
  }

  function nodeValues() {
    const stage = STAGES[run.stage].key;
    const { sizes } = run;
    const p = run.point;
    if (stage === "update") return null;
    const layers = sizes.map((n, fl) => {
      if (stage === "backward") {
        if (fl === 0) return [];
        const delta = run.message.layers[fl - 1].delta;
        return delta.map((row) => ({ lines: [`δ ${fmtShort(row[p])}`], data: { delta: row[p] } }));
      }
      const a = activations(fl, p);
      if (fl === 0) return a.map((v) => ({ lines: [fmtShort(v)], data: { a: v } }));
      const z = zOf(fl, p);
      return a.map((v, j) => ({ lines: [`z ${fmtShort(z[j])}`, `a ${fmtShort(v)}`], short: [`a ${fmtShort(v)}`], data: { z: z[j], a: v } }));
    });
    return { sizes, layers };
  }

  /** The matrices the links show at this stage: ∂J/∂W, or the change W_next − W. */
  function shown() {
    const stage = STAGES[run.stage].key;
    const { layers } = run.message;
    if (stage === "forward") return null;
    const change = stage === "update" && layers.every((layer) => layer.W_next);
    const values = layers.map((layer) => (change
      ? layer.W_next.map((row, j) => row.map((w, c) => w - layer.W[j][c]))
      : layer.dW));
    const largest = Math.max(0, ...values.flat(2).map(Math.abs));
    return { change, values, largest };
  }

  function painter(links) {
    if (!links) return null;
    const { values, largest, change } = links;
    const scaled = (l, j, c) => (largest > 0 ? values[l][j][c] / largest : 0);
    const names = network.names() ?? [];
    return {
      weight: (link) => scaled(link.layer, link.to, link.from + 1),
      bias: (b) => scaled(b.layer, b.node, 0),
      width: (v) => linkWidth(5 * v), // 1 px at 0, 10 px for the largest
      readOut: (target) => {
        const l = target.layer;
        const j = target.kind === "link" ? target.to : target.node;
        const c = target.kind === "link" ? target.from + 1 : 0;
        const what = target.kind === "link" ? `the weight from ${names[l]?.[target.from]} to ${names[l + 1]?.[j]}` : `the bias of ${names[l + 1]?.[j]}`;
        const value = values[l][j][c];
        return change ? `Change of ${what}: ${fmt(value)}` : `∂J/∂W of ${what}: ${fmt(value)}`;
      },
    };
  }

  // -- the equations of each stage ---------------------------------------------------------------

  function outputDeltaText() {
    return { sigmoid: "(a − y) / m", softmax: "(a − y) / m", linear: "(z − y) / m", tanh: "(a − y)(1 − a²) / m" }[head_()];
  }

  function stageEquations() {
    const stage = STAGES[run.stage].key;
    const { sizes, message, config } = run;
    const L = sizes.length;
    const hidden = L > 2;
    const m = message.indices.length;
    const lines = [];
    const headWords = { sigmoid: "σ, the sigmoid: the probability of blue", softmax: "softmax: each class's probability", linear: "the identity", tanh: "tanh" };
    if (stage === "forward") {
      lines.push(line(sym("a", "", layerMark(1)), " = x, the input features, with ", sym("a", 0, layerMark(1)), " = 1 (the bias unit)"));
      lines.push(line(sym("z", "", "(l+1)"), " = ", sym("W", "", "(l)"), " ", sym("a", "", "(l)"), " ; ", sym("W", "", "(l)"), " has ",
        sym("s", "l+1"), " rows and ", sym("s", "l"), " + 1 columns, column 0 the biases"));
      if (hidden) {
        lines.push(line(sym("a", "", "(l+1)"), " = g(", sym("z", "", "(l+1)"), `), g = ${gName(config.activation)}, and `, sym("a", 0, "(l+1)"),
          ` = 1, for the hidden layers 2 … ${L - 1}`));
      }
      lines.push(line("ŷ = ", sym("a", "", layerMark(L)), " = h(", sym("z", "", layerMark(L)), `), h = ${headWords[head_()]}; L = ${L}`));
      lines.push(line("J = (1/m) Σ", sym("", "i"), ` loss(ŷ⁽ⁱ⁾, y⁽ⁱ⁾) = `, term("loss", message.loss, 4),
        ` over m = ${m} points (${config.loss === "cross_entropy" ? "cross-entropy" : "½ squared error"}, without the regularization term)`));
    } else if (stage === "backward") {
      lines.push(line(sym("δ", "", layerMark(L)), " = ∂J/∂", sym("z", "", layerMark(L)), ` = ${outputDeltaText()}`,
        head_() === "linear" ? "" : `, a = ŷ`, ", y the targets"));
      if (hidden) {
        lines.push(line(sym("δ", "", "(l)"), " = g′(", sym("z", "", "(l)"), ") ⊙ (", sym("W", "", "(l)"), "ᵀ ", sym("δ", "", "(l+1)"),
          `), W without its bias column, ${L - 1 === 2 ? "for the hidden layer l = 2" : `for l = ${L - 1} … 2`}`));
      } else {
        lines.push(line("No hidden layers: ", sym("δ", "", layerMark(L)), " is the only δ."));
      }
      lines.push(line("∂J/∂", sym("W", "", "(l)"), " = ", sym("δ", "", "(l+1)"), " ", sym("a", "", "(l)"), "ᵀ, summed over the m points (one column each)"));
    } else {
      const sgd = message.optimizer === "sgd";
      lines.push(line(sym("W", "", "(l)"), " ← ", sym("W", "", "(l)"), " − α ∂J/∂", sym("W", "", "(l)"), ", α = ", term("alpha", message.learning_rate, 4)));
      if (message.regularization === "L2") {
        lines.push(line("L2: the weights (not column 0, the biases) also shrink: − α (λ/m) W, λ/m = ", term("rate", message.regularization_rate, 4)));
      } else if (message.regularization === "L1") {
        lines.push(line("L1: the weights (not the biases) also move towards 0: − α (λ/m) sign(W), λ/m = ", term("rate", message.regularization_rate, 4),
          "; one this pushes across 0 stops at 0"));
      }
      if (!sgd) {
        lines.push(line(`${OPTIMIZER_WORDS[message.optimizer] ?? `${message.optimizer} takes a step of its own`}: its step is not this one. `
          + "The lines show ∂J/∂W, the gradient it starts from."));
      }
    }
    return lines;
  }

  // -- the numbers of the item under the pointer or focus -----------------------------------------

  function nodeName(fl, j) {
    const text = network.names()?.[fl]?.[j] ?? "";
    return text.replace(/^./, (c) => c.toUpperCase());
  }

  function itemDetail(target) {
    const stage = STAGES[run.stage].key;
    const { sizes, message, config } = run;
    const L = sizes.length;
    const p = run.point;
    const at = `point ${p + 1}`;
    if (target.kind === "node") {
      const fl = target.layer;
      const j = target.index;
      const c = fl + 1; // the course's layer
      if (fl === 0) {
        if (stage !== "forward") return [line(`${nodeName(0, j)}, an input: no weights lead into it, so it has no δ; its a is in ∂J/∂W of the lines out of it.`)];
        const feature = config.features[j];
        return [line(sym("a", j + 1, layerMark(1)), ` = ${store.state.hello.options.feature_labels[feature] ?? feature} at ${at} = `, term("a", activations(0, p)[j]))];
      }
      const layer = message.layers[fl - 1];
      const output = fl === L - 1;
      const where = output ? `${nodeName(fl, j)} (layer L = ${L})` : `${nodeName(fl, j)} (layer ${c})`;
      if (stage === "forward") {
        const into = message.layers[fl - 1].a.map((row) => row[p]);
        const z = layer.z[j][p];
        const a = activations(fl, p)[j];
        const g = output ? head_() : config.activation;
        const lines = [
          line(`${where}, ${at}:`),
          line(sym("z", j + 1, layerMark(c)), " = Σ", sym("", "k"), " ", W(j + 1, "k", c - 1), " ", sym("a", "k", layerMark(c - 1)),
            ` = ${sumOfProducts(layer.W[j].map((w, k) => [w, into[k]]))} = `, term("z", z)),
        ];
        if (g === "softmax") {
          lines.push(line(sym("a", j + 1, layerMark(c)), ` = e^z / Σ e^z over the classes = `, term("a", a)));
        } else {
          lines.push(line(sym("a", j + 1, layerMark(c)), ` = ${applied(g, "z")} = ${applied(g, fmt(z))} = `, term("a", a)));
        }
        return lines;
      }
      if (stage === "backward") {
        const delta = layer.delta[j][p];
        if (output) {
          const y = targetsOf(config, run.message.labels?.[p] ?? label(p), head_())[j];  // y unrounded, from the server
          const a = activations(fl, p)[j];
          const z = layer.z[j][p];
          const m = message.indices.length;
          const numbers = { sigmoid: `(${fmt(a)} − ${fmt(y)}) / ${m}`, softmax: `(${fmt(a)} − ${fmt(y)}) / ${m}`,
                            linear: `(${fmt(z)} − ${fmt(y)}) / ${m}`, tanh: `(${fmt(a)} − ${factor(y)})(1 − ${fmt(a)}²) / ${m}` }[head_()];
          return [line(`${where}, ${at}:`),
            line(sym("δ", j + 1, layerMark(L)), ` = ${outputDeltaText()} = ${Number.isFinite(y) ? numbers : "…"} = `, term("delta", delta))];
        }
        const z = layer.z[j][p];
        const slope = slopeOf(config.activation, z);
        if (layer.slope) slope.value = layer.slope[j][p];  // g′(z) as the engine computed it
        const above = message.layers[fl];
        const terms = above.W.map((row, i) => [row[j + 1], above.delta[i][p]]);
        return [line(`${where}, ${at}:`),
          line(sym("δ", j + 1, layerMark(c)), " = g′(", sym("z", j + 1, layerMark(c)), ") · Σ", sym("", "i"), " ", W("i", j + 1, c), " ",
            sym("δ", "i", layerMark(c + 1)), ` = ${slope.value === null ? "g′(z)" : fmt(slope.value)} × (${sumOfProducts(terms)}) = `, term("delta", delta)),
          line(`g′(z) = ${slope.text}`, slope.value === null ? "" : [` at z = ${fmt(z)}: `, term("slope", slope.value)])];
      }
      // The update: the neuron's bias and incoming weights, each with its change.
      const rows = layer.W[j].map((w, k) => ({ k, w, next: layer.W_next?.[j][k], dW: layer.dW[j][k] }));
      const shownRows = rows.length > 5 ? rows.slice(0, 4) : rows;
      const lines = [line(`${where}: its bias and the weights into it`)];
      for (const row of shownRows) {
        const from = row.k === 0 ? "bias" : `from ${network.names()?.[fl - 1]?.[row.k - 1]}`;
        lines.push(row.next === undefined
          ? line(W(j + 1, row.k, c - 1), ` (${from}): ∂J/∂W = `, term("dW", row.dW))
          : line(W(j + 1, row.k, c - 1), ` (${from}): ${fmt(row.w, 5)} → ${fmt(row.next, 5)}, change `, term("change", row.next - row.w)));
      }
      if (shownRows.length < rows.length) lines.push(line(`… and ${rows.length - shownRows.length} more`));
      return lines;
    }
    // A link or a bias: weight matrix l (the course's W^(l+1)), row j, column k (0 the bias).
    const l = target.layer;
    const j = target.kind === "link" ? target.to : target.node;
    const k = target.kind === "link" ? target.from + 1 : 0;
    const layer = message.layers[l];
    const names = network.names() ?? [];
    const what = k === 0 ? `The bias of ${names[l + 1]?.[j]}` : `The weight from ${names[l]?.[k - 1]} to ${names[l + 1]?.[j]}`;
    const w = layer.W[j][k];
    const aSym = () => sym("a", k, layerMark(l + 1));
    if (stage === "forward") {
      const a = layer.a[k][p];
      return [line(`${what}: `, W(j + 1, k, l + 1), " = ", term("W", w, 4)),
        line(`Its part of `, sym("z", j + 1, layerMark(l + 2)), ` at ${at}: `, W(j + 1, k, l + 1), " ", aSym(), ` = ${fmt(w)} × ${factor(a)} = `, term("product", w * a))];
    }
    const dW = layer.dW[j][k];
    const terms = layer.delta[j].map((d, i) => [d, layer.a[k][i]]);
    if (stage === "backward") {
      const d = layer.delta[j][p];
      const a = layer.a[k][p];
      return [line(`${what}:`),
        line("∂J/∂", W(j + 1, k, l + 1), " = Σ", sym("", "i"), " ", sym("δ", j + 1, layerMark(l + 2)), " ", aSym(), ` over the ${terms.length} points = ${sumOfProducts(terms, 3)} = `, term("dW", dW)),
        line(`${at[0].toUpperCase()}${at.slice(1)}'s share: δ × a = ${fmt(d)} × ${factor(a)} = `, term("share", d * a))];
    }
    const next = layer.W_next?.[j][k];
    if (next === undefined || next === null) {
      return [line(`${what}: ∂J/∂`, W(j + 1, k, l + 1), " = ", term("dW", dW), `; ${message.optimizer}'s own step moves it (not shown here).`)];
    }
    const alpha = message.learning_rate;
    const rate = message.regularization_rate;
    const regularized = k > 0 && message.regularization !== "none";
    const inner = !regularized ? factor(dW)
      : message.regularization === "L2" ? `(${fmt(dW)} + ${fmt(rate)} × ${factor(w)})`
        : `(${fmt(dW)} + ${fmt(rate)} × ${w > 0 ? 1 : w < 0 ? "(−1)" : 0})`;
    return [line(`${what}:`),
      line(W(j + 1, k, l + 1), " ← ", W(j + 1, k, l + 1), " − α ", regularized ? "(∂J/∂W + " : "∂J/∂W",
        regularized ? (message.regularization === "L2" ? "(λ/m) W)" : "(λ/m) sign(W))") : "",
        ` = ${fmt(w, 5)} − ${fmt(alpha)} × ${inner} = `, term("W_next", next, 5)),
      line("Change: ", sym("W", "next"), " − W = ", term("change", next - w), ` (∂J/∂W = ${fmt(dW)})`)];
  }

  // -- drawing ------------------------------------------------------------------------------------

  function placeMarker() {
    const index = run.message.indices[run.point];
    const point = store.state.data?.train?.[index];
    const { hello } = store.state;
    if (!point || !hello) {
      marker.hidden = true;
      return;
    }
    const [low, high] = viewOf(hello, run.config.dataset);
    marker.style.left = `${((point[0] - low) / (high - low)) * 100}%`;
    marker.style.top = `${((high - point[1]) / (high - low)) * 100}%`;
    marker.hidden = !(point[0] >= low && point[0] <= high && point[1] >= low && point[1] <= high);
  }

  function show() {
    const stage = STAGES[run.stage];
    const { message } = run;
    const m = message.indices.length;
    opener.hidden = true;
    panel.hidden = false;
    box.dataset.stage = stage.key;
    panel.dataset.stage = stage.key;
    title.textContent = `One update, stage ${run.stage + 1} of 3: ${stage.title}`;
    for (const li of stages.children) {
      if (li.dataset.stage === stage.key) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    }
    back.disabled = run.stage === 0;
    next.textContent = stage.next;
    const of = message.batch > m ? `the first ${m} of the next mini-batch's ${message.batch} points` : `the next mini-batch, ${m} training point${m === 1 ? "" : "s"}`;
    batch.replaceChildren(`The batch: ${of}. Its loss J = `, term("loss", message.loss, 4), ".");
    pick.hidden = stage.key === "update";
    if (select.options.length !== m) {
      select.replaceChildren(...message.indices.map((_, p) => {
        const option = el("option", "", { value: String(p) });
        option.textContent = pointWords(p);
        return option;
      }));
    }
    select.value = String(run.point);
    equations.replaceChildren(...stageEquations());
    releaseHeight(detail); // each stage's numbers take their own room
    const links = shown();
    const netBox = root.querySelector("[data-network]");
    netBox.dataset.links = !links ? "weights" : links.change ? "change" : "gradient";
    network.paintWith(painter(links));
    network.showValues(nodeValues());
    scale.hidden = !links;
    if (links) {
      scale.replaceChildren(...(links.change ? ["Lines: each weight's change ", sym("W", "next"), " − W"] : ["Lines: ∂J/∂W of each weight"]),
        `, orange below 0 and blue above, the width its size as a share of the largest, ${fmt(links.largest)}. The bias squares likewise.`);
    }
    renderDetail();
    placeMarker();
  }

  function renderDetail() {
    if (!run) return;
    const stage = STAGES[run.stage].key;
    const lines = item ? itemDetail(item) : null;
    detail.dataset.item = item ? `${item.kind}:${item.layer}:${item.kind === "node" ? item.index : item.kind === "bias" ? item.node : `${item.from}-${item.to}`}` : "";
    if (lines) {
      detail.replaceChildren(...lines);
      holdHeight(detail);
      return;
    }
    const hint = el("p", "hint");
    const what = { forward: "its z and a", backward: "its δ, or a line for its ∂J/∂W", update: "the change of a weight" }[stage];
    const mouse = el("span", "for-pointer");
    mouse.textContent = "Hover";
    const finger = el("span", "for-touch");
    finger.textContent = "Tap";
    hint.append(mouse, finger, ` a neuron or a line (or focus a neuron) for ${what}, with the numbers.`);
    detail.replaceChildren(hint);
    holdHeight(detail);
  }

  // -- events -------------------------------------------------------------------------------------

  start.addEventListener("click", open);
  back.addEventListener("click", () => goTo(Math.max(0, run.stage - 1)));
  next.addEventListener("click", () => {
    if (run.stage === STAGES.length - 1) leave();
    else goTo(run.stage + 1);
  });
  close.addEventListener("click", () => leave());
  select.addEventListener("change", () => {
    if (!run) return;
    run.point = Number(select.value);
    show();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") leave();
  });
  // Training ends it; so does anything that changes the weights, the settings or the data.
  root.addEventListener("click", (event) => {
    if (event.target.closest?.("[data-action=play],[data-action=step]")) leave(false);
  }, true);
  network.onTarget((target) => {
    item = target;
    renderDetail();
  });

  store.on("backprop", (message) => {
    if (!waiting) return;
    waiting = false;
    start.disabled = false;
    start.textContent = "Step through one update";
    const { frame, config } = store.state;
    if (!fits(message, frame)) return;
    run = { message, config, stage: 0, point: 0, sizes: [...frame.sizes] };
    select.replaceChildren();
    show();
    store.update({ stepThrough: { stage: "forward" } });
    next.focus({ preventScroll: true });
  });
  store.on("frame", (frame) => { if (run && !sameWeights(frame)) leave(); });
  store.on("config", (config) => { if (run && JSON.stringify(config) !== JSON.stringify(run.config)) leave(); });
  store.on("data", () => { if (run) leave(); });
  store.on("playing", (playing) => { if (playing && run) leave(); });
  store.on("connection", (status) => { if (status !== "open") leave(false); });
}
