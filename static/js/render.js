// One animation-frame scheduler for every view: many updates between two screen refreshes cost
// one paint each (latest wins), and the time spent painting is measured for the page's stats.

const pending = new Set();
let scheduled = false;
const listeners = [];

/** How long painting takes: an exponential moving average in ms, and paints done. */
export const renderStats = { paints: 0, averageMs: 0 };

/**
 * Run `fn` once at the next animation frame, however often it is requested before then.
 * @param {() => void} fn
 */
export function requestRender(fn) {
  pending.add(fn);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(flush);
  }
}

/**
 * A chart canvas ready to draw on in CSS pixels: its backing store sized to the element at the
 * screen's pixel ratio (so lines stay sharp), the transform set, and cleared.
 * @param {HTMLCanvasElement} canvas
 * @returns {{ctx: CanvasRenderingContext2D, width: number, height: number}}
 */
export function clearedChart(canvas) {
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

/** The grey line a chart shows in its middle before there is anything to draw. */
export function chartNote({ ctx, width, height }, text) {
  ctx.fillStyle = "#9aa3ab";
  ctx.font = "12px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.fillText(text, width / 2, height / 2 + 4);
}

const TRAIN_COLOUR = "#9aa3ab";
const TEST_COLOUR = "#1f2328";

/** A LossHistory's training and test curves (grey and black), at x(epoch), y(value). */
export function drawTrainTest(ctx, history, x, y) {
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
}

/** Call `fn(renderStats)` after every paint. */
export function onPainted(fn) {
  listeners.push(fn);
}

function flush() {
  scheduled = false;
  const start = performance.now();
  const fns = [...pending];
  pending.clear();
  for (const fn of fns) {
    try {
      fn();
    } catch (error) {
      console.error(error); // one broken view must not stop the others from drawing
    }
  }
  const ms = performance.now() - start;
  renderStats.paints += 1;
  renderStats.averageMs = renderStats.paints === 1 ? ms : 0.9 * renderStats.averageMs + 0.1 * ms;
  for (const fn of listeners) fn(renderStats);
}
