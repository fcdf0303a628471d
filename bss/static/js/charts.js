// The chart pattern (bss/charts.py, templates/bss/_chart.html). Chart.js is loaded only on pages that have a chart,
// from our own static files (data-chart-lib); each <figure data-chart> names the json_script element with its data.
(function () {
  var PALETTE = ["#1f5fbf", "#1d7a46", "#a86400", "#b42318", "#6941c6", "#0d5c63", "#5b6475"];

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-chart"));
    var canvas = figure.querySelector("canvas");
    if (!source || !canvas || canvas.dataset.drawn) { return; }
    var spec = JSON.parse(source.textContent);
    var round = spec.kind === "doughnut" || spec.kind === "pie";
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          return {
            label: s.label,
            data: s.values.map(Number),
            backgroundColor: round ? PALETTE.slice(0, spec.labels.length) : PALETTE[i % PALETTE.length],
            borderColor: round ? "#fff" : PALETTE[i % PALETTE.length]
          };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: round || spec.series.length > 1 } },
        scales: round ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  function drawAll() {
    var figures = document.querySelectorAll("figure[data-chart]");
    if (!figures.length) { return; }
    if (window.Chart) { figures.forEach(draw); return; }
    var script = document.createElement("script");
    script.src = figures[0].getAttribute("data-chart-lib");
    script.onload = function () { document.querySelectorAll("figure[data-chart]").forEach(draw); };
    document.head.appendChild(script);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
