// The numbers under "Output": test and training loss (3 decimals, as the original), accuracy for
// classification, R² and RMSE for regression, the training loss with the regularization penalty
// (only while there is one) and what the rate means in the course's terms, and the loss chart of
// both losses, drawn from a fixed-size history.

import { formatNumber } from "../labels.js";
import { LossHistory } from "../lossHistory.js";
import { chartNote, clearedChart, drawTrainTest, requestRender } from "../render.js";
import { currentTable } from "../tables.js";


/** Losses to 3 decimals, as the original; a diverging run's huge ones in short exponent form. */
export function formatLoss(value) {
  if (!Number.isFinite(value)) return "–";
  return Math.abs(value) >= 1000 ? value.toExponential(2) : value.toFixed(3);
}

/** Accuracy as a percentage to one decimal ("95.0%"), or "–" when there is none (regression). */
export function formatPercent(value) {
  return value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)}%`;
}

/** R² to 3 decimals ("0.912"; a fit worse than the mean is negative), "–" when there is none. */
export function formatR2(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return Math.abs(value) >= 1000 ? value.toExponential(2) : value.toFixed(3);
}

/**
 * The regularization rate in the course's terms: its cost adds λ/2m Σw² (L2) or λ/m Σ|w| (L1),
 * so the playground's rate is the course's λ/m, and each update moves every weight by the
 * learning rate times that term's gradient.
 * @param {object} config  the current config
 */
export function rateMeaning(config) {
  const { regularization: kind, regularization_rate: rate, learning_rate: learningRate } = config;
  if (kind !== "L1" && kind !== "L2") return "";
  const r = formatNumber(rate);
  const step = kind === "L2"
    ? `each update shrinks every weight w by ${formatNumber(learningRate)} × ${r} × w (learning rate × rate × w)`
    : `each update moves every weight towards 0 by ${formatNumber(learningRate)} × ${r} (learning rate × rate)`;
  return `Rate ${r} is the course's λ/m (λ over the m training examples): ${step}.`;
}

export function mountMetrics(root, store) {
  const out = Object.fromEntries([...root.querySelectorAll("[data-metric]")].map((el) => [el.dataset.metric, el]));
  const accuracy = root.querySelector("[data-accuracy]");
  const fit = root.querySelector("[data-fit]");
  const penalised = root.querySelector("[data-penalty]");
  const penaltyKind = root.querySelector("[data-penalty-kind]");
  const meaning = root.querySelector("[data-rate-meaning]");
  const chart = root.querySelector("[data-loss-chart]");
  const history = new LossHistory(400);

  function drawChart() {
    const cleared = clearedChart(chart);
    const { ctx, width, height } = cleared;
    if (!history.latest || history.latest.epoch === 0) {
      chartNote(cleared, "The loss curve appears as it trains");
      chart.dataset.points = "0";
      return;
    }
    let top = 0;
    history.forEach((_, train, test) => { top = Math.max(top, train, test); });
    top = top > 0 ? top : 1;
    const last = Math.max(1, history.latest.epoch);
    const x = (epoch) => 2 + (epoch / last) * (width - 4);
    const y = (loss) => height - 2 - (Math.min(loss, top) / top) * (height - 4);
    drawTrainTest(ctx, history, x, y);
    chart.dataset.points = String(history.length);
  }

  store.on("metrics", (m) => {
    if (!m) return;
    out.test_loss.textContent = formatLoss(m.test_loss);
    out.train_loss.textContent = formatLoss(m.train_loss);
    out.test_accuracy.textContent = formatPercent(m.test_accuracy);
    out.train_accuracy.textContent = formatPercent(m.train_accuracy);
    accuracy.hidden = m.test_accuracy === null || m.test_accuracy === undefined;
    fit.hidden = m.r2 === null || m.r2 === undefined;
    if (!fit.hidden) {
      out.r2.textContent = formatR2(m.r2);
      // A table's RMSE is in its units (house prices: tens of thousands of CAD), whole and with them.
      const units = currentTable(store.state)?.units;
      out.rmse.textContent = Math.abs(m.rmse) >= 1000 && Number.isFinite(m.rmse)
        ? `${Math.round(m.rmse).toLocaleString("en")}${units ? ` ${units}` : ""}` : formatLoss(m.rmse);
    }
    // Only while the loss has a penalty: without regularization both numbers would be the same.
    const config = store.state.config;
    penalised.hidden = !config || config.regularization === "none" || m.train_loss_with_penalty === undefined;
    if (!penalised.hidden) {
      penaltyKind.textContent = config.regularization;
      out.train_loss_with_penalty.textContent = formatLoss(m.train_loss_with_penalty);
      // A weak rate's penalty is tiny: a few significant digits rather than "0.000".
      out.penalty.textContent = m.penalty > 0 && m.penalty < 0.001 ? m.penalty.toPrecision(2) : formatLoss(m.penalty);
    }
    history.add(m.epoch, m.train_loss, m.test_loss);
    requestRender(drawChart);
  });
  store.on("config", (config) => {
    if (!config) return;
    const text = rateMeaning(config);
    meaning.hidden = !text;
    if (meaning.textContent !== text) meaning.textContent = text;
    if (config.regularization === "none") penalised.hidden = true;
  });
  // A new network starts at epoch 0, and an earlier epoch starts a new curve (LossHistory.add);
  // a live learning-rate change or regenerated data continue it, as in the original.
  new ResizeObserver(() => requestRender(drawChart)).observe(chart);
}
