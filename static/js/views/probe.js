// The probe (issue 12): click or tap a point of the big map, or focus the map and use the keyboard
// (arrow keys move the point, Shift for small steps, Enter probes it, Escape clears it), and the
// server's `probe` answer (the course's forward pass for that one input, Run.probe) puts every
// neuron's z and a on the diagram, and the output in the math panel under it; hovering, tapping or
// focusing a neuron writes its formula there, a = g(W a) with the numbers. The point is marked on
// the map. It is asked again when the weights change (at most a few times a second while
// training) and cleared by Escape, the Clear button or a network of another shape. While the
// step-through of an update is open (views/stepThrough.js), its numbers are on the nodes instead.
// While the drawing tools draw or erase (store `drawing`, views/drawing.js), the map's clicks and
// keys are theirs: the probe steps aside.

import { biasOf, weightOf } from "../frame.js";
import { round2, viewOf } from "../maps.js";
import { CLASS_COLORS } from "../colors.js";
import { applied, fmt, fmtShort, headOf, holdHeight, layerMark, line, sumOfProducts, sym, term } from "../math.js";

const INTERVAL_MS = 250;   // at most four probes a second while the weights change
const PATIENCE_MS = 1000;  // an answer that has not come by then does not hold the next one back

/** Where the point is in the view, as fractions of the map's side from its top-left corner. */
function fractions(x, y, [low, high]) {
  return [(x - low) / (high - low), (high - y) / (high - low)];
}

