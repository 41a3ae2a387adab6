// wiki: import progress, polled as JSON instead of reloading the page.
(function () {
  "use strict";
  var box = document.getElementById("wiki-import");
  if (!box) return;
  (function poll() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var bar = document.getElementById("import-bar");
        bar.max = s.total || 1; bar.value = s.processed;
        document.getElementById("import-count").textContent = s.processed;
        document.getElementById("import-status").textContent = s.status;
        document.getElementById("import-message").textContent = s.message;
        var list = document.getElementById("import-problems");
        list.textContent = "";
        s.problems.forEach(function (p) {
          var item = document.createElement("li");
          item.className = "error"; item.textContent = p; list.appendChild(item);
        });
        if (s.status === "pending" || s.status === "running") setTimeout(poll, 1000);
        else { var note = document.getElementById("import-refresh"); if (note) note.remove(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  })();
})();
