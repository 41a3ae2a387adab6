// pastebin: highlight #L12-L20 ranges and select a range with shift-click on line numbers.
// Single lines work without this file (CSS :target).
(function () {
  "use strict";
  var RANGE = /^#((?:f\d+-)?)L(\d+)(?:-L(\d+))?$/;
  var anchor = null;

  function clear() {
    document.querySelectorAll("pre.code .line.hl").forEach(function (el) { el.classList.remove("hl"); });
  }

  function mark(prefix, from, to) {
    clear();
    if (from > to) { var t = from; from = to; to = t; }
    for (var n = from; n <= to; n++) {  // lines are numbered 1..N: stop at the last (a link may say L2000000000)
      var line = document.getElementById(prefix + "L" + n);
      if (!line) break;
      line.classList.add("hl");
    }
    var first = document.getElementById(prefix + "L" + from);
    if (first) first.scrollIntoView({block: "center"});
  }

  function fromHash() {
    var m = RANGE.exec(window.location.hash);
    if (!m) { clear(); return; }
    var from = parseInt(m[2], 10), to = m[3] ? parseInt(m[3], 10) : from;
    anchor = {prefix: m[1], line: from};
    mark(m[1], from, to);
  }

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("pre.code a.ln");
    if (!link) return;
    var pre = link.closest("pre.code");
    var prefix = pre.getAttribute("data-prefix") || "";
    var n = parseInt(link.getAttribute("data-n"), 10);
    if (ev.shiftKey && anchor && anchor.prefix === prefix) {
      ev.preventDefault();
      var from = Math.min(anchor.line, n), to = Math.max(anchor.line, n);
      var hash = "#" + prefix + "L" + from + (to > from ? "-L" + to : "");
      history.replaceState(null, "", hash);
      mark(prefix, from, to);
      var sel = window.getSelection && window.getSelection();
      if (sel) sel.removeAllRanges();
      return;
    }
    anchor = {prefix: prefix, line: n};
  });

  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