export function mountProbe(root, store, session, network) {
  const mapBox = root.querySelector("[data-map]");
  const box = root.querySelector("[data-probe-box]");
  const marker = document.createElement("div");
  marker.className = "probe-marker";
  marker.dataset.probeMarker = "";
  marker.hidden = true;
  marker.setAttribute("aria-hidden", "true");
  mapBox.append(marker);
  // The map takes the keyboard too: focus it, move the point with the arrow keys.
  mapBox.tabIndex = 0;
  const keys = document.createElement("p");
  keys.id = "probe-keys";
  keys.className = "visually-hidden";
  keys.textContent = "Enter follows the point at the centre through the network; the arrow keys move the point (Shift for small steps); Escape clears it.";
  const news = document.createElement("p");
  news.className = "visually-hidden";
  news.dataset.probeNews = "";
  news.setAttribute("role", "status");
  mapBox.after(keys);
  root.querySelector("[data-math]").append(news);
  mapBox.setAttribute("aria-describedby", "probe-keys");

  let point = null;     // {x, y}: the point of the plane being followed, or null
  let shape = null;     // the network it was probed on (features, shape, outputs): another clears it
  let answer = null;    // the server's probe of it that fits the diagram, or null
  let askedWith = null; // the frame's parameters when it was last asked for
  let lastAsked = 0;
  let answered = true;  // the last question has had its answer
  let timer = null;
  let announce = false; // say the next answer (a student's own click or key, not a re-ask)
  let item = null;      // the diagram item under the pointer or focus (network.onTarget)
  let formulaHeight = 0; // the formula box's height so far for this point (it never shrinks: see holdHeight)

  function structure(config) {
    return JSON.stringify([config.features, config.network_shape, config.problem, config.num_classes]);
  }

  /** Follow the point (x, y) (a click, a tap, a key). */
  function follow(x, y) {
    const { config, hello } = store.state;
    if (!config || !hello) return;
    const [low, high] = viewOf(hello, config.dataset);
    point = { x: round2(Math.max(low, Math.min(high, x))), y: round2(Math.max(low, Math.min(high, y))) };
    formulaHeight = 0;
    shape = structure(config);
    announce = true;
    placeMarker();
    ask(true);
  }

  function clear() {
    if (!point) return;
    point = answer = askedWith = shape = null;
    clearTimeout(timer);
    timer = null;
    placeMarker();
    render();
  }

  /** Ask the server (now, or as soon as the pace allows). */
  function ask(now = false) {
    if (!point || timer) return;
    const wait = Math.max(0, lastAsked + INTERVAL_MS - performance.now());
    const held = !answered && performance.now() - lastAsked < PATIENCE_MS;
    if ((now || wait === 0) && !held) {
      send();
      return;
    }
    timer = setTimeout(() => { timer = null; ask(); }, held ? PATIENCE_MS - (performance.now() - lastAsked) : wait);
  }

  function send() {
    const frame = store.state.frame;
    if (!point || store.state.connection !== "open") return;
    if (session.probe(point.x, point.y)) {
      askedWith = frame ? Float32Array.from(frame.params) : null;
      lastAsked = performance.now();
      answered = false;
    }
  }

  function fits(message, frame) {
    if (!frame || message.inputs.length !== frame.sizes[0] || message.layers.length !== frame.sizes.length - 1) return false;
    return message.layers.every((layer, l) => layer.z.length === frame.sizes[l + 1] && layer.a.length === frame.sizes[l + 1]);
  }

  function placeMarker() {
    const { config, hello } = store.state;
    if (!point || !config || !hello) {
      marker.hidden = true;
      delete mapBox.dataset.probe;
      return;
    }
    const [fx, fy] = fractions(point.x, point.y, viewOf(hello, config.dataset));
    marker.style.left = `${fx * 100}%`;
    marker.style.top = `${fy * 100}%`;
    marker.hidden = false;
    mapBox.dataset.probe = `${point.x},${point.y}`;
  }

  // -- the numbers ----------------------------------------------------------------------------

  /** The nodes' labels: each input's value, each neuron's z and a. */
  function nodeValues() {
    const sizes = [answer.inputs.length, ...answer.layers.map((layer) => layer.z.length)];
    const layers = [answer.inputs.map((a) => ({ lines: [fmtShort(a)], data: { a } }))];
    for (const layer of answer.layers) {
      layers.push(layer.z.map((z, j) => ({ lines: [`z ${fmtShort(z)}`, `a ${fmtShort(layer.a[j])}`], short: [`a ${fmtShort(layer.a[j])}`],
                                           data: { z, a: layer.a[j] } })));
    }
    return { sizes, layers };
  }

  /** The output, in words: a probability, each class's, or the value. */
  function outputWords() {
    const { config } = store.state;
    const out = answer.layers.at(-1).a;
    const head = answer.head ?? headOf(config);
    const parts = [];
    if (out.length > 1) {
      const best = out.indexOf(Math.max(...out));
      parts.push(head === "softmax" ? "the probability of each class: " : "each class's score: ");
      out.forEach((v, k) => {
        const item = document.createElement("span");
        item.className = `class-value${k === best ? " best" : ""}`;
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = CLASS_COLORS[k] ?? "#888888";
        item.append(swatch, `${k + 1}: `, term(`output-${k}`, v));
        parts.push(item, k < out.length - 1 ? " " : "");
      });
      return parts;
    }
    const words = head === "sigmoid" ? " (the probability of blue)" : head === "tanh" ? " (−1 orange … 1 blue)" : "";
    return ["ŷ = ", term("output-0", out[0]), words];
  }

  function names() {
    return network.names() ?? [];
  }

  /** The formula of the item under the pointer or focus, filled in with this point's numbers. */
  function formula(target) {
    const { frame, config, hello } = store.state;
    if (!target || !answer || !fits(answer, frame)) return null;
    const L = frame.sizes.length; // the course's L: the output is layer L
    const valuesOf = (layer) => (layer === 0 ? answer.inputs : answer.layers[layer - 1].a);
    if (target.kind === "node" && target.layer === 0) {
      const feature = config.features[target.index];
      return [line(sym("a", target.index + 1, layerMark(1)), ` = ${hello.options.feature_labels[feature] ?? feature} at this point = `,
        term("a", answer.inputs[target.index]))];
    }
    if (target.kind === "node") {
      const l = target.layer; // frame layer; the course's layer l + 1
      const j = target.index;
      const into = valuesOf(l - 1);
      const terms = [[biasOf(frame, l - 1, j), 1], ...into.map((a, k) => [weightOf(frame, l - 1, k, j), a])];
      const { z, a } = { z: answer.layers[l - 1].z[j], a: answer.layers[l - 1].a[j] };
      const output = l === L - 1;
      const g = output ? (answer.head ?? headOf(config)) : config.activation;
      const zSym = () => sym("z", j + 1, layerMark(l + 1));
      const lines = [
        line(`${names()[l]?.[j] ?? ""}`.replace(/^./, (c) => c.toUpperCase()), output ? ` (layer L = ${L}):` : ` (layer ${l + 1} in the course's count):`),
        line(zSym(), " = ", sym("W", `${j + 1}0`, layerMark(l)), " · 1 + Σ", sym("", "k"), " ", sym("W", `${j + 1}k`, layerMark(l)), " ",
          sym("a", "k", layerMark(l)), ` = ${sumOfProducts(terms)} = `, term("z", z)),
      ];
      if (g === "softmax") {
        const zs = answer.layers[l - 1].z;
        lines.push(line(sym("a", j + 1, layerMark(l + 1)), " = e", supOf("z"), " / Σ e", supOf("z"), ` = e`, supOf(fmt(z)), " / (",
          ...zs.slice(0, 6).flatMap((v, k) => [k ? " + e" : "e", supOf(fmt(v))]), zs.length > 6 ? " + …" : "", ") = ", term("a", a)));
      } else {
        lines.push(line(sym("a", j + 1, layerMark(l + 1)), " = ", applied(g, "z"), ` = ${applied(g, fmt(z))} = `, term("a", a),
          output ? ` = ŷ${answer.layers[l - 1].a.length > 1 ? `, class ${j + 1}` : ""}` : ""));
      }
      return lines;
    }
    const l = target.layer;
    const to = target.kind === "link" ? target.to : target.node;
    const from = target.kind === "link" ? target.from : -1;
    const w = target.kind === "link" ? weightOf(frame, l, from, to) : biasOf(frame, l, to);
    const a = from < 0 ? 1 : valuesOf(l)[from];
    const source = from < 0 ? "the bias unit 1" : names()[l]?.[from];
    return [
      line(sym("W", `${to + 1}${from + 1}`, layerMark(l + 1)), ` from ${source} into ${names()[l + 1]?.[to]} = `, term("w", w, 4)),
      line("Its part of ", sym("z", to + 1, layerMark(l + 2)), " here: ", sym("W", `${to + 1}${from + 1}`, layerMark(l + 1)), " ",
        sym("a", from + 1, layerMark(l + 1)), ` = ${fmt(w)} × ${fmt(a)} = `, term("product", w * a)),
    ];
  }

  function supOf(text) {
    const s = document.createElement("sup");
    s.textContent = text;
    return s;
  }

  // The panel's parts, made once: an answer every quarter second while training must not take the
  // focus from the Clear button (nor the pointer's place in the formula).
  const head = document.createElement("p");
  head.className = "probe-head";
  const where = document.createElement("span");
  where.className = "probe-point";
  const output = document.createElement("span");
  output.className = "probe-output";
  output.dataset.probeOutput = "";
  const clearButton = document.createElement("button");
  clearButton.type = "button";
  clearButton.className = "link-button";
  clearButton.dataset.action = "clear-probe";
  clearButton.textContent = "Clear the point";
  clearButton.addEventListener("click", () => {
    clear();
    mapBox.focus({ preventScroll: true });
  });
  head.append(where, output, " ", clearButton);
  const area = document.createElement("div");
  area.className = "formula";
  area.dataset.formula = "";

  function render() {
    const stepping = Boolean(store.state.stepThrough);
    if (!point) {
      const inside = box.contains(document.activeElement);
      box.replaceChildren(hint());
      if (inside) mapBox.focus({ preventScroll: true });
      delete box.dataset.point;
      if (!stepping) network.showValues(null);
      return;
    }
    where.dataset.probePoint = `${point.x},${point.y}`;
    where.replaceChildren("Point ", sym("x", 1), ` = ${fmt(point.x)}, `, sym("x", 2), ` = ${fmt(point.y)}:`);
    output.replaceChildren(...(answer ? outputWords() : ["…"]));
    if (head.parentNode !== box) box.replaceChildren(head);
    if (answer && !stepping) {
      const lines = formula(item);
      area.dataset.formula = item ? `${item.kind}:${item.layer}:${item.index ?? item.node ?? `${item.from}-${item.to}`}` : "";
      if (lines) area.replaceChildren(...lines);
      else {
        const p = document.createElement("p");
        p.className = "hint";
        p.dataset.text = "";
        p.hidden = store.state.hideText; // (controls.js hides the explanatory text there at the time)
        p.append(pointerWords("Hover", "Tap"), " a neuron (or focus it) for its formula, a = g(W a), filled in with this point's numbers; each neuron shows its z and a.");
        area.replaceChildren(p);
      }
      if (area.parentNode !== box) box.append(area);
      if (!formulaHeight) area.style.minHeight = "";
      holdHeight(area);
      formulaHeight = area.offsetHeight;
    } else {
      area.remove();
    }
    box.dataset.point = answer ? `${point.x},${point.y}` : "";
    if (!stepping) network.showValues(answer ? nodeValues() : null);
  }

  function pointerWords(mouse, finger) {
    const span = document.createElement("span");
    const a = document.createElement("span");
    a.className = "for-pointer";
    a.textContent = mouse;
    const b = document.createElement("span");
    b.className = "for-touch";
    b.textContent = finger;
    span.append(a, b);
    return span;
  }

  function hint() {
    const p = document.createElement("p");
    p.className = "hint";
    p.dataset.text = "";
    p.hidden = store.state.hideText;
    p.append(pointerWords("Click", "Tap"), " a point of the big map to follow it through the network: each neuron's z and a for that input.");
    return p;
  }

  // -- events ---------------------------------------------------------------------------------

  mapBox.addEventListener("click", (event) => {
    if (store.state.drawing || event.target.closest("button, a, .diverged, .stalled")) return;
    const { config, hello } = store.state;
    if (!config || !hello) return;
    const [low, high] = viewOf(hello, config.dataset);
    const rect = mapBox.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return;
    follow(low + fx * (high - low), high - fy * (high - low));
  });
  mapBox.addEventListener("keydown", (event) => {
    if (event.target !== mapBox || store.state.drawing) return;
    const { config, hello } = store.state;
    if (!config || !hello) return;
    const [low, high] = viewOf(hello, config.dataset);
    const step = (high - low) / (event.shiftKey ? 100 : 20);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const from = point ?? { x: (low + high) / 2, y: (low + high) / 2 };
    if (moves[event.key]) {
      const [dx, dy] = moves[event.key];
      follow(from.x + dx, from.y + dy);
    } else if (event.key === "Enter" || event.key === " ") {
      follow(from.x, from.y);
    } else if (event.key === "Escape" && point) {
      clear();
    } else {
      return;
    }
    event.preventDefault();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && point) clear();
  });
  network.onTarget((target) => {
    item = target;
    if (point && answer && !store.state.stepThrough) render();
  });

  store.on("probe", (message) => {
    answered = true;
    if (!point || message.x !== point.x || message.y !== point.y || !fits(message, store.state.frame)) return;
    answer = message;
    render();
    if (announce) {
      announce = false;
      const out = message.layers.at(-1).a;
      news.textContent = `Point ${fmt(point.x)}, ${fmt(point.y)}: the output is ${out.map((v) => fmt(v)).join(", ")}. Each neuron's z and a are on the diagram.`;
    }
  });
  store.on("frame", (frame) => {
    if (!point) return;
    if (structure(store.state.config) !== shape) {
      clear();
      return;
    }
    if (!askedWith || askedWith.length !== frame.params.length || frame.params.some((v, i) => v !== askedWith[i])) ask();
  });
  store.on("config", (config) => {
    if (!point) return;
    const [low, high] = viewOf(store.state.hello, config.dataset);
    if (structure(config) !== shape || point.x < low || point.x > high || point.y < low || point.y > high) clear();
    else placeMarker();
  });
  store.on("stepThrough", () => render());
  store.on("connection", (status) => { if (status !== "open") answered = true; });
  store.on(["hello", "hideText"], () => render());
  render();
}
