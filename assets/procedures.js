/*
 * "Tra cứu thủ tục": filter the procedure table as the citizen types, and by
 * domain. Without JavaScript the form stays hidden and the table is complete.
 * Matching ignores case and Vietnamese diacritics (the rows carry their folded
 * text in data-fold, made by cchc.pages_procedures.fold). No network, no HTML
 * parsing: only the hidden attribute and textContent change.
 */
(function () {
  "use strict";

  function fold(s) {
    return String(s || "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  }

  function init() {
    var form = document.getElementById("tt-filter");
    var input = document.getElementById("tt-q");
    var domain = document.getElementById("tt-domain");
    var status = document.getElementById("tt-status");
    var table = document.getElementById("tt-table");
    if (!form || !input || !domain || !status || !table) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var timer = null;

    function apply() {
      var words = fold(input.value).split(" ").filter(Boolean);
      var d = domain.value;
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute("data-fold") || "";
        var ok = (!d || row.getAttribute("data-domain") === d) &&
          words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      status.textContent = (words.length || d)
        ? "Có " + shown + " / " + rows.length + " thủ tục phù hợp."
        : "";
    }

    form.hidden = false;
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(apply, 120);   // announce once the citizen pauses typing
    });
    domain.addEventListener("change", apply);
    var q = "";
    try { q = new URLSearchParams(window.location.search).get("q") || ""; } catch (e) { /* file:// */ }
    if (q) { input.value = q; apply(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.CCHC_procedureFold = fold;   // exposed for tests
})();
