// The gradient chart under the network (issue 12, "Seeing the math"): for each weight matrix
// W⁽¹⁾ … W⁽ᴸ⁾ (the course's numbering: metrics.gradient_sizes[l] is W⁽ˡ⁺¹⁾'s), the mean |dJ/dW| over
// each epoch's updates, one line per matrix over the epochs, kept like the loss curve
// (gradientHistory.js). The y axis is logarithmic with a tick per power of ten (or every few
// when the range is wide: an exploding run's sizes reach 10¹⁰⁰); a size of exactly 0 (a dead
// layer's) is drawn on a lane of its own under the lowest power, marked 0. A deep sigmoid
// network's first line sits thousands of times below its last (vanishing gradients); a too-high
// learning rate sends them all up.

import { GradientHistory } from "../gradientHistory.js";
import { clearedChart, requestRender } from "../render.js";

const DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/** An integer in superscript digits ("⁻¹²"). */
export function superscript(n) {
  return String(n).replace(/-/g, "⁻").replace(/\d/g, (d) => DIGITS[d]);
}

/** The course's name of weight matrix `l` (0-based, as gradient_sizes counts): "W⁽¹⁾" for 0. */
export function weightName(l) {
  return `W⁽${superscript(l + 1)}⁾`;
}

/** 10^k as a tick reads it: "10⁻⁵", "10⁰", "10³". */
export function powerOfTen(k) {
  return `10${superscript(k)}`;
}

/**
 * The powers of ten the y axis spans and where its ticks go, for sizes from `smallest` to
 * `largest` (both > 0): at least two decades, at most four ticks.
 * @returns {{low: number, high: number, ticks: number[]}}  exponents
 */
export function decades(smallest, largest) {
  let high = Math.ceil(Math.log10(largest) - 1e-9);
  let low = Math.floor(Math.log10(smallest) + 1e-9);
  if (high - low < 2) {
    high = Math.max(high, low + 1);
    low = high - 2;
  }
  const step = [1, 2, 3, 4, 5, 10, 20, 25, 50, 100, 200].find((s) => (high - low) / s <= 3) ?? 500;
  const ticks = [];
  for (let k = Math.ceil(low / step) * step; k <= high; k += step) ticks.push(k);
  return { low, high, ticks };
}

// Viridis from its dark end (the output's matrix) to a light green (the first layer's): the
// lines read in order by lightness alone, whatever the reader's colour vision.
const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [173, 220, 48]];

/** The line colour of matrix i of `count`: the first layer lightest, the output's darkest. */
export function layerColour(i, count) {
  const t = count > 1 ? (0.85 * (count - 1 - i)) / (count - 1) : 0;
  const at = t * (RAMP.length - 1);
  const j = Math.min(Math.floor(at), RAMP.length - 2);
  const f = at - j;
  const [r, g, b] = RAMP[j].map((c, k) => Math.round(c + f * (RAMP[j + 1][k] - c)));
  return `rgb(${r}, ${g}, ${b})`;
}

