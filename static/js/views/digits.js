// The digits view (issue 14): a table whose rows are pictures (MNIST), shown where the map is on
// the plane (`[data-table-view=image]`). A pad to draw a digit on (pointer or finger, a thick soft
// brush; Clear) whose picture goes to the server as a `probe` of the table's row at each stroke's
// end (and every few tenths of a second while drawing, and again when training changes the
// weights), the ten probabilities as bars with the most likely highlighted; the sample of test
// images with the network's guess under each (metrics' `sample_predictions`), mistakes framed in
// red with the true digit; what each first-layer neuron looks for (its weights as a picture, from
// the frame); and the accuracy over the epochs (the losses are the loss chart's above).

import { GREY_LUT, WEIGHT_LUT } from "../colors.js";
import { padToDigit } from "../digitInput.js";
import { LossHistory } from "../lossHistory.js";
import { paintBytes } from "../maps.js";
import { chartNote, clearedChart, drawTrainTest, requestRender } from "../render.js";
import { currentTable, firstLayerPictures, sampleImage, tableKind } from "../tables.js";
import { formatPercent } from "./metrics.js";

const PAD = 280;          // the pad's own pixels (drawn at 10 × MNIST's 28)
const BRUSH = 22;         // the brush's width on the pad (MNIST's strokes are 2–3 pixels wide)
const WHILE_DRAWING_MS = 200; // a probe at most this often while a stroke goes on
const INTERVAL_MS = 250;  // ... and while training changes the weights
const PATIENCE_MS = 1000; // an answer that has not come by then does not hold the next back

