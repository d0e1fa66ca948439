// Draw the charts the server built (a JSON figure beside each `[data-chart]` box) once plotly.js, loaded
// deferred, is there; charts arriving later in an HTMX fragment are drawn as they land.
(function () {
  "use strict";
  function draw(root) {
    if (!window.Plotly) return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (box) {
      if (box.dataset.drawn) return;
      var source = document.getElementById(box.getAttribute("data-chart"));
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      box.dataset.drawn = "1";
      window.Plotly.newPlot(box, figure.data, figure.layout, figure.config);
    });
  }
  draw(document);
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
