/*
 * Tasks page: instant filters by status and lead unit over the activities
 * grouped by area. Without JavaScript the form stays hidden and the views by
 * status and by unit below the areas do the same job with links.
 * Only the hidden/open attributes and textContent change; no network.
 */
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("nv-filter");
    var status = document.getElementById("nv-status");
    var unit = document.getElementById("nv-unit");
    var count = document.getElementById("nv-count");
    var root = document.getElementById("nv-areas");
    if (!form || !status || !unit || !count || !root) { return; }
    var areas = Array.prototype.slice.call(root.querySelectorAll("details.c-area"));

    function apply() {
      var s = status.value, u = unit.value, shown = 0, total = 0;
      areas.forEach(function (area) {
        var n = 0;
        Array.prototype.forEach.call(area.querySelectorAll("li.c-task"), function (li) {
          total += 1;
          var ok = (!s || (s === "qua_han" ? li.hasAttribute("data-overdue") : li.getAttribute("data-status") === s)) &&
                   (!u || li.getAttribute("data-unit") === u);
          li.hidden = !ok;
          if (ok) { n += 1; }
        });
        shown += n;
        area.hidden = n === 0;
        area.open = Boolean(s || u) && n > 0;
      });
      count.textContent = (s || u) ? "Có " + shown + "/" + total + " hoạt động phù hợp." : "";
    }

    form.hidden = false;
    status.addEventListener("change", apply);
    unit.addEventListener("change", apply);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
