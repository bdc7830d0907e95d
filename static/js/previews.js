// Small pictures of each dataset for the dataset buttons. They only show the shape of a set, so
// they are drawn from a simple seeded generator here; the real points always come from the server.

import { CLASS_COLORS, cssOf } from "./colors.js";
import { toPixels } from "./maps.js";

function random(seed) {
  // mulberry32: tiny, seeded, good enough for a picture.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = (rand, lo, hi) => lo + (hi - lo) * rand();
const normal = (rand) => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

/** Generators of [x, y, label] (label ±1, a real value, or a class index). */
const GENERATORS = {
  circle(rand, n) {
    return Array.from({ length: n }, (_, i) => {
      const r = i < n / 2 ? uniform(rand, 0, 2.5) : uniform(rand, 3.5, 5);
      const a = uniform(rand, 0, 2 * Math.PI);
      return [r * Math.sin(a), r * Math.cos(a), r < 2.5 ? 1 : -1];
    });
  },
  xor(rand, n) {
    return Array.from({ length: n }, () => {
      let x = uniform(rand, -5, 5); x += x > 0 ? 0.3 : -0.3;
      let y = uniform(rand, -5, 5); y += y > 0 ? 0.3 : -0.3;
      return [x, y, x * y >= 0 ? 1 : -1];
    });
  },
  gauss(rand, n) {
    return Array.from({ length: n }, (_, i) => {
      const c = i < n / 2 ? 2 : -2;
      return [c + 0.7 * normal(rand), c + 0.7 * normal(rand), c > 0 ? 1 : -1];
    });
  },
  spiral(rand, n) {
    return spiralArms(rand, n, 2, 1.75, (arm) => (arm === 0 ? 1 : -1));
  },
  "reg-plane"(rand, n) {
    return Array.from({ length: n }, () => {
      const x = uniform(rand, -6, 6), y = uniform(rand, -6, 6);
      return [x, y, (x + y) / 6]; // a stronger tint than the real labels, so the picture reads
    });
  },
  "reg-gauss"(rand, n) {
    const centres = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
    return Array.from({ length: n }, () => {
      const x = uniform(rand, -6, 6), y = uniform(rand, -6, 6);
      let label = 0;
      for (const [cx, cy, s] of centres) {
        const v = s * Math.max(0, 1 - Math.hypot(x - cx, y - cy) / 2);
        if (Math.abs(v) > Math.abs(label)) label = v;
      }
      return [x, y, label];
    });
  },
  "multi-spiral"(rand, n, k) {
    return spiralArms(rand, n, k, 1, (arm) => arm);
  },
  "multi-gauss"(rand, n, k) {
    return Array.from({ length: n }, (_, i) => {
      const c = i % k, a = (2 * Math.PI * c) / k + Math.PI / 2;
      return [3.5 * Math.cos(a) + 0.6 * normal(rand), 3.5 * Math.sin(a) + 0.6 * normal(rand), c];
    });
  },
  "multi-pie"(rand, n, k) {
    return Array.from({ length: n }, () => {
      const x = uniform(rand, -5, 5), y = uniform(rand, -5, 5);
      const a = (Math.atan2(y, x) + 2 * Math.PI) % (2 * Math.PI);
      return [x, y, Math.min(k - 1, Math.floor(a / ((2 * Math.PI) / k)))];
    });
  },
  "multi-rings"(rand, n, k) {
    const w = 5.5 / k;
    return Array.from({ length: n }, (_, i) => {
      const c = i % k, r = uniform(rand, (c + 0.1) * w, (c + 0.9) * w), a = uniform(rand, 0, 2 * Math.PI);
      return [r * Math.sin(a), r * Math.cos(a), c];
    });
  },
};

function spiralArms(rand, n, k, turns, labelOf) {
  const per = Math.floor(n / k);
  const points = [];
  for (let arm = 0; arm < k; arm++) {
    for (let i = 0; i < per; i++) {
      const r = (i / per) * 5, t = turns * (i / per) * 2 * Math.PI + (2 * Math.PI * arm) / k;
      points.push([r * Math.sin(t), r * Math.cos(t), labelOf(arm)]);
    }
  }
  return points;
}

/**
 * Colour of a point's label: a class colour for multi-class sets, else the value scale.
 * @param {number} label
 * @param {boolean} multiclass
 */
export function pointColour(label, multiclass) {
  return multiclass ? CLASS_COLORS[label] ?? "#666" : cssOf(label);
}

/**
 * Draw a preview of dataset `name` into `canvas` (which it sizes for the screen).
 * @param {HTMLCanvasElement} canvas
 * @param {string} name
 * @param {{multiclass: boolean, classes: number}} how
 */
export function drawPreview(canvas, name, { multiclass, classes }) {
  const size = canvas.clientWidth || 64;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * ratio);
  canvas.height = Math.round(size * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = "#f7f8f8";
  ctx.fillRect(0, 0, size, size);
  const generate = GENERATORS[name];
  if (!generate) {
    ctx.fillStyle = "#555";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    ctx.fillText(name, size / 2, size / 2 + 4);
    return;
  }
  const points = generate(random(7 + name.length), 180, classes);
  const r = Math.max(1.2, size / 40);
  for (const [x, y, label] of points) {
    const [px, py] = toPixels(x, y, size);
    ctx.beginPath();
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    ctx.fillStyle = pointColour(label, multiclass);
    ctx.fill();
  }
}
