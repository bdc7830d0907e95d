// What a screen reader hears about training: one visually hidden polite live region that sums up
// the epoch and losses when training pauses or a step finishes. The visible epoch counter and loss
// readouts are deliberately not live regions: they change up to 30 times a second while playing.

import { formatLoss, formatPercent } from "./metrics.js";
import { stoppedLead } from "./stops.js";

// A step sent while playing answers with a paused `state`, then the step's `metrics`; a step in
// slices sends progress metrics. Waiting this long says only the last of such a burst.
const SETTLE_MS = 300;

/** "Paused at epoch 1,234. Test loss 0.123, training loss 0.110." (plus accuracy when there is one) */
export function summaryText(how, epoch, metrics) {
  let text = `${how} epoch ${Math.max(0, Math.floor(epoch)).toLocaleString("en")}.`;
  if (metrics) {
    text += ` Test loss ${formatLoss(metrics.test_loss)}, training loss ${formatLoss(metrics.train_loss)}.`;
    if (metrics.test_accuracy !== null && metrics.test_accuracy !== undefined) {
      text += ` Test accuracy ${formatPercent(metrics.test_accuracy)}, training accuracy ${formatPercent(metrics.train_accuracy)}.`;
    }
  }
  return text;
}

/**
 * Keep `[data-training-summary]` up to date: said on a pause (playing → paused) and when a paused
 * session's epoch rises (a step). Silent while playing, and for changes that start a new network
 * (epoch back to 0), which the control the user just moved already tells.
 */
export function mountSummary(root, store) {
  const region = root.querySelector("[data-training-summary]");
  let wasPlaying = store.state.playing;
  let lastEpoch = store.state.epoch;
  let timer = null;

  function say(how) {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const { epoch, metrics, playing, diverged } = store.state;
      // The diverged notice is an alert of its own; a summary then would only repeat it.
      if (playing || diverged) return;
      // A stop condition that paused the run says so ("Paused, as set, at epoch 500.").
      const lead = how === "Paused at" || how === "Trained to" ? stoppedLead(store.state.stopped, store.state.config) : null;
      region.textContent = summaryText(lead ?? how, epoch, metrics?.epoch === epoch ? metrics : null);
    }, SETTLE_MS);
  }

  store.on("playing", (playing) => {
    if (playing && !wasPlaying) {
      clearTimeout(timer);
      region.textContent = ""; // so the next pause is news even at the same epoch
    } else if (!playing && wasPlaying) {
      say("Paused at");
    }
    wasPlaying = playing;
  });
  store.on("metrics", (metrics) => {
    if (!metrics) return;
    if (!store.state.playing && metrics.epoch > lastEpoch) say("Trained to");
    lastEpoch = metrics.epoch;
  });
  store.on("epoch", (epoch) => {
    if (epoch < lastEpoch) lastEpoch = epoch; // a reset or a new network
  });
}
