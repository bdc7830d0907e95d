// The form controls: hyperparameter menus, data sliders, dataset buttons, speed, display toggles
// and the play/step/reset/regenerate buttons. Menus are built from the server's hello (never
// hard-coded); every control shows the server's current state and sends changes as `configure`.

import { fitBatch, trainingPoints } from "../config.js";
import { labelOf, formatNumber } from "../labels.js";
import { drawPreview } from "../previews.js";

/** Sliders: where their range comes from and their step (the original's steps). */
const SLIDERS = {
  num_classes: { limit: "num_classes", step: 1 },
  train_ratio: { limit: "train_ratio", step: 10 },
  noise: { limit: "noise", step: 5 },
  // The original's slider, never past the training set; a link may carry more.
  batch_size: { range: [1, 30], step: 1 },
};

const MOMENTA = [0, 0.5, 0.8, 0.9, 0.95, 0.99];

/** The number-of-points menu: the problem's default (num_points null), then this ladder. */
const DEFAULT = "default"; // the option value, as the hash writes it
const POINTS = [50, 100, 200, 300, 500, 1000, 1500, 2000];

function option(value, text) {
  const el = document.createElement("option");
  el.value = String(value);
  el.textContent = text;
  return el;
}

/** The ladder of point counts within the server's limits (its two ends included). */
export function pointSteps([min, max]) {
  return [...new Set([min, ...POINTS.filter((n) => n > min && n < max), max])];
}

/** Speeds 1, 2, 5, 10, 20, 50, … up to the server's limit. */
export function speedSteps(max) {
  const steps = [];
  for (let scale = 1; scale <= max; scale *= 10) {
    for (const m of [1, 2, 5]) if (m * scale <= max) steps.push(m * scale);
  }
  if (steps[steps.length - 1] !== max) steps.push(max);
  return steps;
}

