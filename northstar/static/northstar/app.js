// Northstar: the little JavaScript the pages need beyond htmx.
// Without it everything still works: the navigation simply stays open on small screens.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
  });

  // Copy buttons (the API token shown once).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = "Copied";
    });
  });

  // Behaviour that used to sit in inline handlers (the Content-Security-Policy allows no inline script):
  // a select that submits its form when changed, a field that selects its text when clicked.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
  document.addEventListener("click", function (event) {
    var field = event.target.closest("[data-select-on-click]");
    if (field) field.select();
  });

  // Selecting a passage of a feedback item fills the quote fields, so a quote is one drag away.
  document.addEventListener("mouseup", function () {
    var text = document.getElementById("feedback-text");
    var selection = window.getSelection();
    if (!text || !selection || selection.isCollapsed || !text.contains(selection.anchorNode)) return;
    var quote = selection.toString().trim();
    document.querySelectorAll("[data-quote-target], [data-quote-copy]").forEach(function (el) { el.value = quote; });
  });

  // Charts: the server renders each figure as JSON beside an empty box (data-plotly-figure names the
  // JSON's element); draw every box not drawn yet, on load and in fragments htmx swaps in. A chart
  // with data-plotly-links opens the address in a point's first custom value when it is clicked.
  function drawCharts(root) {
    if (!window.Plotly) return;
    (root || document).querySelectorAll("[data-plotly-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-plotly-figure"));
      if (!source || el.dataset.drawn) return;
      var figure = JSON.parse(source.textContent);
      el.dataset.drawn = "1";
      var config = figure.config || { responsive: true, displaylogo: false };
      window.Plotly.newPlot(el, figure.data, figure.layout, config);
      if (el.hasAttribute("data-plotly-links")) {
        el.on("plotly_click", function (event) {
          var point = event.points && event.points[0];
          if (point && point.customdata) window.location.href = point.customdata[0];
        });
      }
    });
  }
  // "/" (or Ctrl/Cmd+K) anywhere but a field jumps to the search box marked data-search-shortcut.
  document.addEventListener("keydown", function (event) {
    var box = document.querySelector("[data-search-shortcut]");
    if (!box) return;
    var typing = event.target.closest("input, textarea, select, [contenteditable]");
    var wanted = (event.key === "/" && !typing) || (event.key === "k" && (event.ctrlKey || event.metaKey));
    if (!wanted) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // A link to "#comment-12" lands on a thread HTMX loads after the page: scroll there once it arrives.
  document.addEventListener("htmx:afterSwap", function (event) {
    var id = window.location.hash.slice(1);
    if (!id) return;
    var target = document.getElementById(id);
    if (target && event.target.contains(target)) target.scrollIntoView({ block: "center" });
  });

  window.addEventListener("load", function () { drawCharts(document); });
  document.addEventListener("htmx:load", function (event) { drawCharts(event.target); });
})();
