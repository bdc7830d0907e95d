// The form controls: hyperparameter menus, data sliders, dataset buttons, speed, display toggles
// and the play/step/reset/regenerate buttons. Menus are built from the server's hello (never
// hard-coded); every control shows the server's current state and sends changes as `configure`.
// After the server's datasets comes "Your data" (when hello offers `user_data`), which opens the
// drawing tools (views/drawing.js handles its click); while they are open the data panel shows what
// applies to a `custom` dataset. A table (issue 14: hello's `options.tables`) gets a button with a
// picture of its own (no preview sample: it has no points) and its title; while the session is on
// one, `[data-app]` has `data-table` (its kind) and what belongs to the plane steps aside
// (`data-unless-table`), the table's view showing instead (`data-when-table`).

import { hiddenControls } from "../hiding.js";
import { labelOf, formatNumber } from "../labels.js";
import { viewOf } from "../maps.js";
import { drawPreview, drawTablePicture, loadSamples } from "../previews.js";
import { currentTable, isTable, onTable, tableKind, tableTitle } from "../tables.js";

/** Sliders: the original's steps; their ranges come from hello's limits and menus. */
const STEPS = { num_classes: 1, train_ratio: 10, noise: 5, batch_size: 1 };

/** The dataset your own points are (docs/protocol.md "Your own data"). */
const CUSTOM = "custom";

/** The dataset the data panel is about: "custom" while the drawing tools are open (views/drawing.js). */
export function shownDataset(state) {
  return state.userPoints ? CUSTOM : state.config.dataset;
}

/** The number-of-points menu's first option: the problem's default (num_points null). */
const DEFAULT = "default"; // the option value, as the hash writes it

function option(value, text) {
  const el = document.createElement("option");
  el.value = String(value);
  el.textContent = text;
  return el;
}

/**
 * The learning rate a stalled run starts again with: a tenth of the one that saturated it at
 * most, and no more than the default (one notch down, 10 → 3, stalls again). From the menu.
 * @param {object} config   the current config
 * @param {object} options  hello.options
 */
