// The classroom-link builder (the original's "hide controls" list): a checkbox per control (ticked:
// students see it), per input feature (ticked: the network may use it) and for the explanatory
// text, and the link that opens this very setup with the rest hidden, ready to copy. It only makes
// a link; this page stays as it is. A page opened from a link that hides controls does not show it.
// Your own points go in the link while they fit (hash.js linkPoints); when they do not, a note says so.
// Ticked, "Start from the trained network" puts every weight in the link (`params=`, `epoch=`)
// when the link stays within hash.js LINK_LIMIT; else it says so and the link has the settings.

import { LINK_LIMIT, formatHash, linkPoints } from "../hash.js";
import { pointsOf } from "../userData.js";
import { FOLLOWS, HIDABLE } from "../hiding.js";
import { onTable } from "../tables.js";
import { trainedOf } from "./modelIO.js";

const COPIED_MS = 2500;

function checkbox(text, data) {
  const label = document.createElement("label");
  label.className = "check";
  const input = document.createElement("input");
  input.type = "checkbox";
  Object.assign(input.dataset, data);
  const words = document.createElement("span");
  words.textContent = text;
  label.append(input, words);
  return label;
}

export function mountLinkBuilder(root, store) {
  const panel = root.querySelector("[data-link-builder]");
  const controlsBox = panel.querySelector("[data-builder-controls]");
  const inputsBox = panel.querySelector("[data-builder-inputs]");
  const text = panel.querySelector("[data-builder-text]");
  const output = panel.querySelector("[data-builder-link]");
  const copy = panel.querySelector("[data-builder-copy]");
  const note = panel.querySelector("[data-builder-note]");
  const pointsNote = panel.querySelector("[data-builder-points-note]");
  const weights = panel.querySelector("[data-builder-weights]");
  const weightsNote = panel.querySelector("[data-builder-weights-note]");
  const labels = Object.fromEntries(HIDABLE);
  let hidden = new Set(); // the hide keys chosen here (starting from the page's own)
  let noteTimer = null;

  function build(state) {
    if (controlsBox.childElementCount || !state.hello) return;
    controlsBox.append(...HIDABLE.map(([name, words]) => checkbox(words, { builderControl: name })));
    const features = state.hello.options.features;
    inputsBox.append(...features.map((name) => checkbox(state.hello.options.feature_labels[name] ?? name,
      { builderInput: name })));
  }

  function link(state) {
    const { config, display, epochsPerFrame, edits, data } = state;
    const custom = config.dataset === "custom" && data;
    const points = custom ? linkPoints(pointsOf(data)) : null;
    pointsNote.hidden = !custom || points !== null;
    const { origin, pathname } = window.location;
    const make = (trained) => `${origin}${pathname}#${formatHash({ config, display, speed: epochsPerFrame, hidden, hideText: !text.checked, edits, points, trained })}`;
    const trained = weights.checked ? trainedOf(state) : null;
    if (!trained) {
      // (modelIO.js trainedOf: a table's trained network cannot be opened from a link yet.)
      weightsNote.textContent = weights.checked && onTable(state) ? "On a table the link has the settings only: its trained network cannot be opened from a link yet." : "";
      return make(null);
    }
    const full = make(trained);
    if (full.length > LINK_LIMIT) {
      weightsNote.textContent = `Too long with every weight (${full.length.toLocaleString("en")} characters, over ${LINK_LIMIT.toLocaleString("en")}): the link has the settings only. Share the model file (Save and share) instead.`;
      return make(null);
    }
    weightsNote.textContent = `The link opens the network at epoch ${trained.epoch.toLocaleString("en")}.`;
    return full;
  }

  function render() {
    const state = store.state;
    panel.hidden = state.hidden.size > 0; // a locked lesson offers no way out here
    build(state);
    if (!state.config) return;
    for (const box of controlsBox.querySelectorAll("input")) {
      const name = box.dataset.builderControl;
      const leader = FOLLOWS[name];
      const withLeader = Boolean(leader && hidden.has(leader));
      box.checked = !hidden.has(name) && !withLeader;
      box.disabled = withLeader;
      box.parentElement.title = withLeader ? `Hidden with “${labels[leader]}”` : "";
    }
    for (const box of inputsBox.querySelectorAll("input")) box.checked = !hidden.has(box.dataset.builderInput);
    output.value = link(state);
  }

  panel.addEventListener("change", (event) => {
    const box = event.target;
    const name = box.dataset.builderControl ?? box.dataset.builderInput;
    if (name && box.checked) hidden.delete(name);
    else if (name) hidden.add(name);
    render();
  });

  copy.addEventListener("click", async () => {
    output.select();
    let done = false;
    try {
      await navigator.clipboard.writeText(output.value);
      done = true;
    } catch {
      // No clipboard API on a plain-http classroom address: the browser's own copy still works.
      done = document.execCommand("copy");
    }
    note.textContent = done ? "Copied." : "Select the link and copy it (Ctrl+C).";
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => { note.textContent = ""; }, COPIED_MS);
  });

  store.on("hidden", (keys) => { hidden = new Set(keys); }); // a new link: start from its choice
  store.on(["hello", "config", "edits", "display", "epochsPerFrame", "hidden", "hideText", "data"], render);
  // The trained weights change with every frame: followed at most once a second, and when paused.
  let last = 0;
  store.on("frame", () => {
    if (!weights.checked || (store.state.playing && performance.now() - last < 1000)) return;
    last = performance.now();
    render();
  });
}
