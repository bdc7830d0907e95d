// The stop conditions' word on the page: when `state.stopped` says one of them (stop_epoch,
// stop_test_loss) paused the run, the toolbar says so under the epoch counter ("Paused: reached
// epoch 500"); the inputs themselves are ordinary config controls (views/controls.js).

import { formatNumber } from "../labels.js";

/**
 * Why the run paused, for a student: "" when no stop condition paused it.
 * @param {string|null} stopped  state.stopped
 * @param {object|null} config
 */
export function stoppedText(stopped, config) {
  if (stopped === "stop_epoch" && config?.stop_epoch) {
    return `Paused: reached epoch ${config.stop_epoch.toLocaleString("en")}`;
  }
  if (stopped === "stop_test_loss" && config?.stop_test_loss) {
    return `Paused: test loss reached ${formatNumber(config.stop_test_loss)}`;
  }
  return stopped ? "Paused by a stop condition" : "";
}

/** How the training summary opens when a stop condition paused the run (null: it did not). */
export function stoppedLead(stopped, config) {
  if (stopped === "stop_epoch") return "Paused, as set, at";
  if (stopped === "stop_test_loss" && config?.stop_test_loss) {
    return `Paused when the test loss reached ${formatNumber(config.stop_test_loss)}, at`;
  }
  return null;
}

export function mountStops(root, store) {
  const app = root.querySelector("[data-app]");
  const notice = root.querySelector("[data-stopped-notice]");
  store.on(["stopped", "config", "playing"], (_, state) => {
    const text = state.playing ? "" : stoppedText(state.stopped, state.config);
    notice.hidden = !text;
    notice.textContent = text;
    app.dataset.stopped = state.stopped ?? "";
  });
}
