// Loaded as a classic script before main.js: if the page's code fails to load (a network blip
// mid-load), reload a few times rather than stay a dead page; main.js clears the count once it
// runs. A file, not an onerror attribute: the Content-Security-Policy allows no inline script.
// The error of a <script> does not bubble, but a listener on window in the capture phase hears it.
"use strict";
window.addEventListener("error", function (event) {
  var script = event.target;
  if (!(script instanceof HTMLScriptElement) || script.type !== "module") return;
  var n;
  try {
    n = +(sessionStorage.getItem("playground-reloads") || 0);
    if (n >= 5) return;
    sessionStorage.setItem("playground-reloads", n + 1);
  } catch (e) {
    return; // no storage (a frame where the browser blocks third-party storage): no count, no reload loop
  }
  setTimeout(function () { location.reload(); }, 400 * (n + 1));
}, true);
