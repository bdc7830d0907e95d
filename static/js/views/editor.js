// The little form for typing weights and biases: one field for a clicked link or bias, or a
// neuron's bias and all its incoming weights (the keyboard path). Enter sets, Escape cancels.
// A non-modal popup that sits, for the keyboard, right after the control that opened it: Set,
// Cancel and Escape close it and put focus back there; Tab past Cancel closes it and moves on to
// the control after that one, Shift+Tab before the first field closes it back onto the opener, and
// focus leaving it any other way (a click elsewhere, a screen reader's jump) closes it where it went.

const SHOWN_DECIMALS = 3;

const TABBABLE = "button, input, select, textarea, summary, a[href], [tabindex]";

/**
 * Whether an element is rendered and visible (checkVisibility, where the browser has it: Safari
 * before 17.4, on many classroom iPads, does not).
 * @param {Element} el
 */
export function isShown(el) {
  if (el.checkVisibility) return el.checkVisibility({ visibilityProperty: true });
  return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
}

/** Everything Tab stops at, in document order (what the browser's own Tab order would visit). */
function tabStops() {
  return [...document.querySelectorAll(TABBABLE)].filter((el) => el.tabIndex >= 0 && !el.disabled
    && !el.closest("[inert]") && isShown(el));
}

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
  let returnFocus = () => null;

  /**
   * Close the editor. Focus, if it is inside, goes back to the opener (`to: "opener"`), on to the
   * control after it (`"next"`), back to the opener or else the control before the editor
   * (`"previous"`), or stays where it went (`"none"`: it already left).
   */
  function close(to = "opener") {
    if (box.hidden) return;
    const hadFocus = box.contains(document.activeElement);
    const opener = returnFocus();
    box.hidden = true; // first: the focus moves below must not close it again
    form.replaceChildren();
    const done = onClose;
    onClose = null;
    fields = [];
    if (done) done();
    if (!hadFocus || to === "none") return;
    const real = opener && opener !== document.body && opener.isConnected ? opener : null;
    // Opened by a click on a link (nothing focused): Tab and Shift+Tab leave from where it sits.
    const target = to === "next" ? stopBeside(real ?? box, true)
      : real ?? (to === "previous" ? stopBeside(box, false) : opener);
    target?.focus({ preventScroll: true });
  }

  /** The Tab stop after (or before) `from` in document order, outside the editor. */
  function stopBeside(from, after) {
    const side = after ? Node.DOCUMENT_POSITION_FOLLOWING : Node.DOCUMENT_POSITION_PRECEDING;
    const stops = tabStops().filter((el) => (from.compareDocumentPosition(el) & side) && !box.contains(el) && !from.contains(el));
    return (after ? stops[0] : stops[stops.length - 1]) ?? null;
  }

  /**
   * Open the editor near (x, y) in panel coordinates.
   * @param {{title: string, fields: Field[], x: number, y: number, onClose?: () => void,
   *   returnFocus?: () => (HTMLElement|null)}} spec  `returnFocus` finds the opener when the editor
   *   closes (it may have been rebuilt meanwhile); by default, whatever had focus when it opened.
   */
  function open(spec) {
    close("none");
    const opened = document.activeElement;
    returnFocus = spec.returnFocus ?? (() => (opened?.isConnected ? opened : null));
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
    cancel.addEventListener("click", () => close());
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
    } else if (event.key === "Tab") {
      const stops = [...box.querySelectorAll(TABBABLE)].filter((el) => !el.disabled);
      const edge = event.shiftKey ? stops[0] : stops[stops.length - 1];
      if (document.activeElement !== edge) return; // Tab between its own fields
      event.preventDefault();
      close(event.shiftKey ? "previous" : "next");
    }
  });
  box.addEventListener("focusout", (event) => {
    // (No relatedTarget: the window lost focus, or a click on nothing, which pointerdown handles.)
    if (!box.hidden && event.relatedTarget && !box.contains(event.relatedTarget)) close("none");
  });
  document.addEventListener("pointerdown", (event) => {
    if (!box.hidden && !box.contains(event.target)) close("none");
  }, true);

  return { open, close: () => close(), get isOpen() { return !box.hidden; } };
}
