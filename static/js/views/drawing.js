// "Your data" (issue 13): the drawing tools of the data panel and the pointer on the big map while
// they draw. Choosing "Your data" (controls.js makes the button) opens them on an empty plane, with
// a button to start from the points shown instead; a click or tap adds a point of the chosen class
// (or value) at that place of the plane, a drag paints several, Erase removes those near the
// pointer, Undo takes back the last change (a stroke is one), Clear removes them all. Every change
// sends the whole list once as `import_data` (a CSV with a `set` column; a new point's set follows
// the even rule of userData.js), and the map shows the page's own list (`userPoints`) at once.
// A CSV file comes in by "Import CSV…" or dropped on the map; "Export CSV" downloads the server's
// `export_data`. A refused file (or change) is shown here with its rows, and nothing changes.
// While Draw or Erase is on, store `drawing` is true: the map's clicks and keys are ours, not the
// probe's (views/probe.js); "Probe" hands them back. The map takes the keyboard too: the arrow keys
// move a cross, Enter or Space draws (or erases) there, Ctrl+Z undoes.

import { CLASS_COLORS, cssOf } from "../colors.js";
import { linkPoints } from "../hash.js";
import { inView, round2, toPixels, viewOf } from "../maps.js";
import { loadSaved, csvCount, pointsOf, setOfNew, toCsv } from "../userData.js";

const CUSTOM = "custom";
const SPACING_PX = 10;  // a drag paints a point every this many pixels of the map
const ERASE_PX = 14;    // Erase takes the points within this many pixels of the pointer
const FILE_NAME = "playground-data.csv";

