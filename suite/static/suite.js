// suite: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Confirm dangerous forms: <form data-confirm="Really?">
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
  // Copy buttons: <button data-copy="#selector">
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-copy]");
    if (!btn) return;
    var node = document.querySelector(btn.getAttribute("data-copy"));
    if (!node || !navigator.clipboard) return;
    var text = node.value !== undefined ? node.value : node.textContent;
    navigator.clipboard.writeText(text).then(function () {
      var old = btn.textContent; btn.textContent = "Copied"; setTimeout(function () { btn.textContent = old; }, 1500);
    });
  });
  // Show times in the reader's own zone.
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) t.textContent = d.toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"});
  });
})();
