// "Open a CSV table…" in the data panel (issue 14): a CSV file whose first line names its columns
// becomes the session's data as a table (docs/protocol.md "Tables": `import_data` with format
// "table"). After the file is picked, the page reads its header and lets the student choose the
// target column (the one to predict) and the input columns (ticked: every other column); then it
// sends the file. The targets must fit the session's problem type, which the form shows and
// changes as the toolbar's menu does (at once, a new network); when the target's values look like
// another problem's (0/1: classification, a few whole numbers from 0: multi-class, else
// regression), it says so and offers the switch. The server judges the file: a refused one shows
// its errors and bad lines, and nothing changes. A file larger than the server takes
// (`hello.limits.max_message_bytes`) is not sent, and the form says so. On success the dataset is
// `table` and the table view shows it (views/houses.js).

import { labelOf } from "../labels.js";

const TARGET_NAMES = /^(price|target|label|class|y|output|value)$/i;

function element(tag, attrs = {}, text = "") {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  if (text) el.textContent = text;
  return el;
}

/** The header's column names and the number of rows under it (blank lines skipped, as the server does). */
export function headerOf(text) {
  const lines = text.replace(/^\ufeff/, "").split(/\r\n|\r|\n/).filter((line) => line.trim());
  if (!lines.length) return { columns: [], rows: 0, lines: [] };
  return { columns: lines[0].split(",").map((name) => name.trim()), rows: lines.length - 1, lines: lines.slice(1) };
}

/** A first guess at the problem from a column's values (the student can change it; the server judges). */
export function guessProblem(values) {
  const numbers = values.map((v) => Number(v.trim())).filter((v) => v === v); // NaN is not equal to itself
  if (!numbers.length) return "regression";
  const distinct = new Set(numbers);
  if ([...distinct].every((v) => v === 0 || v === 1) || [...distinct].every((v) => v === -1 || v === 1)) return "classification";
  if (distinct.has(0) && distinct.size >= 3 && [...distinct].every((v) => Number.isInteger(v) && v >= 0 && v <= 9)) return "multiclass";
  return "regression";
}

function kilobytes(bytes) {
  return `${Math.ceil(bytes / 1024).toLocaleString("en")} KB`;
}

