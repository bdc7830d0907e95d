// The loss chart's memory: at most `capacity` points whatever the epoch count. When it fills up,
// every other point is dropped and points are then kept twice as far apart, so drawing after
// 10,000 epochs costs what it cost after 10 (the original's chart grows with every epoch).

export class LossHistory {
  /** @param {number} capacity  points kept at most (even) */
  constructor(capacity = 400) {
    this.capacity = capacity;
    this.epochs = new Float64Array(capacity);
    this.train = new Float64Array(capacity);
    this.test = new Float64Array(capacity);
    this.clear();
  }

  clear() {
    this.length = 0;
    this.spacing = 1;
    this.latest = null; // the newest point, drawn even when not kept
  }

  /**
   * Add the losses at `epoch`; an epoch earlier than the last means a new run: start over.
   * @param {number} epoch
   * @param {number} train
   * @param {number} test
   */
  add(epoch, train, test) {
    if (this.latest && epoch < this.latest.epoch) this.clear();
    if (this.latest && epoch === this.latest.epoch) {
      this.latest = { epoch, train, test }; // an edited weight: same epoch, new losses
      if (this.length && this.epochs[this.length - 1] === epoch) this.set(this.length - 1, epoch, train, test);
      return;
    }
    this.latest = { epoch, train, test };
    const last = this.length ? this.epochs[this.length - 1] : -Infinity;
    if (epoch - last < this.spacing) return;
    if (this.length === this.capacity) this.halve();
    this.set(this.length, epoch, train, test);
    this.length += 1;
  }

  set(i, epoch, train, test) {
    this.epochs[i] = epoch;
    this.train[i] = train;
    this.test[i] = test;
  }

  halve() {
    let kept = 0;
    for (let i = 0; i < this.length; i += 2) {
      this.set(kept, this.epochs[i], this.train[i], this.test[i]);
      kept += 1;
    }
    this.length = kept;
    this.spacing *= 2;
  }

  /** Call fn(epoch, train, test) for every kept point, then the latest. */
  forEach(fn) {
    for (let i = 0; i < this.length; i++) fn(this.epochs[i], this.train[i], this.test[i]);
    if (this.latest && (!this.length || this.latest.epoch !== this.epochs[this.length - 1])) {
      fn(this.latest.epoch, this.latest.train, this.latest.test);
    }
  }
}
