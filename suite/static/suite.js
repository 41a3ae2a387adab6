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
  // An import's progress (the import_progress macro): poll its JSON status instead of reloading the page,
  // every second while it runs, and again after 5 s when the network or the server fails.
  document.querySelectorAll("[data-import-status]").forEach(function (box) {
    function part(name) { return box.querySelector('[data-part="' + name + '"]'); }
    (function poll() {
      fetch(box.getAttribute("data-import-status"), {headers: {Accept: "application/json"}, credentials: "same-origin"})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (s) {
          var bar = part("bar"), list = part("problems");
          bar.max = s.total || 1; bar.value = s.processed;
          part("count").textContent = s.processed;
          part("status").textContent = s.status;
          part("message").textContent = s.message;
          if (list && s.problems) {
            list.textContent = "";
            s.problems.forEach(function (p) {
              var item = document.createElement("li");
              item.className = "error"; item.textContent = p; list.appendChild(item);
            });
          }
          if (s.status === "pending" || s.status === "running") setTimeout(poll, 1000);
          else if (part("refresh")) part("refresh").remove();
        })
        .catch(function () { setTimeout(poll, 5000); });
    })();
  });
})();