export function mountTableUpload(root, store, session) {
  const host = root.querySelector("[data-table-upload]");
  if (!host) return;
  const openButton = element("button", { type: "button", class: "button", "data-action": "open-table", title: "A CSV file whose first line names its columns: choose the one to predict" }, "Open a CSV table…");
  const fileInput = element("input", { type: "file", accept: ".csv,text/csv,text/plain", "data-table-file": "", class: "visually-hidden", tabindex: "-1", "aria-hidden": "true" });
  const form = element("form", { class: "table-form", "data-table-form": "", hidden: "", "aria-labelledby": "table-form-title" });
  const formTitle = element("h3", { class: "user-tools-title", id: "table-form-title" }, "Your table");
  const summary = element("p", { class: "table-summary", "data-table-summary": "" });
  const targetField = element("label", { class: "field" });
  const targetSelect = element("select", { "data-table-target": "" });
  targetField.append(element("span", { class: "field-label" }, "Predict (the target column)"), targetSelect);
  const problemField = element("label", { class: "field" });
  const problemSelect = element("select", { "data-table-problem": "" });
  problemField.append(element("span", { class: "field-label" }, "Problem type"), problemSelect);
  const problemNote = element("div", { class: "table-problem-note", "data-table-problem-note": "", hidden: "" });
  const problemWords = element("p", { class: "hint" });
  const problemButton = element("button", { type: "button", class: "button", "data-action": "switch-table-problem" });
  problemNote.append(problemWords, problemButton);
  const inputsBox = element("fieldset", { class: "table-inputs" });
  const inputsList = element("div", { class: "table-input-list", "data-table-inputs": "" });
  inputsBox.append(element("legend", { class: "field-label" }, "Inputs the network takes"), inputsList);
  const actions = element("div", { class: "user-actions" });
  const sendButton = element("button", { type: "submit", class: "button primary", "data-action": "send-table" }, "Train on this table");
  const cancelButton = element("button", { type: "button", class: "button", "data-action": "cancel-table" }, "Cancel");
  actions.append(sendButton, cancelButton);
  const splitNote = element("p", { class: "hint" }, "Every fifth row is a test row; the network trains on the others.");
  form.append(formTitle, summary, targetField, problemField, problemNote, inputsBox, actions, splitNote);
  const errorBox = element("div", { class: "user-error", "data-table-error": "", role: "alert", hidden: "" });
  const note = element("p", { class: "hint table-note", "data-table-upload-note": "", role: "status" });
  host.append(openButton, fileInput, form, errorBox, note);

  let file = null;     // {name, text, columns, rows, lines} of the picked file
  let pending = null;  // {number, name}: our import_data, until it is answered
  let guess = null;    // the problem the target's values look like

  const max = () => store.state.hello?.limits?.max_message_bytes;

  function hideError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
    errorBox.dataset.rows = "";
  }

  function showError(head, lines = [], rows = []) {
    const list = element("ul");
    list.append(...lines.map((text) => element("li", {}, text)));
    errorBox.replaceChildren(element("p", {}, head), ...(lines.length ? [list] : []));
    errorBox.dataset.rows = rows.join(",");
    errorBox.hidden = false;
  }

  function tooLarge(bytes, name) {
    showError(`${name} is too large to send: ${kilobytes(bytes)}, and the server takes at most ${kilobytes(max())} in one message.`,
      ["Use fewer rows or columns (a file of about 2,000 rows of a dozen numbers fits)."]);
  }

  function close() {
    file = null;
    form.hidden = true;
  }

  // -- the file ---------------------------------------------------------------------------------

  openButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const picked = fileInput.files?.[0];
    fileInput.value = "";
    if (!picked) return;
    hideError();
    note.textContent = "";
    if (max() && picked.size > max()) {
      close();
      tooLarge(picked.size, picked.name);
      return;
    }
    picked.text().then((text) => open(picked.name, text));
  });

  function open(name, text) {
    const { columns, rows, lines } = headerOf(text);
    file = { name, text, columns, rows, lines };
    summary.textContent = `${name}: ${rows.toLocaleString("en")} ${rows === 1 ? "row" : "rows"} under a header of ${columns.length} ${columns.length === 1 ? "column" : "columns"}.`;
    targetSelect.replaceChildren(...columns.map((c) => element("option", { value: c }, c || "(unnamed)")));
    targetSelect.value = columns.find((c) => TARGET_NAMES.test(c)) ?? columns[columns.length - 1] ?? "";
    const problems = store.state.hello?.options?.problem ?? [];
    problemSelect.replaceChildren(...problems.map((p) => element("option", { value: p }, labelOf("problem", p))));
    chooseTarget();
    form.hidden = false;
    targetSelect.focus();
  }

  /** A target chosen: its guessed problem, and every other column ticked as an input. */
  function chooseTarget() {
    const target = targetSelect.value;
    const index = file.columns.indexOf(target);
    guess = guessProblem(file.lines.map((line) => line.split(",")[index] ?? ""));
    inputsList.replaceChildren(...file.columns.filter((c) => c !== target).map((c) => {
      const label = element("label", { class: "check" });
      const box = element("input", { type: "checkbox", value: c, "data-table-input": c });
      box.checked = true;
      label.append(box, element("span", {}, c));
      return label;
    }));
    showProblem();
    enable();
  }

  const LOOKS = {
    regression: "numbers to predict (regression)",
    classification: "two classes, 0 and 1 (classification)",
    multiclass: "class numbers 0, 1, 2, … (multi-class)",
  };

  /** The session's problem in the menu, and the switch to the one the target looks like. */
  function showProblem() {
    const now = session.wanted("problem");
    if (document.activeElement !== problemSelect) problemSelect.value = now;
    const other = file && guess && guess !== now && [...problemSelect.options].some((o) => o.value === guess);
    problemNote.hidden = !other;
    if (!other) return;
    problemWords.textContent = `The values of ${targetSelect.value} look like ${LOOKS[guess] ?? labelOf("problem", guess)}, `
      + `and the targets must fit the problem type, now ${labelOf("problem", now)}.`;
    problemButton.textContent = `Switch to ${labelOf("problem", guess)}`;
    problemButton.dataset.problem = guess;
  }

  function enable() {
    const chosen = inputsList.querySelectorAll("input:checked").length;
    sendButton.disabled = !chosen || !targetSelect.value;
    sendButton.title = chosen ? "" : "Tick at least one input column";
  }

  targetSelect.addEventListener("change", chooseTarget);
  problemSelect.addEventListener("change", () => {
    session.configure({ problem: problemSelect.value });
    showProblem();
  });
  problemButton.addEventListener("click", () => {
    session.configure({ problem: problemButton.dataset.problem });
    showProblem();
    sendButton.focus();
  });
  inputsList.addEventListener("change", enable);
  cancelButton.addEventListener("click", () => {
    close();
    hideError();
    openButton.focus();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!file) return;
    const target = targetSelect.value;
    const boxes = [...inputsList.querySelectorAll("input")];
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    const inputs = chosen.length === boxes.length ? null : chosen;
    const message = { type: "import_data", format: "table", content: file.text, target, ...(inputs ? { inputs } : {}) };
    const bytes = new TextEncoder().encode(JSON.stringify(message)).length;
    if (max() && bytes > max()) {
      tooLarge(bytes, file.name);
      return;
    }
    hideError();
    const number = session.importTable({ content: file.text, target, ...(inputs ? { inputs } : {}) });
    if (!number) return;
    store.update({ tableSent: number });
    pending = { number, name: file.name };
    note.textContent = `Sending ${file.name}…`;
  });

  // -- the server's answer ----------------------------------------------------------------------

  store.on("tableRefused", (message) => {
    if (!pending || message.handled !== pending.number) return;
    const { name } = pending;
    pending = null;
    const rows = message.rows ?? [];
    const lines = [...(message.errors ?? [])];
    if (message.more > 0) lines.push(`…and ${message.more} more.`);
    const where = rows.length ? ` (${rows.length === 1 ? "line" : "lines"} ${rows.slice(0, 12).join(", ")}${rows.length > 12 ? " …" : ""})` : "";
    showError(`${name} was not opened${where}: nothing changed.`, lines, rows);
    note.textContent = "";
  });

  store.on("config", () => { if (file) showProblem(); });
  store.on("config", (config) => {
    if (!pending || session.handled < pending.number) return;
    // Errors come before the state that follows them: no refusal came, so the table is the data.
    const { name } = pending;
    pending = null;
    if (config.dataset !== "table") return;
    close();
    note.textContent = `Opened ${name} as a table.`;
    note.dataset.opened = name;
  });

  store.on("data", (data) => {
    const table = data?.table;
    if (!table || table.name !== "table" || !note.dataset.opened || store.state.config?.dataset !== "table") return;
    const used = Array.isArray(store.state.config.inputs) ? store.state.config.inputs.length : table.columns.length;
    note.textContent = `Opened ${note.dataset.opened}: ${table.train_rows.toLocaleString("en")} training rows and `
      + `${table.test_rows.toLocaleString("en")} test rows; the network predicts ${table.target} from ${used} `
      + `${used === 1 ? "column" : "columns"}.`;
  });
}
