// The little form for typing weights and biases: one field for a clicked link or bias, or a
// neuron's bias and all its incoming weights (the keyboard path). Enter sets, Escape cancels.

const SHOWN_DECIMALS = 3;

/**
 * @typedef {object} Field
 * @property {string} label
 * @property {number} value
 * @property {(value: number) => void} apply
 */

export function createEditor(panel) {
  const box = panel.querySelector("[data-editor]");
  const title = panel.querySelector("[data-editor-title]");
  const form = panel.querySelector("[data-editor-form]");
  let fields = [];
  let onClose = null;
  let returnFocus = null;

  function close() {
    if (box.hidden) return;
    box.hidden = true;
    form.replaceChildren();
    const done = onClose;
    onClose = null;
    fields = [];
    if (done) done();
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus({ preventScroll: true });
  }

  /**
   * Open the editor near (x, y) in panel coordinates.
   * @param {{title: string, fields: Field[], x: number, y: number, onClose?: () => void}} spec
   */
  function open(spec) {
    close();
    returnFocus = document.activeElement;
    title.textContent = spec.title;
    fields = spec.fields.map((field, i) => {
      const row = document.createElement("label");
      row.className = "editor-row";
      const name = document.createElement("span");
      name.textContent = field.label;
      const input = document.createElement("input");
      input.type = "number";
      input.step = "any";
      input.inputMode = "decimal";
      input.required = true;
      input.value = field.value.toFixed(SHOWN_DECIMALS);
      input.dataset.editorField = String(i);
      row.append(name, input);
      form.append(row);
      return { ...field, input, initial: input.value };
    });
    const buttons = document.createElement("div");
    buttons.className = "editor-buttons";
    const set = document.createElement("button");
    set.type = "submit";
    set.className = "button primary";
    set.textContent = "Set";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", close);
    buttons.append(set, cancel);
    form.append(buttons);
    onClose = spec.onClose ?? null;
    box.hidden = false;
    const width = box.offsetWidth;
    const left = Math.max(8, Math.min(spec.x - width / 2, panel.clientWidth - width - 8));
    box.style.left = `${left}px`;
    box.style.top = `${Math.max(8, spec.y)}px`;
    const first = fields[0]?.input;
    if (first) {
      first.focus();
      first.select();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const field of fields) {
      const value = Number(field.input.value);
      if (field.input.value !== field.initial && Number.isFinite(value)) field.apply(value);
    }
    close();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  document.addEventListener("pointerdown", (event) => {
    if (!box.hidden && !box.contains(event.target)) close();
  }, true);

  return { open, close, get isOpen() { return !box.hidden; } };
}
