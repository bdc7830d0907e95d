// What a table is (issue 14), in the data panel while the session is on one: its title, how many
// rows and how they are split into training and test rows, what a row holds (a picture's pixels,
// or the columns) and its target, and where it comes from, all from the `data` message's table.

import { currentTable } from "../tables.js";

export function mountTableAbout(root, store) {
  const box = root.querySelector("[data-table-about]");
  if (!box) return;
  let shown = null;

  function render() {
    const table = currentTable(store.state);
    if (table === shown) return;
    shown = table;
    if (!table) {
      box.replaceChildren();
      return;
    }
    const title = document.createElement("strong");
    title.textContent = table.title;
    const rows = (table.train_rows + table.test_rows).toLocaleString("en");
    const inputs = table.image
      ? `Each row is a picture of ${table.image[0]} × ${table.image[1]} pixels (${table.columns.length} inputs, 0 to 255); the target is the ${table.target}.`
      : `Each row has ${table.columns.length} input${table.columns.length === 1 ? "" : "s"}; the target is ${table.target}${table.units ? ` (${table.units})` : ""}.`;
    // The table's own words for its split ("test: every fifth image…; training: the other 4,000"), else the counts.
    const split = table.split
      ? table.split.replace(/^./, (c) => c.toUpperCase())
      : `${table.train_rows.toLocaleString("en")} for training, ${table.test_rows.toLocaleString("en")} for testing`;
    const what = document.createElement("p");
    what.append(title, `: ${rows} rows. ${split}. ${inputs}`);
    const parts = [what];
    if (table.source) {
      const source = document.createElement("p");
      source.className = "table-source";
      source.textContent = `Source: ${table.source}.`;
      parts.push(source);
    }
    box.replaceChildren(...parts);
  }

  store.on(["data", "config"], render);
}
