// govern's report: filters, and closing a cell's reasons. The page works without this
// script (every cell is there and opens); it only hides what the filters leave out.
// It reads values from the page's data-* attributes and writes only classes, "hidden" and
// textContent: nothing from the catalog is ever parsed as HTML.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var shown = document.getElementById("shown");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.profile"));
  var total = document.querySelectorAll("td.cell").length;

  function value(name) {
    var field = form.elements.namedItem(name);
    return field ? field.value : "";
  }

  function cellMatches(cell, rec, change) {
    if (rec && cell.dataset.rec !== rec) { return false; }
    if (change === "any" && !cell.dataset.change) { return false; }
    if (change && change !== "any" && cell.dataset.change !== change) { return false; }
    return true;
  }

  function apply() {
    var profile = value("profile"), model = value("model"), task = value("task");
    var rec = value("recommendation"), change = value("change");
    var count = 0;
    sections.forEach(function (section) {
      section.hidden = Boolean(profile) && section.dataset.profile !== profile;
      section.querySelectorAll("thead th[data-task]").forEach(function (th) {
        th.hidden = Boolean(task) && th.dataset.task !== task;
      });
      section.querySelectorAll("tbody tr").forEach(function (row) {
        var matching = 0;
        row.querySelectorAll("td.cell").forEach(function (cell) {
          cell.hidden = Boolean(task) && cell.dataset.task !== task;
          var on = !cell.hidden && cellMatches(cell, rec, change);
          cell.classList.toggle("off", !on);
          if (on) { matching += 1; }
        });
        row.hidden = (Boolean(model) && row.dataset.model !== model) || matching === 0;
        if (!section.hidden && !row.hidden) { count += matching; }
      });
    });
    shown.textContent = "Showing " + count + " of " + total + " cells";
  }

  function closeCell(details) {
    details.open = false;
    details.querySelector("summary").focus();
  }

  function openFromHash() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }

  if (form) {
    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    apply();
  }
  document.querySelectorAll("[data-close]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { closeCell(button.closest("details")); });
  });
  document.addEventListener("keydown", function (event) {
    var open = document.querySelector("td.cell details[open]");
    if (event.key === "Escape" && open) { closeCell(open); }
  });
  window.addEventListener("hashchange", openFromHash);
  openFromHash();
}());
