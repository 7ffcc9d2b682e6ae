// Draws the insights charts from data the page passes with json_script (no inline scripts).
(function () {
  "use strict";
  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var series = read("insights-series");
    if (series) {
      document.querySelectorAll("[data-insights-chart]").forEach(function (canvas) {
        var key = canvas.getAttribute("data-insights-chart");
        new window.Chart(canvas, {
          type: key === "conversations_created" || key === "goodwill_amount" ? "bar" : "line",
          data: {
            labels: series.labels,
            datasets: [{ label: series.labelsByKey[key] || key, data: series.series[key], spanGaps: true }]
          },
          options: { animation: false, responsive: true }
        });
        canvas.setAttribute("data-rendered", "true");
      });
    }
    var scatter = read("insights-scatter");
    var canvas = document.querySelector("[data-insights-scatter]");
    if (scatter && canvas) {
      new window.Chart(canvas, {
        type: "scatter",
        data: { datasets: [{ label: "Team-months", data: scatter.points }] },
        options: {
          animation: false,
          scales: { x: { title: { display: true, text: scatter.x } }, y: { title: { display: true, text: scatter.y } } }
        }
      });
      canvas.setAttribute("data-rendered", "true");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