export function mountGradients(root, store) {
  const chart = root.querySelector("[data-gradient-chart]");
  const legend = root.querySelector("[data-gradient-legend]");
  const history = new GradientHistory(400);
  let legendFor = -1; // how many matrices the legend lists

  function renderLegend() {
    const count = history.latest ? history.width : 0;
    if (count === legendFor) return;
    legendFor = count;
    legend.replaceChildren(...Array.from({ length: count }, (_, l) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = layerColour(l, count);
      const into = l === count - 1 ? "the output" : `hidden layer ${l + 1}`;
      item.title = `dJ/dW⁽${superscript(l + 1)}⁾: the weights into ${into}`;
      item.append(swatch, l === count - 1 ? `${weightName(l)} output` : weightName(l));
      return item;
    }));
    legend.hidden = count === 0;
  }

  function draw() {
    renderLegend();
    const { ctx, width, height } = clearedChart(chart);
    ctx.font = "11px system-ui, sans-serif";
    const latest = history.latest;
    if (!latest) {
      ctx.fillStyle = "#9aa3ab";
      ctx.textAlign = "center";
      ctx.fillText("The gradients appear as it trains", width / 2, height / 2 + 4);
      Object.assign(chart.dataset, { points: "0", lines: "0", latest: "", ends: "", epoch: "", ticks: "", zero: "false" });
      chart.setAttribute("aria-label", "Gradient size per weight matrix: none yet (no epoch trained)");
      return;
    }
    let smallest = Infinity;
    let largest = 0;
    let zero = false;
    let drawn = 0; // points, the latest included
    history.forEach((_, sizes) => {
      drawn += 1;
      for (const v of sizes) {
        if (v > 0) {
          smallest = Math.min(smallest, v);
          largest = Math.max(largest, v);
        } else zero = true;
      }
    });
    if (!(largest > 0)) smallest = largest = 1e-6; // every size 0: an axis for the zero lane
    // The axis reaches 1 at least: a stalled network's sizes (10⁻⁸) then sit low, not at the top.
    const { low, high, ticks: all } = decades(smallest, Math.max(largest, 1));
    const gutter = Math.ceil(Math.max(...[...all.map(powerOfTen), "0"].map((t) => ctx.measureText(t).width))) + 6;
    const top = 6;
    const lane = zero ? 12 : 0; // the zero lane's height, under the lowest power
    const bottom = height - 14; // the epochs' labels below
    const floor = bottom - lane;
    const left = gutter;
    const right = width - 4;
    const last = Math.max(1, latest.epoch);
    const x = (epoch) => left + (epoch / last) * (right - left);
    const yAt = (exponent) => floor - ((exponent - low) / (high - low)) * (floor - top);
    const y = (v) => (v > 0 ? yAt(Math.log10(v)) : bottom - lane / 2);

    // Ticks (not one so low that it would cover the zero lane's 0), gridlines, the lane's rule.
    const ticks = all.filter((k, i) => !zero || i > 0 || all.length === 1 || yAt(k) < floor - 8);
    const labels = ticks.map(powerOfTen);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 1;
    ticks.forEach((k, i) => {
      const ty = Math.round(yAt(k)) + 0.5;
      ctx.strokeStyle = "#eceff2";
      ctx.beginPath();
      ctx.moveTo(left, ty);
      ctx.lineTo(right, ty);
      ctx.stroke();
      ctx.fillStyle = "#6b7681";
      ctx.fillText(labels[i], left - 4, ty);
    });
    if (zero) {
      ctx.fillStyle = "#6b7681";
      ctx.fillText("0", left - 4, bottom - lane / 2);
      ctx.strokeStyle = "#dfe3e8";
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(left, floor + 0.5);
      ctx.lineTo(right, floor + 0.5);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.strokeStyle = "#dfe3e8";
    ctx.beginPath();
    ctx.moveTo(left, bottom + 0.5);
    ctx.lineTo(right, bottom + 0.5);
    ctx.stroke();
    ctx.textBaseline = "alphabetic";
    ctx.fillStyle = "#6b7681";
    ctx.textAlign = "left";
    ctx.fillText("0", left, height - 2);
    ctx.textAlign = "right";
    ctx.fillText(`epoch ${latest.epoch.toLocaleString("en-US")}`, right, height - 2);

    // One line per weight matrix, the output's last (on top).
    const count = history.width;
    for (let l = 0; l < count; l++) {
      ctx.beginPath();
      let first = true;
      history.forEach((epoch, sizes) => {
        const px = x(epoch);
        const py = y(sizes[l]);
        if (first) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
        first = false;
      });
      if (drawn === 1) ctx.lineTo(x(latest.epoch) - 3, y(latest.sizes[l])); // one epoch: a dash
      ctx.strokeStyle = layerColour(l, count);
      ctx.lineWidth = 1.6;
      ctx.lineJoin = "round";
      ctx.stroke();
    }

    const values = [...latest.sizes];
    // For tests, as the page's other views do: what was drawn, and where each line ends (CSS px
    // from the top: a larger number is a smaller gradient).
    Object.assign(chart.dataset, {
      ends: values.map((v) => y(v).toFixed(1)).join(","),
      points: String(drawn), lines: String(count), latest: values.join(","),
      epoch: String(latest.epoch), ticks: labels.join(","), zero: String(zero), low: String(low), high: String(high),
    });
    const words = values.map((v, l) => `${weightName(l)} ${v > 0 ? v.toExponential(1) : "0"}`).join(", ");
    chart.setAttribute("aria-label", `Gradient size per weight matrix, log scale, at epoch ${latest.epoch}: ${words}`);
  }

  store.on("metrics", (m) => {
    // A diverged run has no sizes (null: the epoch that overflowed is undone): the
    // chart keeps its last good point, the climb that led there, until a reset starts it over.
    if (!m || m.diverged) return;
    history.add(m.epoch, m.gradient_sizes);
    requestRender(draw);
  });
  new ResizeObserver(() => requestRender(draw)).observe(chart);
}
