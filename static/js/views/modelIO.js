// "Save and share", under the output: the trained network as a model file (JSON, the server's
// `model` message) and as a NumPy script, the big map as a PNG (drawn here from the map's and the
// points' canvases), opening a model file (`import_model`: a refused one changes nothing and the
// server's words say why), and the share link that carries every weight when it is short enough
// (hash.js `withTrained`, at most LINK_LIMIT characters; longer, it carries the settings and
// points at the model file instead).

import { LINK_LIMIT, withTrained } from "../hash.js";
import { layerSizes, parameterCount } from "../model.js";
import { onTable } from "../tables.js";

const COPIED_MS = 4000;
const MIN_PICTURE = 400; // px a side of the map's PNG, at least
const NOTE_EVERY_MS = 1000; // the share note follows training at most once a second

/** Save `blob` as a file called `name` (the browser's download; nothing leaves the page). */
export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = name;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A model as a file: one line per key, each value on it (readable, and small as JSON goes). */
export function modelText(model) {
  const lines = Object.entries(model).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{\n${lines.join(",\n")}\n}\n`;
}

/** The weights the page was last sent, if they are the current config's network: {params, epoch}. */
export function trainedOf(state) {
  const { frame, config } = state;
  // A table's link carries its settings only (a table's weights are not read from a link).
  if (!frame || !config || onTable(state) || frame.params.length !== parameterCount(layerSizes(config))) return null;
  return { params: frame.params, epoch: frame.epoch };
}

/**
 * The link to share this page's network: the address bar's link with every weight when it fits in
 * LINK_LIMIT characters, else the address bar's link alone (`tooLong` says so).
 */
export function shareLink(state, location = window.location) {
  const base = `${location.origin}${location.pathname}#`;
  const plain = base + location.hash.replace(/^#/, "");
  const trained = trainedOf(state);
  if (!trained) return { url: plain, trained: null, tooLong: false, length: plain.length };
  const url = base + withTrained(location.hash, trained);
  if (url.length > LINK_LIMIT) return { url: plain, trained: null, tooLong: true, length: url.length };
  return { url, trained, tooLong: false, length: url.length };
}

/** Copy `input`'s text: the clipboard API, or the browser's own copy where there is none (plain http). */
export async function copyText(input) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    return document.execCommand("copy");
  }
}

/**
 * The big map as drawn: white, the map's colours (scaled as the page scales them), the points.
 * The picture is a whole multiple of the points' canvas, at least MIN_PICTURE px a side, and the
 * points are copied pixel for pixel: scaled by a fraction and smoothed, their 1 px outlines would
 * blur into the colours around them.
 */
export function mapImage(root) {
  const map = root.querySelector("[data-map-canvas]");
  const points = root.querySelector("[data-points-canvas]");
  const times = points.width > 0 ? Math.max(1, Math.ceil(MIN_PICTURE / points.width)) : 1;
  const size = points.width > 0 ? points.width * times : MIN_PICTURE;
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, size, size);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(map, 0, 0, size, size);
  ctx.imageSmoothingEnabled = false;
  if (points.width > 0) ctx.drawImage(points, 0, 0, size, size);
  return canvas;
}

