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
        var hasData = series.series[key].some(function (value) { return value !== null; });
        canvas.setAttribute("data-rendered", hasData ? "true" : "empty");
      });
    }
    var culture = read("insights-culture-series");
    if (culture) {
      culture.charts.forEach(function (chart) {
        var canvas = document.querySelector('[data-culture-chart="' + chart.key + '"]');
        if (!canvas) { return; }
        new window.Chart(canvas, {
          type: "line",
          data: {
            labels: culture.labels,
            datasets: chart.datasets.map(function (team) {
              return { label: team.label, data: team.data, spanGaps: false };
            })
          },
          options: { animation: false, responsive: true }
        });
        var hasData = chart.datasets.some(function (team) {
          return team.data.some(function (value) { return value !== null; });
        });
        canvas.setAttribute("data-rendered", hasData ? "true" : "empty");
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
      canvas.setAttribute("data-rendered", scatter.points.length ? "true" : "empty");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
