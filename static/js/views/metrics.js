// The numbers under "Output": test and training loss (3 decimals, as the original), accuracy for
// classification, and the loss chart of both, drawn from a fixed-size history.

import { LossHistory } from "../lossHistory.js";
import { requestRender } from "../render.js";

const TEST_COLOUR = "#1f2328";
const TRAIN_COLOUR = "#9aa3ab";

/** Losses to 3 decimals, as the original; a diverging run's huge ones in short exponent form. */
export function formatLoss(value) {
  if (!Number.isFinite(value)) return "–";
  return Math.abs(value) >= 1000 ? value.toExponential(2) : value.toFixed(3);
}

/** Accuracy as a percentage to one decimal ("95.0%"), or "–" when there is none (regression). */
export function formatPercent(value) {
  return value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)}%`;
}

export function mountMetrics(root, store) {
  const out = Object.fromEntries([...root.querySelectorAll("[data-metric]")].map((el) => [el.dataset.metric, el]));
  const accuracy = root.querySelector("[data-accuracy]");
  const chart = root.querySelector("[data-loss-chart]");
  const history = new LossHistory(400);

  function drawChart() {
    const width = chart.clientWidth;
    const height = chart.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    if (chart.width !== Math.round(width * ratio) || chart.height !== Math.round(height * ratio)) {
      chart.width = Math.round(width * ratio);
      chart.height = Math.round(height * ratio);
    }
    const ctx = chart.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (!history.latest || history.latest.epoch === 0) {
      ctx.fillStyle = "#9aa3ab";
      ctx.font = "12px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillText("The loss curve appears as it trains", width / 2, height / 2 + 4);
      chart.dataset.points = "0";
      return;
    }
    let top = 0;
    history.forEach((_, train, test) => { top = Math.max(top, train, test); });
    top = top > 0 ? top : 1;
    const last = Math.max(1, history.latest.epoch);
    const x = (epoch) => 2 + (epoch / last) * (width - 4);
    const y = (loss) => height - 2 - (Math.min(loss, top) / top) * (height - 4);
    for (const [key, colour] of [["train", TRAIN_COLOUR], ["test", TEST_COLOUR]]) {
      ctx.beginPath();
      let first = true;
      history.forEach((epoch, train, test) => {
        const value = key === "train" ? train : test;
        if (first) ctx.moveTo(x(epoch), y(value));
        else ctx.lineTo(x(epoch), y(value));
        first = false;
      });
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.6;
      ctx.lineJoin = "round";
      ctx.stroke();
    }
    chart.dataset.points = String(history.length);
  }

  store.on("metrics", (m) => {
    if (!m) return;
    out.test_loss.textContent = formatLoss(m.test_loss);
    out.train_loss.textContent = formatLoss(m.train_loss);
    out.test_accuracy.textContent = formatPercent(m.test_accuracy);
    out.train_accuracy.textContent = formatPercent(m.train_accuracy);
    accuracy.hidden = m.test_accuracy === null || m.test_accuracy === undefined;
    history.add(m.epoch, m.train_loss, m.test_loss);
    requestRender(drawChart);
  });
  // A new network starts at epoch 0, and an earlier epoch starts a new curve (LossHistory.add);
  // a live learning-rate change or regenerated data continue it, as in the original.
  new ResizeObserver(() => requestRender(drawChart)).observe(chart);
}