export function mountControls(root, store, session) {
  const selects = [...root.querySelectorAll("select[data-config]")];
  const sliders = [...root.querySelectorAll("input[type=range][data-config]")];
  const texts = [...root.querySelectorAll("input[type=text][data-config]")];
  const speed = root.querySelector("[data-speed]");
  const datasets = root.querySelector("[data-datasets]");
  const parse = (el, value) => {
    if (el.dataset.type !== "number") return value;
    return value === DEFAULT ? null : Number(value);
  };

  function menuValues(key, state) {
    const options = state.hello.options;
    if (key === "momentum") return MOMENTA;
    if (key === "num_points") return [DEFAULT, ...pointSteps(options.limits.num_points)];
    const values = options[key];
    if (values && !Array.isArray(values) && state.config) return values[state.config.problem] ?? [];
    return Array.isArray(values) ? values : [];
  }

  function menuText(key, value, state) {
    if (value === DEFAULT) {
      const points = state.config && state.hello.options.default_points?.[state.config.problem];
      return points ? `Default (${points})` : "Default";
    }
    return typeof value === "number" ? formatNumber(value) : labelOf(key, value);
  }

  function fillSelect(select, state) {
    const key = select.dataset.config;
    const values = [...menuValues(key, state)];
    let current = state.config?.[key];
    if (current === null && values[0] === DEFAULT) current = DEFAULT; // num_points: the problem's own
    // A link may carry a value off the menu (say learning rate 0.05): show it rather than lie.
    if (current !== undefined && current !== null && !values.some((v) => String(v) === String(current))) {
      const after = typeof current === "number" ? values.findIndex((v) => typeof v === "number" && v > current) : -1;
      values.splice(after < 0 ? values.length : after, 0, current);
    }
    const texts = values.map((v) => menuText(key, v, state));
    const signature = values.map((v, i) => `${v}=${texts[i]}`).join("|");
    if (select._signature !== signature) {
      select.replaceChildren(...values.map((v, i) => option(v, texts[i])));
      select._signature = signature;
    }
    if (current !== undefined && current !== null) select.value = String(current);
  }

  function fillSlider(input, state) {
    const key = input.dataset.config;
    const spec = SLIDERS[key];
    const limits = state.hello.options.limits;
    let [min, max] = spec.range ?? limits[spec.limit];
    if (key === "batch_size" && state.config) max = Math.min(max, trainingPoints(state.config, state.hello.options));
    const value = state.config?.[key];
    if (typeof value === "number") max = Math.max(max, value);
    Object.assign(input, { min, max, step: spec.step });
    if (typeof value === "number") input.value = String(value);
    showSliderValue(input);
  }

  function showSliderValue(input) {
    for (const out of root.querySelectorAll(`[data-value-for="${input.dataset.config}"]`)) out.textContent = input.value;
    // The visible value's unit (train_ratio's "%"), for screen readers too.
    const suffix = input.dataset.valueSuffix;
    if (suffix) input.setAttribute("aria-valuetext", `${input.value}${suffix}`);
  }

  function fillSpeed(state) {
    const max = state.hello.limits?.max_epochs_per_frame ?? 1;
    const steps = speedSteps(max);
    if (speed._max !== max) {
      speed.replaceChildren(...steps.map((n) => option(n, n === 1 ? "1 epoch / frame" : `${n} epochs / frame`)));
      speed._max = max;
    }
    speed.value = String(state.epochsPerFrame);
  }

  function fillDatasets(state) {
    const { config, hello } = state;
    if (!config) return;
    const names = hello.options.dataset[config.problem] ?? [];
    const multiclass = config.problem === "multiclass";
    const signature = `${config.problem}/${config.num_classes}/${names.join(",")}`;
    if (datasets._signature !== signature) {
      // Rebuilding would drop a focused button's focus to the page body: keep it on the same dataset.
      const focused = datasets.contains(document.activeElement) ? document.activeElement.dataset.dataset : null;
      datasets.replaceChildren(...names.map((name) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "dataset";
        button.dataset.dataset = name;
        button.title = labelOf("dataset", name);
        const canvas = document.createElement("canvas");
        canvas.setAttribute("aria-hidden", "true");
        const caption = document.createElement("span");
        caption.textContent = labelOf("dataset", name);
        button.append(canvas, caption);
        return button;
      }));
      datasets._signature = signature;
      if (focused) {
        const again = datasets.querySelector(`[data-dataset="${focused}"]`)
          ?? datasets.querySelector(`[data-dataset="${config.dataset}"]`) ?? datasets.querySelector("[data-dataset]");
        again?.focus({ preventScroll: true });
      }
      requestAnimationFrame(() => {
        for (const button of datasets.children) {
          drawPreview(button.querySelector("canvas"), button.dataset.dataset, { multiclass, classes: config.num_classes });
        }
      });
    }
    for (const button of datasets.children) {
      button.setAttribute("aria-pressed", String(button.dataset.dataset === config.dataset));
    }
  }

  function showWhen(state) {
    const { config } = state;
    for (const el of root.querySelectorAll("[data-when-problem]")) {
      el.classList.toggle("is-off", config.problem !== el.dataset.whenProblem);
    }
    for (const el of root.querySelectorAll("[data-when-optimizer]")) {
      el.classList.toggle("is-off", config.optimizer !== el.dataset.whenOptimizer);
    }
    root.querySelector("[data-control=regularizationRate] select").disabled = config.regularization === "none";
    for (const input of texts) {
      if (document.activeElement !== input) input.value = String(config[input.dataset.config] ?? "");
    }
  }

  function render(state) {
    if (!state.hello) return;
    for (const select of selects) fillSelect(select, state);
    for (const input of sliders) fillSlider(input, state);
    fillSpeed(state);
    if (state.config) {
      fillDatasets(state);
      showWhen(state);
    }
  }

  // -- user input ------------------------------------------------------------------------------

  // Fewer points, a smaller training share or another problem's default can leave the batch
  // larger than the training set: the same configure lowers it, so the change is never refused.
  const configure = (partial) => {
    const { config, hello } = store.state;
    return session.configure(config && hello ? fitBatch(partial, config, hello.options) : partial);
  };
  for (const select of selects) {
    select.addEventListener("change", () => configure({ [select.dataset.config]: parse(select, select.value) }));
  }
  for (const input of sliders) {
    input.addEventListener("input", () => showSliderValue(input));
    input.addEventListener("change", () => configure({ [input.dataset.config]: parse(input, input.value) }));
  }
  for (const input of texts) {
    input.addEventListener("change", () => {
      const value = input.value.trim();
      if (value) session.configure({ [input.dataset.config]: value });
    });
  }
  speed.addEventListener("change", () => session.setSpeed(Number(speed.value)));
  datasets.addEventListener("click", (event) => {
    const button = event.target.closest("[data-dataset]");
    if (button) session.configure({ dataset: button.dataset.dataset });
  });
  for (const box of root.querySelectorAll("[data-display]")) {
    box.addEventListener("change", () => session.setDisplay({ [box.dataset.display]: box.checked }));
  }

  const actions = {
    play: () => session.togglePlay(),
    step: () => session.step(1),
    reset: () => session.reset(),
    regenerate: () => session.regenerate(),
    retry: () => session.connection.retryNow(),
    "lower-rate": () => {
      const rates = store.state.hello.options.learning_rate;
      const current = store.state.config.learning_rate;
      const lower = [...rates].reverse().find((r) => r < current) ?? rates[0];
      session.configure({ learning_rate: lower });
      session.reset();
    },
  };
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    const action = button && actions[button.dataset.action];
    if (action) action();
  });
  document.addEventListener("keydown", (event) => {
    // Space plays and pauses when nothing else would take it (as media players do).
    if (event.key === " " && event.target === document.body && !store.state.hidden.has("playButton")) {
      event.preventDefault();
      session.togglePlay();
    }
  });

  // -- from the store --------------------------------------------------------------------------

  store.on(["hello", "config", "epochsPerFrame"], (_, state) => render(state));
  store.on("display", (display) => {
    for (const box of root.querySelectorAll("[data-display]")) box.checked = Boolean(display[box.dataset.display]);
  });
  store.on("playing", (playing) => {
    const play = root.querySelector("[data-action=play]");
    play.setAttribute("aria-pressed", String(playing));
    play.setAttribute("aria-label", playing ? "Pause training" : "Run training");
  });
  store.on(["hidden", "hideText"], (_, state) => {
    for (const el of root.querySelectorAll("[data-control]")) el.hidden = state.hidden.has(el.dataset.control);
    for (const el of root.querySelectorAll("[data-text]")) el.hidden = state.hideText;
  });
}