export function recoveryRate(config, options) {
  const most = Math.min(options.defaults.learning_rate, config.learning_rate / 10);
  const rates = options.learning_rate;
  return [...rates].reverse().find((rate) => rate <= most) ?? rates[0];
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
    if (key === "num_points") return [DEFAULT, ...options.num_points];
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
    const { limits, menu_limits: menus } = state.hello.options;
    // The batch slider is the original's 1..30, never past the training set (a link may carry more).
    const table = currentTable(state);
    const trainRows = table ? table.train_rows : state.data?.train.length ?? Infinity;
    let [min, max] = key === "batch_size" ? [1, Math.min(menus.batch_size, trainRows)] : limits[key];
    const value = state.config?.[key];
    if (typeof value === "number") max = Math.max(max, value);
    Object.assign(input, { min, max, step: STEPS[key] });
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
    const steps = state.hello.limits.speeds;
    if (speed._steps !== steps) {
      speed.replaceChildren(...steps.map((n) => option(n, n === 1 ? "1 epoch / frame" : `${n} epochs / frame`)));
      speed._steps = steps;
    }
    speed.value = String(state.epochsPerFrame);
  }

  function fillDatasets(state) {
    const { config, hello } = state;
    if (!config) return;
    const names = (hello.options.dataset[config.problem] ?? []).filter((name) => name !== CUSTOM);
    const own = Boolean(hello.options.user_data);
    const multiclass = config.problem === "multiclass";
    const table = currentTable(state);
    // (A table's picture is its first sample image once its data is here: the buttons are drawn again.)
    const pictured = table?.image ? table.name : "";
    // A table's class count (MNIST's 10) is its own: a dataset of the plane comes back with the default.
    const classes = onTable(state) ? hello.options.defaults.num_classes : config.num_classes;
    const signature = `${config.problem}/${classes}/${names.join(",")}/${own}/${pictured}`;
    if (datasets._signature !== signature) {
      // Rebuilding would drop a focused button's focus to the page body: keep it on the same dataset.
      const focused = datasets.contains(document.activeElement) ? document.activeElement.dataset.dataset : null;
      datasets.replaceChildren(...names.map((name) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "dataset";
        button.dataset.dataset = name;
        const words = isTable(name, hello.options) ? tableTitle(name, hello.options) : labelOf("dataset", name);
        button.title = words;
        const canvas = document.createElement("canvas");
        canvas.setAttribute("aria-hidden", "true");
        const caption = document.createElement("span");
        caption.textContent = words;
        button.append(canvas, caption);
        if (isTable(name, hello.options)) {
          button.dataset.table = "";
          button.classList.add("table-dataset");
        }
        return button;
      }), ...(own ? [userDataButton()] : []));
      datasets._signature = signature;
      if (focused) {
        const again = datasets.querySelector(`[data-dataset="${focused}"]`)
          ?? datasets.querySelector(`[data-dataset="${config.dataset}"]`) ?? datasets.querySelector("[data-dataset]");
        again?.focus({ preventScroll: true });
      }
      // Tables have no points to preview: a picture of their own, drawn here (previews.js).
      for (const button of datasets.querySelectorAll("[data-dataset][data-table]")) {
        drawTablePicture(button.querySelector("canvas"), button.dataset.dataset, table);
      }
      loadSamples(config.problem, classes).then((points) => {
        if (datasets._signature !== signature) return; // the buttons changed meanwhile
        for (const button of datasets.querySelectorAll("[data-dataset]:not([data-user-data]):not([data-table])")) {
          const sample = points[button.dataset.dataset];
          if (sample) drawPreview(button.querySelector("canvas"), sample, multiclass, viewOf(hello, button.dataset.dataset));
        }
      }).catch(() => {}); // a button without its picture still works
    }
    const shown = shownDataset(state);
    for (const button of datasets.children) {
      button.setAttribute("aria-pressed", String(button.dataset.dataset === shown));
    }
  }

  /** "Your data": a pencil over a blank plane (the points' own picture would change at every stroke). */
  function userDataButton() {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "dataset user-data";
    button.dataset.dataset = CUSTOM;
    button.dataset.userData = "";
    button.title = "Draw your own points, or import a CSV file";
    const svg = "http://www.w3.org/2000/svg";
    const picture = document.createElementNS(svg, "svg");
    picture.setAttribute("aria-hidden", "true");
    const use = document.createElementNS(svg, "use");
    use.setAttribute("href", "#i-draw"); // index.html's sprite
    picture.append(use);
    const caption = document.createElement("span");
    caption.textContent = "Your data";
    button.append(picture, caption);
    return button;
  }

  function showWhen(state) {
    const { config } = state;
    const dataset = shownDataset(state);
    // The logic gates' four points: a gate menu instead of noise, the training share, the number
    // of points and regenerate, which do not apply to them; nor do they (or the class count, which
    // the points' labels set) to your own points. A dataset attribute names one dataset or several
    // ("logic custom"); an element with several conditions is shown when all hold.
    const names = (text) => text.split(" ");
    // A table (issue 14): `data-unless-table` steps aside on every table (empty value) or on the
    // kinds it names ("image"), `data-when-table` shows only on a table (of the kinds it names).
    const kind = tableKind(state); // null on the plane; "" while a table's data is on its way
    const app = root.querySelector("[data-app]");
    if (app) app.dataset.table = kind === null ? "" : kind || "pending";
    const ofKind = (text) => kind !== null && (text.trim() === "" || names(text.trim()).includes(kind));
    for (const el of root.querySelectorAll("[data-when-problem], [data-when-dataset], [data-unless-dataset], [data-when-optimizer], [data-when-table], [data-unless-table]")) {
      const { whenProblem, whenDataset, unlessDataset, whenOptimizer, whenTable, unlessTable } = el.dataset;
      const off = (whenProblem !== undefined && config.problem !== whenProblem)
        || (whenDataset !== undefined && !names(whenDataset).includes(dataset))
        || (unlessDataset !== undefined && names(unlessDataset).includes(dataset))
        || (whenOptimizer !== undefined && config.optimizer !== whenOptimizer)
        || (whenTable !== undefined && !ofKind(whenTable))
        || (unlessTable !== undefined && ofKind(unlessTable));
      el.classList.toggle("is-off", off);
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

  // (Fewer points or a smaller training share lower a batch that would no longer fit: the server
  // does that, so a change is never refused for it.)
  for (const select of selects) {
    select.addEventListener("change", () => session.configure({ [select.dataset.config]: parse(select, select.value) }));
  }
  for (const input of sliders) {
    input.addEventListener("input", () => showSliderValue(input));
    input.addEventListener("change", () => session.configure({ [input.dataset.config]: parse(input, input.value) }));
  }
  for (const input of texts) {
    input.addEventListener("change", () => {
      const value = input.value.trim();
      if (input.dataset.type === "number") {
        // The stop conditions: empty is off (null); text that is not a number goes as typed, so
        // the server's error says what is allowed (the page never judges a value itself).
        const number = Number(value.replace(",", "."));
        session.configure({ [input.dataset.config]: value === "" ? null : Number.isFinite(number) ? number : value });
      } else if (value) {
        session.configure({ [input.dataset.config]: value });
      }
    });
  }
  speed.addEventListener("change", () => session.setSpeed(Number(speed.value)));
  datasets.addEventListener("click", (event) => {
    const button = event.target.closest("[data-dataset]");
    // "Your data" is views/drawing.js's: it opens the tools (the server's data changes with the first points).
    if (button && button.dataset.dataset !== CUSTOM) session.configure({ dataset: button.dataset.dataset });
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
    recover: () => {
      session.configure({ learning_rate: recoveryRate(store.state.config, store.state.hello.options) });
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
    if (event.key === " " && event.target === document.body && !hiddenControls(store.state.hidden).has("playButton")) {
      event.preventDefault();
      session.togglePlay();
    }
  });

  // -- from the store --------------------------------------------------------------------------

  store.on(["hello", "config", "epochsPerFrame", "data", "userPoints"], (_, state) => render(state));
  store.on("display", (display) => {
    for (const box of root.querySelectorAll("[data-display]")) box.checked = Boolean(display[box.dataset.display]);
  });
  store.on("playing", (playing) => {
    const play = root.querySelector("[data-action=play]");
    play.setAttribute("aria-pressed", String(playing));
    play.setAttribute("aria-label", playing ? "Pause training" : "Run training");
  });
  store.on(["hidden", "hideText"], (_, state) => {
    const hidden = hiddenControls(state.hidden);
    // An element may name several controls ("learningRate resetButton"): it goes with any of them.
    for (const el of root.querySelectorAll("[data-control]")) {
      el.hidden = el.dataset.control.split(" ").some((name) => hidden.has(name));
    }
    // "More settings" goes too when everything in it is hidden.
    for (const more of root.querySelectorAll("details.more")) {
      const inside = [...more.querySelectorAll("[data-control]")];
      if (inside.length && inside.every((el) => el.hidden)) more.hidden = true;
    }
    for (const el of root.querySelectorAll("[data-text]")) el.hidden = state.hideText;
  });
}