export function mountModelIO(root, store, session) {
  const panel = root.querySelector("[data-model-io]");
  const note = panel.querySelector("[data-model-note]");
  const file = panel.querySelector("[data-model-file]");
  const linkBox = panel.querySelector("[data-share-link]");
  const shareNote = panel.querySelector("[data-share-note]");
  const pending = []; // what each export_model on its way is for: "json" or "script"
  let noteTimer = null;
  let lastNote = 0;

  function say(text) {
    note.textContent = text;
  }

  function ask(kind) {
    if (session.exportModel()) {
      pending.push(kind);
      say(kind === "json" ? "Preparing the model file…" : "Preparing the script…");
    }
  }

  store.on("model", (message) => {
    const kind = pending.shift();
    if (!kind || !message?.model) return;
    const epoch = `epoch ${Number(message.model.epoch).toLocaleString("en")}`;
    if (kind === "json") {
      download("playground-model.json", new Blob([modelText(message.model)], { type: "application/json" }));
      say(`Downloaded playground-model.json: the whole network at ${epoch}. “Open a model…” brings it back.`);
    } else {
      download("playground_model.py", new Blob([message.script ?? ""], { type: "text/x-python" }));
      say(`Downloaded playground_model.py: the network at ${epoch} in NumPy alone (python playground_model.py).`);
    }
  });
  // A connection lost before the answer: nothing will answer those exports.
  store.on("connection", (status) => { if (status !== "open") pending.length = 0; });

  panel.querySelector("[data-action=download-model]").addEventListener("click", () => ask("json"));
  panel.querySelector("[data-action=download-script]").addEventListener("click", () => ask("script"));
  panel.querySelector("[data-action=download-map]").addEventListener("click", () => {
    if (!store.state.frame) return say("There is no map yet.");
    mapImage(root).toBlob((blob) => {
      if (!blob) return say("The map could not be made into a picture.");
      download("playground-map.png", blob);
      say(`Downloaded playground-map.png: the map at epoch ${store.state.epoch.toLocaleString("en")}, with its points.`);
    }, "image/png");
  });

  panel.querySelector("[data-action=open-model]").addEventListener("click", () => file.click());
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    file.value = ""; // the same file again is a new choice
    if (!chosen) return;
    // The server refuses a message over its limit (and drops a connection sending one far over).
    const limit = store.state.hello?.limits?.max_message_bytes;
    if (limit && chosen.size > limit) {
      say(`${chosen.name} is too large to be a model (${Math.round(chosen.size / 1024)} KB; at most ${Math.round(limit / 1024)} KB). Nothing changed.`);
      return;
    }
    let model;
    try {
      model = JSON.parse(await chosen.text());
    } catch (error) {
      say(`${chosen.name} is not a model file: it is not JSON (${error.message}). Nothing changed.`);
      return;
    }
    if (!model || typeof model !== "object" || Array.isArray(model)) {
      say(`${chosen.name} is not a model file: it holds no JSON object. Nothing changed.`);
      return;
    }
    if (session.importModel(model, "file")) say(`Opening ${chosen.name}…`);
  });
  store.on("imported", (imported) => {
    if (imported?.source !== "file") return;
    say(imported.ok ? store.state.notice ?? "Opened the model." : `That model could not be opened: ${imported.errors.join("; ")}. Nothing changed.`);
  });

  // The share link: rewritten when the settings change, and as training goes on at most once a second.
  function renderLink() {
    if (!store.state.config) return;
    lastNote = performance.now();
    const link = shareLink(store.state);
    if (linkBox.value !== link.url) linkBox.value = link.url;
    linkBox.dataset.trained = link.trained ? String(link.trained.epoch) : "";
    panel.dataset.linkTooLong = String(link.tooLong);
    shareNote.textContent = link.tooLong
      ? `With every weight, this network's link would be ${link.length.toLocaleString("en")} characters, over the ${LINK_LIMIT.toLocaleString("en")} a link can safely carry: it carries the settings only. To share the trained network, download the model (JSON).`
      : link.trained
        ? `The link carries the network at epoch ${link.trained.epoch.toLocaleString("en")}, every weight (${link.length.toLocaleString("en")} characters).`
        : onTable(store.state)
          ? "On a table the link carries the settings only. To take the trained network away, download the model (JSON) or the NumPy script, which standardizes the table's columns as training did."
          : "The link carries the settings.";
  }
  // After the store's update, once session.js has written the hash from the same state.
  let scheduled = false;
  const soon = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => { scheduled = false; renderLink(); }, 0);
  };
  store.on(["config", "edits", "display", "epochsPerFrame", "playing", "hidden", "lesson"], soon);
  store.on("frame", () => {
    if (performance.now() - lastNote > NOTE_EVERY_MS || !store.state.playing) soon();
  });
  panel.querySelector("[data-action=copy-share-link]").addEventListener("click", async () => {
    renderLink();
    const done = await copyText(linkBox);
    const copied = done ? "Copied" : "Select the link and copy it (Ctrl+C)";
    const what = linkBox.dataset.trained ? `, with the network at epoch ${Number(linkBox.dataset.trained).toLocaleString("en")}` : "";
    clearTimeout(noteTimer);
    const settingsOnly = panel.dataset.linkTooLong === "true" ? ", with the settings only: too long to carry the weights" : "";
    say(`${copied}${what}${settingsOnly}.`);
    noteTimer = setTimeout(() => { if (note.textContent.startsWith(copied)) say(""); }, COPIED_MS);
  });
}
