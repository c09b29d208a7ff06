/* Stratagem report: sortable tables and row filters. Vendored, no dependencies, no network.
 * Loaded as the page's one inline script, allowed by its hash in the Content-Security-Policy.
 *
 * Sorting: a click on a <th> of a table.sortable sorts its body by that column. A cell's sort key is its
 * data-sort attribute (else its text); th[data-type=num] compares numbers. Cells with an empty key (an
 * undefined value, shown as —) always go last, whatever the direction. Ties keep the original order.
 *
 * Filters: an <input> or <select> with data-filter="TABLE_ID" and data-col="K" hides the rows of that
 * table whose column K does not contain (input, case-insensitive) or equal (select) its value.
 */
(function () {
  "use strict";

  function cellKey(row, col) {
    var cell = row.cells[col];
    if (!cell) { return ""; }
    var key = cell.getAttribute("data-sort");
    return key === null ? cell.textContent.trim() : key;
  }

  function sortTable(table, th) {
    var col = th.cellIndex;
    var numeric = th.getAttribute("data-type") === "num";
    var current = th.getAttribute("aria-sort");
    var descending = current ? current === "ascending" : numeric;  // numbers: largest first
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { if (!r.hasAttribute("data-i")) { r.setAttribute("data-i", i); } });
    rows.sort(function (a, b) {
      var ka = cellKey(a, col), kb = cellKey(b, col);
      if (ka === "" || kb === "") {
        if (ka !== kb) { return ka === "" ? 1 : -1; }
      } else {
        var c = numeric ? parseFloat(ka) - parseFloat(kb) : ka.localeCompare(kb);
        if (c !== 0) { return descending ? -c : c; }
      }
      return parseInt(a.getAttribute("data-i"), 10) - parseInt(b.getAttribute("data-i"), 10);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function applyFilters(tableId) {
    var table = document.getElementById(tableId);
    if (!table) { return; }
    var controls = document.querySelectorAll('[data-filter="' + tableId + '"]');
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var ok = Array.prototype.every.call(controls, function (c) {
        var want = c.value.trim().toLowerCase();
        if (!want) { return true; }
        var cell = row.cells[parseInt(c.getAttribute("data-col"), 10)];
        var text = cell ? cell.textContent.trim().toLowerCase() : "";
        return c.tagName === "SELECT" ? text === want : text.indexOf(want) !== -1;
      });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var counter = document.querySelector('[data-count-for="' + tableId + '"]');
    if (counter) { counter.textContent = String(shown); }
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortTable(table, th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortTable(table, th); }
      });
    });
  });
  document.querySelectorAll("[data-filter]").forEach(function (c) {
    var run = function () { applyFilters(c.getAttribute("data-filter")); };
    c.addEventListener("input", run);
    c.addEventListener("change", run);
  });
})();
