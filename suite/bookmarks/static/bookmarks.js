// bookmarks: keyboard shortcuts, select-all, thumbnail polling.
// Every page works without this file (forms, links, a refreshing progress page).
(function () {
  "use strict";
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  var items = Array.prototype.slice.call(document.querySelectorAll(".bm-item"));
  var current = -1;
  function move(step) {
    if (!items.length) return;
    if (current >= 0) items[current].classList.remove("is-current");
    current = Math.max(0, Math.min(items.length - 1, current + step));
    items[current].classList.add("is-current");
    items[current].focus();
    items[current].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (ev.key === "/") {
      var q = document.getElementById("bm-q");
      if (q) { ev.preventDefault(); q.focus(); q.select(); }
    } else if (ev.key === "n") {
      var add = document.querySelector("[data-key=n]");
      if (add) window.location = add.href;
    } else if (ev.key === "j") {
      move(1);
    } else if (ev.key === "k") {
      move(-1);
    } else if (ev.key === "e") {
      var target = current >= 0 ? items[current] : document.querySelector(".bm-detail");
      if (target && target.getAttribute("data-edit")) window.location = target.getAttribute("data-edit");
    }
  });
  var all = document.getElementById("bm-all");
  if (all) {
    all.closest("label").hidden = false;  // hidden in the page: it needs this script to do anything
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = all.checked; });
    });
  }
  // Thumbnails still being made: ask for their status until they exist.
  document.querySelectorAll(".bm-placeholder[data-status-url]").forEach(function (ph) {
    var url = ph.getAttribute("data-status-url");
    if (!url) return;
    var tries = 0;
    (function poll() {
      if (tries++ > 60) return;
      fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          var src = s && (ph.getAttribute("data-size") === "large" ? s.thumb_large : s.thumb_small);
          if (src) {
            var img = document.createElement("img");
            img.className = "bm-thumb"; img.alt = ""; img.src = src;
            ph.replaceWith(img);
          } else if (s && s.thumbnail === "pending") {
            setTimeout(poll, 2000);
          }
        })
        .catch(function () { setTimeout(poll, 5000); });
    })();
  });
})();
