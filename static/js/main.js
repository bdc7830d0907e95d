// The page's entry point: makes the store, the connection and the session, mounts each view on
// its part of the page, and opens the websocket. Nothing here is global.

import { Connection, socketUrl } from "./connection.js";
import { Durable } from "./durable.js";
import { loadFeatureMaps, viewOf } from "./maps.js";
import { onPainted } from "./render.js";
import { loadLessons } from "./lessons.js";
import { Session } from "./session.js";
import { Store, initialState } from "./store.js";
import { onTable } from "./tables.js";
import { mountConfusion } from "./views/confusion.js";
import { mountControls } from "./views/controls.js";
import { mountDigits } from "./views/digits.js";
import { mountDrawing } from "./views/drawing.js";
import { mountGradients } from "./views/gradients.js";
import { mountLessons } from "./views/lessons.js";
import { mountLinkBuilder } from "./views/linkBuilder.js";
import { mountMetrics } from "./views/metrics.js";
import { mountModelIO } from "./views/modelIO.js";
import { mountNetwork } from "./views/network.js";
import { mountOutput } from "./views/output.js";
import { mountProbe } from "./views/probe.js";
import { mountStatus } from "./views/status.js";
import { mountStepThrough } from "./views/stepThrough.js";
import { mountStops } from "./views/stops.js";
import { mountSummary } from "./views/summary.js";
import { mountTableAbout } from "./views/tableAbout.js";
import { mountTruthTable } from "./views/truthTable.js";

function start() {
  try {
    sessionStorage.removeItem("playground-reloads"); // the code loaded (see boot.js)
  } catch {
    // No storage for this document (a course site's frame where the browser blocks third-party
    // storage): there is no count to clear, and the page works without it.
  }
  const root = document;
  const store = new Store(initialState());
  const connection = new Connection(socketUrl());
  // The training this tab keeps (memory and sessionStorage), brought back after every load.
  const durable = new Durable(store);
  const session = new Session(store, connection, undefined, durable);

  mountStatus(root, store);
  mountControls(root, store, session);
  const network = mountNetwork(root, store, session);
  mountOutput(root, store);
  // Your own points (issue 13): the data panel's tools and drawing on the big map (before the probe,
  // which leaves the map to them while they draw).
  mountDrawing(root, store, session);
  // The math of issue 12 on the diagram: a point's forward pass, one update step by step.
  mountProbe(root, store, session, network);
  mountStepThrough(root, store, session, network);
  // Tables (issue 14): a table of pictures' view where the map is (draw a digit, the test images' guesses).
  mountDigits(root, store, session, network);
  mountTableAbout(root, store);
  mountMetrics(root, store);
  mountGradients(root, store);
  mountConfusion(root, store);
  mountTruthTable(root, store, session);
  mountStops(root, store);
  mountLinkBuilder(root, store);
  mountModelIO(root, store, session);
  mountLessons(root, store, session);
  mountSummary(root, store);

  // Paint time, for the curious and for the performance test (read from the DOM, not a global).
  const app = root.querySelector("[data-app]");
  onPainted((stats) => { app.dataset.renderMs = stats.averageMs.toFixed(2); });

  // A link pasted over this one (or a hand-edited hash) applies at once.
  window.addEventListener("hashchange", () => session.applyHash());
  window.addEventListener("online", () => connection.retryNow());
  connection.open();
  // The input features' pictures (thumbnails, and the big map while one is hovered) over the
  // current dataset's view, fetched once per view; asked for again on the next connection if a try
  // fails (a flaky classroom Wi-Fi). Until the view's maps are here, none are shown (not another
  // view's).
  let asking = null; // the view key being fetched
  const askForMaps = () => {
    const { config, hello, featureMaps } = store.state;
    if (!config || !hello || onTable(store.state)) return; // a table has no plane to map its features on
    const view = viewOf(hello, config.dataset);
    const key = view.join(",");
    if (featureMaps?.key === key || asking === key) return;
    if (featureMaps) store.update({ featureMaps: null });
    asking = key;
    loadFeatureMaps(config.dataset, view).then((maps) => {
      const now = store.state.config;
      if (now && viewOf(store.state.hello, now.dataset).join(",") === maps.key) store.update({ featureMaps: maps });
    }, (error) => console.error(error)).finally(() => { if (asking === key) asking = null; });
  };
  store.on(["hello", "config"], askForMaps);
  // The lessons: a `#lesson=` link waits for them before it opens, so a failure is tried again a
  // few times, then the page goes on without lessons (the link opens as a plain one).
  const askForLessons = (tries) => loadLessons().then((lessons) => session.setLessons(lessons), (error) => {
    if (tries > 1) setTimeout(() => askForLessons(tries - 1), 1000);
    else { console.error(error); session.setLessons([]); }
  });
  askForLessons(4);
}

start();
