// A digit drawn on a pad made into what MNIST's images are (LeCun et al.): white strokes on black,
// the drawing scaled so its larger side is 20 of the 28 pixels, its centre of mass put in the
// middle of the 28 × 28 picture. No view of its own: views/digits.js draws on the pad and sends
// the 784 values (0..255, row by row) as a `probe` of the table's row.

const SIDE = 28;       // MNIST's picture
const BOX = 20;        // the larger side of the digit in it
const WORK = SIDE * 4; // drawn at 4 × first, then halved twice (smooth, as an average of 4 × 4 pixels)
const INK = 24;        // a pad pixel brighter than this is ink (the bounding box)

function canvasOf(size) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  return canvas;
}

/** The bounding box of the ink on the pad (red channel over INK), or null when it is blank. */
function inkBox(pad) {
  const { width, height } = pad;
  const data = pad.getContext("2d").getImageData(0, 0, width, height).data;
  let left = width, right = -1, top = height, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4] <= INK) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  return right < 0 ? null : { x: left, y: top, w: right - left + 1, h: bottom - top + 1 };
}

/** The centre of mass of a canvas's red channel, in its pixels. */
function centreOf(canvas) {
  const { width, height } = canvas;
  const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let mass = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[(y * width + x) * 4];
      mass += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  return mass > 0 ? [sx / mass, sy / mass] : [width / 2, height / 2];
}

/**
 * The pad's drawing as MNIST's picture: 784 values 0..255, row by row (high where drawn), or null
 * when nothing is drawn.
 * @param {HTMLCanvasElement} pad  white strokes on black
 * @returns {Uint8Array|null}
 */
export function padToDigit(pad) {
  const box = inkBox(pad);
  if (!box) return null;
  const scale = (BOX * (WORK / SIDE)) / Math.max(box.w, box.h);
  const w = box.w * scale, h = box.h * scale;
  const work = canvasOf(WORK);
  const ctx = work.getContext("2d", { willReadFrequently: true });
  const place = (dx, dy) => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, WORK, WORK);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(pad, box.x, box.y, box.w, box.h, dx, dy, w, h);
  };
  place((WORK - w) / 2, (WORK - h) / 2);
  const [cx, cy] = centreOf(work);
  place((WORK - w) / 2 + WORK / 2 - cx, (WORK - h) / 2 + WORK / 2 - cy);
  // Halve twice: each pixel the mean of the four under it.
  let from = work;
  for (let size = WORK / 2; size >= SIDE; size /= 2) {
    const next = canvasOf(size);
    const c = next.getContext("2d", { willReadFrequently: true });
    c.imageSmoothingEnabled = true;
    c.drawImage(from, 0, 0, size * 2, size * 2, 0, 0, size, size);
    from = next;
  }
  const data = from.getContext("2d").getImageData(0, 0, SIDE, SIDE).data;
  const values = new Uint8Array(SIDE * SIDE);
  for (let i = 0; i < values.length; i++) values[i] = data[i * 4];
  return values;
}