function plural(n, one, many) {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

export function mountDrawing(root, store, session) {
  const mapBox = root.querySelector("[data-map]");
  const datasets = root.querySelector("[data-datasets]");
  const tools = root.querySelector("[data-user-tools]");
  const start = tools.querySelector("[data-user-start]");
  const fromShown = tools.querySelector("[data-action=start-from-shown]");
  const restore = tools.querySelector("[data-action=restore-points]");
  const classBox = tools.querySelector("[data-user-classes]");
  const valueBox = tools.querySelector("[data-user-value]");
  const valueInput = valueBox.querySelector("input");
  const valueText = valueBox.querySelector("[data-user-value-text]");
  const valueSwatch = valueBox.querySelector(".swatch");
  const modes = [...tools.querySelectorAll("input[name=user-mode]")];
  const undoButton = tools.querySelector("[data-action=undo-points]");
  const clearButton = tools.querySelector("[data-action=clear-points]");
  const importButton = tools.querySelector("[data-action=import-points]");
  const exportButton = tools.querySelector("[data-action=export-points]");
  const fileInput = tools.querySelector("[data-user-file]");
  const count = tools.querySelector("[data-user-count]");
  const linkNote = tools.querySelector("[data-user-link-note]");
  const errorBox = tools.querySelector("[data-import-error]");
  const cursorMark = document.createElement("div");
  cursorMark.className = "draw-cursor";
  cursorMark.dataset.drawCursor = "";
  cursorMark.hidden = true;
  cursorMark.setAttribute("aria-hidden", "true");
  mapBox.append(cursorMark);

  let points = null;    // the page's own list while the tools are open, else null
  let history = [];     // the lists before each change, newest last (Undo)
  let unsent = false;   // the list is empty and was not sent (the server keeps its last data)
  let openedOn = null;  // "problem/dataset" the tools were opened over, until the server has our points
  let sent = null;      // {number, before, undo}: our latest import_data, until it is answered
  let stroke = null;    // {id, before, list, last}: a press on the map that is drawing or erasing
  let cursor = null;    // {x, y}: the keyboard's cross on the map
  let mode = "draw";
  let label = null;     // the class (or value) of new points
  let exporting = false;

  const options = () => store.state.hello?.options;
  const limits = () => options()?.user_data ?? {};
  const view = () => viewOf(store.state.hello, CUSTOM);

  function publish() {
    store.update({ userPoints: points, drawing: Boolean(points) && mode !== "probe" });
  }

  // -- opening and closing ----------------------------------------------------------------------

  function open() {
    if (points) return;
    const { config } = store.state;
    points = [];
    history = [];
    unsent = config.dataset !== CUSTOM;
    openedOn = unsent ? `${config.problem}/${config.dataset}` : null;
    // A drawn point goes to the test set every so often: show those too, or it would vanish.
    if (!store.state.display.showTestData) session.setDisplay({ showTestData: true });
    if (!unsent && store.state.data) points = pointsOf(store.state.data);
    publish();
  }

  function close() {
    if (!points) return;
    points = null;
    history = [];
    stroke = sent = null;
    cursor = null;
    publish();
  }

  // -- changes --------------------------------------------------------------------------------

  /** Make `next` the points (one change for Undo) and send them. */
  function change(next, { undo = false } = {}) {
    const before = points;
    if (!undo) history.push(before);
    points = next;
    publish();
    send(toCsv(next), before, undo);
  }

  function send(csv, before, undo) {
    hideError();
    if (csvCount(csv) === 0) {
      unsent = true; // nothing to train on: the server keeps its data until there are points
      sent = null;
      return;
    }
    const number = session.importData(csv);
    if (!number) {
      refused(before, undo);
      return;
    }
    unsent = false;
    sent = { number, before, undo };
  }

  /** A change that did not happen: back to the points before it. */
  function refused(before, undo) {
    if (!undo) history.pop();
    else history.push(points);
    points = before;
    unsent = !before?.length && store.state.config?.dataset !== CUSTOM;
    sent = null;
    publish();
  }

  /** A file's text: the server's answer says what the points are. */
  function importText(text) {
    open();
    const max = store.state.hello?.limits?.max_message_bytes;
    if (max && text.length > max) {
      showError([`The file is ${Math.ceil(text.length / 1000)} KB; at most ${Math.floor(max / 1000)} KB can be sent (about ${limits().max_points ?? 2000} points).`], []);
      return;
    }
    history.push(points);
    hideError();
    const number = session.importData(text);
    if (!number) {
      history.pop();
      return;
    }
    unsent = false; // the server's answer brings the file's points
    sent = { number, before: points, undo: false, file: true };
  }

  function undo() {
    if (!history.length || stroke) return;
    change(history.pop(), { undo: true });
  }

  function clear() {
    if (points?.length) change([]);
  }

  // -- the map --------------------------------------------------------------------------------

  /** The plane's point under a pointer event, or null outside the map. */
  function planeAt(event) {
    const rect = mapBox.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) return null;
    const [low, high] = view();
    return { x: round2(low + fx * (high - low)), y: round2(high - fy * (high - low)), px: fx * rect.width, py: fy * rect.height, size: rect.width };
  }

  /** Add a point at (x, y) to `list`, or take away those near it; whether anything changed. */
  function applyAt(list, at, size) {
    if (mode === "erase") {
      const [px, py] = toPixels(at.x, at.y, size, view());
      let removed = false;
      for (let i = list.length - 1; i >= 0; i--) {
        const [qx, qy] = toPixels(list[i][0], list[i][1], size, view());
        if (Math.hypot(qx - px, qy - py) <= ERASE_PX) {
          list.splice(i, 1);
          removed = true;
        }
      }
      return removed;
    }
    const max = limits().max_points;
    if (max && list.length >= max) {
      showError([`At most ${max.toLocaleString("en")} points: erase some to add others.`], []);
      return false;
    }
    if (!inView(at.x, at.y, view())) return false;
    list.push([at.x, at.y, label, setOfNew(list.length, store.state.config.train_ratio)]);
    return true;
  }

  function paint(event) {
    const at = planeAt(event);
    if (!at) return;
    if (mode === "draw" && stroke.last && Math.hypot(at.px - stroke.last[0], at.py - stroke.last[1]) < SPACING_PX) return;
    if (applyAt(stroke.list, at, at.size)) {
      stroke.changed = true;
      store.update({ userPoints: stroke.list });
    }
    stroke.last = [at.px, at.py];
  }

  mapBox.addEventListener("pointerdown", (event) => {
    if (!store.state.drawing || !event.isPrimary || event.button !== 0) return;
    if (event.target.closest("button, a, .diverged, .stalled")) return;
    event.preventDefault(); // no text selection, no scrolling under a finger
    mapBox.focus({ preventScroll: true });
    mapBox.setPointerCapture?.(event.pointerId);
    stroke = { id: event.pointerId, before: points, list: points.slice(), last: null, changed: false };
    paint(event);
  });
  mapBox.addEventListener("pointermove", (event) => {
    if (stroke && event.pointerId === stroke.id) paint(event);
  });
  const finish = (event) => {
    if (!stroke || event.pointerId !== stroke.id) return;
    const done = stroke;
    stroke = null;
    if (done.changed) {
      points = done.before;
      change(done.list);
    }
  };
  mapBox.addEventListener("pointerup", finish);
  mapBox.addEventListener("pointercancel", finish);

  function placeCursor() {
    if (!cursor || !store.state.drawing) {
      cursorMark.hidden = true;
      return;
    }
    const [low, high] = view();
    cursorMark.style.left = `${((cursor.x - low) / (high - low)) * 100}%`;
    cursorMark.style.top = `${((high - cursor.y) / (high - low)) * 100}%`;
    cursorMark.hidden = false;
    mapBox.dataset.drawCursor = `${cursor.x},${cursor.y}`;
  }

  mapBox.addEventListener("keydown", (event) => {
    if (event.target !== mapBox || !store.state.drawing) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
      event.preventDefault();
      undo();
      return;
    }
    const [low, high] = view();
    const step = (high - low) / (event.shiftKey ? 100 : 20);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const from = cursor ?? { x: (low + high) / 2, y: (low + high) / 2 };
    const clamp = (v) => round2(Math.max(low, Math.min(high, v)));
    if (moves[event.key]) {
      cursor = { x: clamp(from.x + moves[event.key][0]), y: clamp(from.y + moves[event.key][1]) };
    } else if (event.key === "Enter" || event.key === " ") {
      cursor = from;
      const list = points.slice();
      if (applyAt(list, cursor, mapBox.clientWidth)) change(list);
    } else if (event.key === "Escape" && cursor) {
      cursor = null;
    } else {
      return;
    }
    event.preventDefault();
    placeCursor();
  });
  mapBox.addEventListener("blur", () => { cursorMark.hidden = true; });
  mapBox.addEventListener("focus", () => placeCursor());

  // A CSV dropped on the map or on the tools.
  for (const target of [mapBox, tools]) {
    target.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("Files")) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      mapBox.dataset.dropping = "true";
    });
    target.addEventListener("dragleave", () => { delete mapBox.dataset.dropping; });
    target.addEventListener("drop", (event) => {
      const file = event.dataTransfer?.files?.[0];
      delete mapBox.dataset.dropping;
      if (!file) return;
      event.preventDefault();
      file.text().then(importText);
    });
  }

  // -- the tools ------------------------------------------------------------------------------

  datasets.addEventListener("click", (event) => {
    const button = event.target.closest("[data-dataset]");
    if (!button) return;
    if (button.dataset.dataset === CUSTOM) open();
    else close(); // another dataset: controls.js asks the server for it
  });
  fromShown.addEventListener("click", () => {
    const { data, config } = store.state;
    if (!data) return;
    const range = limits().label_range;
    // Points outside the view or the label range would be refused: the generated ones fit, almost always.
    const usable = pointsOf(data).filter(([x, y, l]) => inView(x, y, view())
      && (config.problem !== "regression" || !range || (l >= range[0] && l <= range[1])));
    change(usable.map(([x, y, l, set]) => [x, y, l, set]));
  });
  restore.addEventListener("click", () => {
    const saved = loadSaved();
    if (saved) importText(saved.csv);
  });
  undoButton.addEventListener("click", undo);
  clearButton.addEventListener("click", clear);
  importButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (file) file.text().then(importText);
  });
  exportButton.addEventListener("click", () => {
    if (session.exportData()) exporting = true;
  });
  for (const input of modes) {
    input.addEventListener("change", () => {
      if (!input.checked) return;
      mode = input.value;
      publish();
    });
  }
  tools.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && event.target.type !== "text") {
      event.preventDefault();
      undo();
    }
  });
  valueInput.addEventListener("input", () => {
    label = Number(valueInput.value);
    showValue();
  });

  /** The classes new points can be: the problem's (one more in multi-class, up to the limit). */
  function choices() {
    const { config } = store.state;
    if (config.problem === "classification") {
      return [{ value: -1, colour: cssOf(-1), text: "Orange (−1)" }, { value: 1, colour: cssOf(1), text: "Blue (+1)" }];
    }
    const highest = Math.max(-1, ...(points ?? []).map((p) => p[2]));
    const known = Math.max(config.num_classes, highest + 1);
    const most = limits().max_classes ?? CLASS_COLORS.length;
    const k = Math.min(most, known + 1, CLASS_COLORS.length);
    return Array.from({ length: k }, (_, i) => ({ value: i, colour: CLASS_COLORS[i], text: i >= known ? `Class ${i + 1} (new)` : `Class ${i + 1}` }));
  }

  function renderClasses() {
    const { config } = store.state;
    const regression = config.problem === "regression";
    classBox.hidden = regression;
    valueBox.hidden = !regression;
    if (regression) {
      if (typeof label !== "number" || label < -1 || label > 1) label = Number(valueInput.value);
      showValue();
      return;
    }
    const list = choices();
    if (!list.some((c) => c.value === label)) label = list[list.length > 2 && list.at(-1).text.endsWith("(new)") ? 0 : list.length - 1].value;
    const signature = list.map((c) => `${c.value}:${c.text}`).join("|");
    if (classBox._signature !== signature) {
      const focused = classBox.contains(document.activeElement);
      classBox.replaceChildren(...list.map((c) => {
        const item = document.createElement("label");
        item.className = "user-class";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "user-class";
        input.value = String(c.value);
        input.dataset.userClass = String(c.value);
        input.addEventListener("change", () => { if (input.checked) label = c.value; });
        const swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = c.colour;
        item.append(input, swatch, c.text);
        return item;
      }));
      classBox._signature = signature;
      if (focused) classBox.querySelector(`input[value="${label}"]`)?.focus();
    }
    for (const input of classBox.querySelectorAll("input")) input.checked = Number(input.value) === label;
  }

  function showValue() {
    valueText.textContent = Number(valueInput.value).toFixed(1).replace("-", "−");
    valueSwatch.style.background = cssOf(Number(valueInput.value));
  }

  function render() {
    const { config } = store.state;
    tools.hidden = !points;
    mapBox.dataset.drawing = points && mode !== "probe" ? mode : "";
    placeCursor();
    if (!points || !config) return;
    renderClasses();
    const train = points.filter((p) => p[3] !== "test").length;
    count.textContent = points.length
      ? `${plural(train, "training point", "training points")}, ${plural(points.length - train, "test point", "test points")}`
      : "No points yet.";
    count.dataset.train = String(train);
    count.dataset.test = String(points.length - train);
    const shownOther = config.dataset !== CUSTOM && store.state.data;
    start.hidden = points.length > 0;
    fromShown.hidden = !shownOther;
    const saved = loadSaved();
    restore.hidden = !(saved && saved.problem === config.problem && csvCount(saved.csv) > 0);
    if (!restore.hidden) restore.textContent = `Bring back your last ${plural(csvCount(saved.csv), "point", "points")}`;
    undoButton.disabled = !history.length;
    clearButton.disabled = !points.length;
    exportButton.disabled = !points.length || unsent || config.dataset !== CUSTOM;
    linkNote.hidden = !points.length || linkPoints(points) !== null;
  }

  // -- errors ---------------------------------------------------------------------------------

  function hideError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
  }

  function showError(lines, rows, more = 0) {
    const head = document.createElement("p");
    head.className = "user-error-head";
    head.textContent = rows.length
      ? `Not imported (your points are as they were): ${rows.length === 1 ? "row" : "rows"} ${listOf(rows)} ${rows.length === 1 ? "has a problem" : "have problems"}.`
      : "Not imported (your points are as they were).";
    const list = document.createElement("ul");
    list.append(...lines.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
    if (more > 0) {
      const li = document.createElement("li");
      li.textContent = `…and ${more} more.`;
      list.append(li);
    }
    errorBox.replaceChildren(head, list);
    errorBox.dataset.rows = rows.join(",");
    errorBox.hidden = false;
  }

  function listOf(rows) {
    const shown = rows.slice(0, 12).map(String);
    if (rows.length > 12) return `${shown.join(", ")} and ${rows.length - 12} more`;
    return shown.length > 1 ? `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}` : shown[0];
  }

  store.on("importRefused", (message) => {
    if (sent && message.handled === sent.number) {
      const { before, undo: wasUndo, file } = sent;
      if (file) {
        history.pop();
        sent = null;
      } else {
        refused(before, wasUndo);
      }
    }
    if (!points) open();
    showError(message.errors ?? [], message.rows ?? [], message.more ?? 0);
  });

  // -- from the server ------------------------------------------------------------------------

  store.on("config", (config) => {
    if (config.dataset === CUSTOM) {
      openedOn = null;
      if (!points) open();
    } else if (points && openedOn !== `${config.problem}/${config.dataset}`) {
      close(); // another dataset or problem: your points are gone from the session
    }
  });
  store.on("data", (data) => {
    // The server's points are the page's, once every change we sent is in (a file's come from there).
    if (!points || unsent || stroke || store.state.config?.dataset !== CUSTOM) return;
    if (sent && session.handled < sent.number) return;
    sent = null;
    points = pointsOf(data);
    publish();
  });
  store.on("exported", (csv) => {
    if (!exporting) return;
    exporting = false;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
    link.download = FILE_NAME;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  });
  store.on("connection", (status) => {
    // A reconnect's load sends the tab's points again; a change on its way is in them or lost.
    if (status !== "open") sent = null;
  });
  store.on(["userPoints", "config", "hello", "data"], render);
  render();
}