function el(tag, className = "", attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function heading(text) {
  const h = el("h3");
  h.textContent = text;
  return h;
}

function hint(text) {
  const p = el("p", "hint", { "data-text": "" });
  p.textContent = text;
  return p;
}

export function mountDigits(root, store, session, network) {
  const box = root.querySelector("[data-table-view=image]");
  if (!box) return;

  // -- the parts, made once --------------------------------------------------------------------

  const drawPart = el("section", "digits-draw", { "aria-labelledby": "digits-draw-heading" });
  const drawHeading = heading("Draw a digit");
  drawHeading.id = "digits-draw-heading";
  const pad = el("canvas", "digit-pad", {
    "data-digit-pad": "", width: String(PAD), height: String(PAD), role: "img",
    "aria-label": "Drawing pad: draw a digit with the mouse or a finger",
  });
  const padCtx = pad.getContext("2d", { willReadFrequently: true });
  const bars = el("ol", "digit-bars", { "data-digit-probabilities": "", "aria-label": "The network's probability of each digit" });
  const seen = el("canvas", "digit-seen", { "data-digit-input": "", width: "28", height: "28", role: "img",
    "aria-label": "What the network sees: your digit at 28 × 28 pixels" });
  const seenLabel = el("span", "hint");
  seenLabel.textContent = "What the network sees";
  const clear = el("button", "button", { type: "button", "data-action": "clear-digit" });
  clear.textContent = "Clear";
  // (Not a live region: while training it changes a few times a second.)
  const guess = el("p", "digit-guess", { "data-digit-guess": "" });
  const padRow = el("div", "digit-pad-row");
  const side = el("div", "digit-side");
  const seenBox = el("div", "digit-seen-box");
  seenBox.append(seen, seenLabel);
  side.append(bars);
  padRow.append(pad, side);
  const padFoot = el("div", "digit-pad-foot");
  padFoot.append(seenBox, guess, clear);
  drawPart.append(drawHeading, padRow, padFoot);

  const samplePart = el("section", "digits-samples", { "aria-labelledby": "digits-samples-heading" });
  const sampleHeading = heading("Test images: the network's guesses");
  sampleHeading.id = "digits-samples-heading";
  const grid = el("div", "sample-grid", { "data-digit-samples": "" });
  const score = el("p", "hint", { "data-digit-score": "" });
  samplePart.append(sampleHeading, grid, score);

  const weightPart = el("section", "digits-weights", { "aria-labelledby": "digits-weights-heading" });
  const weightHeading = heading("What each neuron looks for");
  weightHeading.id = "digits-weights-heading";
  const weightGrid = el("div", "weight-grid", { "data-digit-weights": "" });
  weightPart.append(weightHeading, weightGrid,
    hint("Each picture is one neuron's weights from the 784 pixels: blue where ink raises its output, orange where ink lowers it. "
      + "Pixels near the edge are hardly ever inked, so their weights keep the random values they started with."));

  const accuracyPart = el("figure", "digits-accuracy");
  const accuracyHeading = heading("Accuracy over the epochs");
  const chart = el("canvas", "accuracy-chart", { "data-accuracy-chart": "", role: "img",
    "aria-label": "Accuracy over epochs: test in dark, training in grey" });
  accuracyPart.append(accuracyHeading, chart);

  box.append(drawPart, samplePart, weightPart, accuracyPart);

  // -- the sample's images and the guesses -------------------------------------------------------

  let sampleTable = null; // the table the grid was built for
  let cells = [];

  function buildSamples(table) {
    sampleTable = table;
    const [height, width] = table.image;
    cells = table.sample_labels.map((label, i) => {
      const cell = el("figure", "sample", { "data-sample": String(i), "data-label": String(label) });
      const canvas = el("canvas", "", { "aria-hidden": "true" });
      paintBytes(canvas, sampleImage(table, i), width, GREY_LUT, height);
      const caption = el("figcaption", "", { "data-prediction": "" });
      cell.append(canvas, caption);
      return cell;
    });
    grid.replaceChildren(...cells);
    grid.dataset.count = String(cells.length);
  }

  function className(table, k) {
    return table.classes?.[k] ?? String(k);
  }

  function showPredictions() {
    const table = currentTable(store.state);
    const predictions = store.state.metrics?.sample_predictions;
    if (!table || !Array.isArray(predictions) || predictions.length !== cells.length) return;
    let right = 0;
    predictions.forEach((predicted, i) => {
      const cell = cells[i];
      const label = table.sample_labels[i];
      const wrong = predicted !== label;
      if (!wrong) right += 1;
      cell.dataset.predicted = String(predicted);
      cell.dataset.wrong = String(wrong);
      const caption = cell.querySelector("figcaption");
      const guessed = className(table, predicted);
      const truth = className(table, label);
      caption.replaceChildren(guessed);
      if (wrong) {
        const was = el("span", "sample-truth", { "data-truth": "" });
        was.textContent = truth;
        caption.append(" ", was);
      }
      cell.title = wrong ? `The network says ${guessed}; it is a ${truth}` : `The network says ${guessed}: right`;
    });
    const m = store.state.metrics;
    score.dataset.right = String(right);
    score.textContent = `Right on ${right} of these ${cells.length} (all ${table.test_rows.toLocaleString("en")} test images: ${formatPercent(m.test_accuracy)}). `
      + "A red frame is a mistake, with the true digit beside the guess.";
    grid.dataset.epoch = String(m.epoch);
  }

  // -- the first layer's weights ---------------------------------------------------------------

  let weightCanvases = [];
  let highlighted = null;

  function paintWeights() {
    const { frame, config } = store.state;
    const table = currentTable(store.state);
    if (!frame || !table?.image || frame.sizes[0] !== table.image[0] * table.image[1]) return;
    const { pictures } = firstLayerPictures(frame);
    if (weightCanvases.length !== pictures.length) {
      const hidden = config.network_shape.length > 0;
      weightHeading.textContent = hidden ? "What each neuron of hidden layer 1 looks for" : "What each digit's output looks for";
      weightCanvases = pictures.map((_, j) => {
        const canvas = el("canvas", "", { "data-weight-image": String(j), role: "img",
          "aria-label": hidden ? `Weights of neuron ${j + 1} of hidden layer 1` : `Weights of the output for ${className(table, j)}` });
        canvas.title = hidden ? `Neuron ${j + 1} of hidden layer 1` : `The output for ${className(table, j)}`;
        return canvas;
      });
      weightGrid.replaceChildren(...weightCanvases);
      weightGrid.classList.toggle("few", weightCanvases.length <= 12); // (the ten outputs' templates: bigger)
      highlight(highlighted);
    }
    const [height, width] = table.image;
    pictures.forEach((bytes, j) => paintBytes(weightCanvases[j], bytes, width, WEIGHT_LUT, height));
    weightGrid.dataset.epoch = String(frame.epoch);
  }

  /** The picture of the neuron under the pointer on the diagram (frame layer 1), outlined. */
  function highlight(item) {
    highlighted = item;
    weightCanvases.forEach((canvas, j) => canvas.classList.toggle("current", item?.kind === "node" && item.layer === 1 && item.index === j));
  }
  network.onTarget((item) => highlight(item));

  // -- the accuracy chart ----------------------------------------------------------------------

  const history = new LossHistory(400);

  function drawChart() {
    const cleared = clearedChart(chart);
    const { ctx, width, height } = cleared;
    if (!history.latest || history.latest.epoch === 0) {
      chartNote(cleared, "The accuracy appears as it trains");
      chart.dataset.points = "0";
      return;
    }
    const last = Math.max(1, history.latest.epoch);
    const x = (epoch) => 2 + (epoch / last) * (width - 28);
    const y = (share) => height - 2 - Math.max(0, Math.min(1, share)) * (height - 4);
    ctx.strokeStyle = "#dfe3e8";
    ctx.lineWidth = 1;
    ctx.fillStyle = "#9aa3ab";
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "left";
    for (const share of [0.5, 1]) {
      ctx.beginPath();
      ctx.moveTo(2, y(share));
      ctx.lineTo(width - 26, y(share));
      ctx.stroke();
      ctx.fillText(`${share * 100}%`, width - 24, y(share) + 4);
    }
    drawTrainTest(ctx, history, x, y);
    chart.dataset.points = String(history.length);
  }

  // -- the pad ---------------------------------------------------------------------------------

  let stroke = null;   // the pointer drawing now: {id, x, y}
  let row = null;      // the picture last made of the pad (784 values), or null when blank
  let askedWith = null; // the frame's parameters when the row was last asked about
  let lastAsked = 0;
  let answered = true;
  let timer = null;

  function blank() {
    padCtx.fillStyle = "#000";
    padCtx.fillRect(0, 0, PAD, PAD);
  }

  function padPoint(event) {
    const rect = pad.getBoundingClientRect();
    return [((event.clientX - rect.left) / rect.width) * PAD, ((event.clientY - rect.top) / rect.height) * PAD];
  }

  function line(from, to) {
    padCtx.strokeStyle = "#fff";
    padCtx.lineWidth = BRUSH;
    padCtx.lineCap = padCtx.lineJoin = "round";
    padCtx.shadowColor = "rgba(255, 255, 255, .8)";
    padCtx.shadowBlur = BRUSH / 2; // a soft edge, as a pen's ink on MNIST's scans
    padCtx.beginPath();
    padCtx.moveTo(...from);
    padCtx.lineTo(...to);
    padCtx.stroke();
    padCtx.shadowBlur = 0;
  }

  pad.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || stroke) return;
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    const at = padPoint(event);
    stroke = { id: event.pointerId, at };
    line(at, at);
    changed(false);
  });
  pad.addEventListener("pointermove", (event) => {
    if (!stroke || event.pointerId !== stroke.id) return;
    const at = padPoint(event);
    line(stroke.at, at);
    stroke.at = at;
    changed(false);
  });
  const end = (event) => {
    if (!stroke || event.pointerId !== stroke.id) return;
    stroke = null;
    changed(true);
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  clear.addEventListener("click", () => {
    blank();
    row = askedWith = null;
    clearTimeout(timer);
    timer = null;
    showWaiting();
    store.update({ probedRow: null });
    showRow();
    showAnswer(null);
  });

  /** The pad changed: its picture, and a probe now (a stroke's end) or soon (while drawing). */
  function changed(now) {
    row = padToDigit(pad);
    showRow();
    if (!row) return;
    store.update({ probedRow: row });
    askedWith = null; // a new picture: ask whatever the weights
    ask(now, now ? 0 : WHILE_DRAWING_MS);
  }

  function showRow() {
    if (row) paintBytes(seen, row, 28, GREY_LUT);
    else seen.getContext("2d").clearRect(0, 0, seen.width, seen.height);
    seen.dataset.drawn = String(Boolean(row));
  }

  /** Ask the server about the row (now, or as soon as the pace allows; one question at a time). */
  function ask(now, interval = INTERVAL_MS) {
    if (!row || timer) return;
    const wait = Math.max(0, lastAsked + interval - performance.now());
    const held = !answered && performance.now() - lastAsked < PATIENCE_MS;
    if ((now || wait === 0) && !held) {
      send();
    } else {
      timer = setTimeout(() => { timer = null; ask(false, interval); }, held ? PATIENCE_MS - (performance.now() - lastAsked) : wait);
    }
    showWaiting();
  }

  /** Whether a question is on its way or waits its turn (`data-waiting`, for tests). */
  function showWaiting() {
    pad.dataset.waiting = String(Boolean(timer) || !answered);
  }

  function send() {
    if (!row || store.state.connection !== "open" || tableKind(store.state) !== "image") return;
    if (session.probeRow(Array.from(row))) {
      const frame = store.state.frame;
      askedWith = frame ? Float32Array.from(frame.params) : null;
      lastAsked = performance.now();
      answered = false;
      pad.dataset.asked = String(Number(pad.dataset.asked ?? 0) + 1);
    }
  }

  // -- the probabilities -----------------------------------------------------------------------

  let barItems = [];

  function buildBars(table, count) {
    barItems = Array.from({ length: count }, (_, k) => {
      const item = el("li", "digit-bar", { "data-class": String(k) });
      const name = el("span", "digit-name");
      name.textContent = className(table, k);
      const track = el("span", "bar-track", { "aria-hidden": "true" });
      const fill = el("span", "bar-fill");
      track.append(fill);
      const value = el("span", "bar-value", { "data-probability": "" });
      item.append(name, track, value);
      return item;
    });
    bars.replaceChildren(...barItems);
    bars.dataset.count = String(count);
  }

  /** The ten probabilities (the probe's output `a`), or none (a blank pad). */
  function showAnswer(probabilities) {
    const table = currentTable(store.state);
    if (!table) return;
    const count = table.classes?.length ?? 0;
    if (barItems.length !== count) buildBars(table, count);
    const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    barItems.forEach((item, k) => {
      const p = probabilities ? probabilities[k] : 0;
      item.querySelector(".bar-fill").style.width = `${(Math.max(0, Math.min(1, p)) * 100).toFixed(1)}%`;
      const value = item.querySelector("[data-probability]");
      value.textContent = probabilities ? `${Math.round(p * 100)}%` : "";
      value.dataset.value = probabilities ? String(p) : "";
      item.classList.toggle("best", k === best);
      item.toggleAttribute("data-best", k === best);
    });
    bars.dataset.answered = String(Boolean(probabilities));
    guess.textContent = probabilities
      ? `The network says ${className(table, best)} (${Math.round(probabilities[best] * 100)}% sure).`
      : "Draw a digit: the network guesses it as you draw.";
  }

  store.on("probe", (message) => {
    answered = true;
    showWaiting();
    // A table's row is answered with x and y null; a blank pad wants none.
    if (!row || message.x !== null || tableKind(store.state) !== "image") return;
    const out = message.layers?.at(-1)?.a;
    if (!Array.isArray(out) || out.length !== (currentTable(store.state)?.classes?.length ?? -1)) return;
    showAnswer(out);
  });

  // -- from the store --------------------------------------------------------------------------

  function render() {
    const table = currentTable(store.state);
    if (tableKind(store.state) !== "image" || !table) return;
    if (table !== sampleTable) {
      buildSamples(table);
      buildBars(table, table.classes?.length ?? 0);
      showAnswer(null);
      weightCanvases = [];
    }
    showPredictions();
    requestRender(paintWeights);
  }

  store.on(["data", "config"], render);
  store.on("metrics", (m) => {
    if (tableKind(store.state) !== "image" || !m) return;
    showPredictions();
    history.add(m.epoch, m.train_accuracy ?? 0, m.test_accuracy ?? 0);
    requestRender(drawChart);
  });
  store.on("frame", (frame) => {
    if (tableKind(store.state) !== "image") return;
    requestRender(paintWeights);
    // Training moved the weights: the drawn digit is asked about again (at most four times a second).
    if (row && (!askedWith || askedWith.length !== frame.params.length || frame.params.some((v, i) => v !== askedWith[i]))) ask(false);
  });
  store.on("connection", (status) => {
    if (status !== "open") answered = true;
    showWaiting();
  });
  new ResizeObserver(() => requestRender(drawChart)).observe(chart);
  blank();
  showRow();
}
