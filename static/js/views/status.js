// Where the page stands: the connection indicator and banner, the epoch counter, the playing
// state, error toasts, and the data-* attributes on the app root that tests and styles read.

const CONNECTION_TEXT = {
  connecting: "Connecting…",
  open: "Connected",
  reconnecting: "Reconnecting…",
  full: "Server full, waiting…",
  crowded: "Too many tabs, waiting…",
};

const BANNER_TEXT = {
  reconnecting: "Lost the connection to the training server. Reconnecting by itself; your settings and training are kept.",
  full: "The training server is full right now (too many open pages). Waiting for a free place…",
  crowded: "Too many playground tabs are open from this computer (or this network). Close one, and this one connects by itself.",
};

const TOAST_MS = 6000;

/** 1234 → "001,234", as the original's iteration counter. */
export function formatEpoch(epoch) {
  const padded = String(Math.max(0, Math.floor(epoch))).padStart(6, "0");
  return padded.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function mountStatus(root, store) {
  const app = root.querySelector("[data-app]");
  const pill = root.querySelector("[data-connection-status]");
  const pillText = root.querySelector("[data-connection-text]");
  const banner = root.querySelector("[data-banner]");
  const bannerText = root.querySelector("[data-banner-text]");
  const epoch = root.querySelector("[data-epoch-counter]");
  const toast = root.querySelector("[data-toast]");
  const interactive = [root.querySelector(".toolbar"), root.querySelector(".workspace")];
  let toastTimer = null;
  let wasOpen = false;

  store.on("connection", (status) => {
    app.dataset.connection = status;
    pill.dataset.state = status;
    pillText.textContent = CONNECTION_TEXT[status] ?? status;
    const open = status === "open";
    banner.hidden = open || status === "connecting";
    bannerText.textContent = BANNER_TEXT[status] ?? BANNER_TEXT.reconnecting;
    // Nothing can be changed while there is no session to change; the page says why.
    for (const el of interactive) el.inert = !open;
    if (open && wasOpen) showToast("Reconnected. Your settings were restored from the page address.");
    wasOpen = wasOpen || open;
  });

  // Epochs per second while playing, over the last second or so (speed = epochs per frame).
  const rate = root.querySelector("[data-epoch-rate]");
  let sample = null;
  store.on("epoch", (value) => {
    epoch.textContent = formatEpoch(value);
    app.dataset.epoch = String(value);
    const now = performance.now();
    if (!store.state.playing || !sample || value < sample.epoch) {
      sample = { epoch: value, time: now };
    } else if (now - sample.time > 1000) {
      const perSecond = ((value - sample.epoch) * 1000) / (now - sample.time);
      rate.textContent = `${Math.round(perSecond).toLocaleString("en")} epochs/s`;
      sample = { epoch: value, time: now };
    }
  });
  store.on("playing", (playing) => {
    app.dataset.playing = String(playing);
    if (!playing) rate.textContent = "";
  });
  let framesReceived = 0;
  store.on("frame", () => {
    framesReceived += 1;
    app.dataset.framesReceived = String(framesReceived);
  });
  store.on("diverged", (diverged) => {
    app.dataset.diverged = String(diverged);
  });
  store.on("config", (config) => {
    if (config) app.dataset.problem = config.problem;
  });

  function showToast(text) {
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.hidden = true; }, TOAST_MS);
  }
  store.on(["error", "notice"], (text) => {
    if (text) showToast(text);
  });
}
