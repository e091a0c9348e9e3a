/* Soash charts: uPlot time series from JSON blocks rendered by the server.
   <div class="chart" data-chart="ID"></div> + <script type="application/json" id="ID">{...}</script>
   Data: {x: [epoch seconds, UTC midnight], series: [{label, values, color}], format: "count"|"pct",
          kind: "line"|"bars", step: "day"|"week"|"month"} */
(function () {
  "use strict";

  var GRID = "#eceef2";
  var AXIS = "#5b6271";
  var FONT = '12px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  var charts = [];

  function compact(n) {
    if (n === null || n === undefined || isNaN(n)) return "—";
    var abs = Math.abs(n);
    var units = [[1e9, "B"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < units.length; i++) {
      if (abs >= units[i][0]) {
        var v = n / units[i][0];
        return (Math.abs(v) < 100 ? v.toFixed(1) : v.toFixed(0)).replace(/\.0$/, "") + units[i][1];
      }
    }
    return Number.isInteger(n) ? String(n) : n.toFixed(1);
  }

  function fmt(format, value, precise) {
    if (value === null || value === undefined) return "—";
    if (format === "pct") return (value * 100).toFixed(precise ? 2 : 1) + "%";
    return precise ? Math.round(value).toLocaleString("en") : compact(value);
  }

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function dateLabel(ts, step) {
    var d = new Date(ts * 1000);
    if (step === "month") return MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
  }

  function yRange(min, max, data, bars) {
    if (min === null || max === null || !isFinite(min) || !isFinite(max)) return [0, 1];
    var pad = (max - min) * 0.1;
    if (!(pad > 0)) pad = Math.abs(max) * 0.1 || 1;
    var lo = bars || data.zero ? 0 : min - pad;
    if (bars || data.format === "pct" || min >= 0) lo = Math.max(0, lo);
    return [lo, max + pad];
  }

  function build(el) {
    if (el.dataset.chartReady || typeof uPlot === "undefined") return;
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    el.dataset.chartReady = "1";
    var bars = data.kind === "bars";
    var series = [{ label: data.step === "month" ? "Month" : (data.step === "week" ? "Week of" : "Day"), value: function (u, ts) { return ts === null ? "—" : dateLabel(ts, data.step); } }];
    var columns = [data.x];
    data.series.forEach(function (s) {
      columns.push(s.values);
      series.push({
        label: s.label,
        stroke: s.color,
        width: bars ? 0 : 2,
        fill: bars ? s.color + "cc" : s.color + "14",
        spanGaps: false,
        points: { show: !bars && s.values.filter(function (v) { return v !== null; }).length < 40, size: 5, fill: s.color },
        paths: bars ? uPlot.paths.bars({ size: [0.7, 36] }) : undefined,
        value: function (u, v) { return fmt(data.format, v, true); }
      });
    });
    var height = parseInt(el.getAttribute("data-height") || "220", 10);
    var opts = {
      width: Math.max(el.clientWidth, 200),
      height: height,
      series: series,
      legend: { show: true, live: true },
      cursor: { points: { size: 7 }, drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: function (u, min, max) {
          var step = data.x.length > 1 ? data.x[1] - data.x[0] : 86400;
          var pad = bars ? step / 2 : 0;
          if (max - min <= 0) pad = Math.max(pad, 86400);
          return [min - pad, max + pad];
        } },
        y: { range: function (u, min, max) { return yRange(min, max, data, bars); } }
      },
      axes: [
        {
          stroke: AXIS, font: FONT, grid: { show: false }, ticks: { stroke: GRID },
          space: 70,
          splits: function (u) {
            // Ticks on the data's own days (or weeks, months), as many as fit.
            var width = u.bbox.width / (window.devicePixelRatio || 1);
            var every = Math.max(1, Math.ceil(data.x.length * 70 / Math.max(width, 1)));
            return data.x.filter(function (x, i) { return i % every === 0; });
          },
          values: function (u, splits) { return splits.map(function (ts) { return dateLabel(ts, data.step); }); }
        },
        {
          stroke: AXIS, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { show: false },
          size: 56,
          values: function (u, splits) { return splits.map(function (v) { return fmt(data.format, v, false); }); }
        }
      ]
    };
    var chart = new uPlot(opts, columns, el);
    charts.push({ chart: chart, el: el, height: height });
  }

  function resize() {
    charts.forEach(function (c) {
      var w = Math.max(c.el.clientWidth, 200);
      if (Math.abs(c.chart.width - w) > 2) c.chart.setSize({ width: w, height: c.height });
    });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(build);
  }

  window.SoashCharts = { init: init };
  var pending;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(resize, 120);
  });
  if (document.readyState !== "loading") init(document);
  else document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
