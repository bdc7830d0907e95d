// The gradient chart's memory (views/gradients.js): per epoch, one size per weight matrix
// (metrics.gradient_sizes). Kept as the loss chart's history is (lossHistory.js): at most
// `capacity` points whatever the epoch count, every other one dropped when it fills up and points
// kept twice as far apart from then on; an earlier epoch means a new network and starts over, and
// so does a network with another number of weight matrices, or metrics without sizes (a new
// network before its first epoch).

export class GradientHistory {
  /** @param {number} capacity  points kept at most (even) */
  constructor(capacity = 400) {
    this.capacity = capacity;
    this.epochs = new Float64Array(capacity);
    this.width = 0; // weight matrices per point
    this.sizes = new Float64Array(0);
    this.clear();
  }

  clear() {
    this.length = 0;
    this.spacing = 1;
    this.latest = null; // {epoch, sizes}: the newest point, drawn even when not kept
  }

  /**
   * Add the sizes at `epoch`; null sizes (no epoch trained yet) or an earlier epoch clear it.
   * @param {number} epoch
   * @param {number[]|null|undefined} sizes
   */
  add(epoch, sizes) {
    if (!Array.isArray(sizes) || sizes.length === 0) {
      this.clear();
      return;
    }
    if (sizes.length !== this.width) {
      this.width = sizes.length;
      this.sizes = new Float64Array(this.capacity * this.width);
      this.clear();
    }
    if (this.latest && epoch < this.latest.epoch) this.clear();
    const copy = Float64Array.from(sizes, clean);
    if (this.latest && epoch === this.latest.epoch) {
      this.latest = { epoch, sizes: copy }; // an edited weight: same epoch
      if (this.length && this.epochs[this.length - 1] === epoch) this.set(this.length - 1, epoch, copy);
      return;
    }
    this.latest = { epoch, sizes: copy };
    const last = this.length ? this.epochs[this.length - 1] : -Infinity;
    if (epoch - last < this.spacing) return;
    if (this.length === this.capacity) this.halve();
    this.set(this.length, epoch, copy);
    this.length += 1;
  }

  set(i, epoch, sizes) {
    this.epochs[i] = epoch;
    this.sizes.set(sizes, i * this.width);
  }

  halve() {
    let kept = 0;
    for (let i = 0; i < this.length; i += 2) {
      this.set(kept, this.epochs[i], this.sizes.slice(i * this.width, (i + 1) * this.width));
      kept += 1;
    }
    this.length = kept;
    this.spacing *= 2;
  }

  /** Call fn(epoch, sizes) for every kept point, then the latest (sizes: a view, do not keep). */
  forEach(fn) {
    for (let i = 0; i < this.length; i++) fn(this.epochs[i], this.sizes.subarray(i * this.width, (i + 1) * this.width));
    if (this.latest && (!this.length || this.latest.epoch !== this.epochs[this.length - 1])) {
      fn(this.latest.epoch, this.latest.sizes);
    }
  }
}

/** A size as the chart can draw it, a finite number ≥ 0 (the server sends only those): an
 * overflow as the largest number there is, anything else that is not a size as 0. */
function clean(value) {
  if (value === Infinity) return Number.MAX_VALUE;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}
