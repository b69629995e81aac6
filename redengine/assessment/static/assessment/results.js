// Draws the results' two charts from the figures the page embeds (no inline script: CSP); each chart has
// its table beside it, for screen readers and print.
(function () {
  var source = document.getElementById("results-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var colors = ["#b71c1c", "#e53935", "#fb8c00", "#fdd835", "#9e9e9e"];
  function draw(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption(Object.assign({ animation: !still, tooltip: { trigger: "axis" } }, option));
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var total = data.counts.reduce(function (a, b) { return a + b; }, 0);
  if (total) {
    draw("chart-stars", {
      color: ["#b71c1c"],
      grid: { left: 40, right: 16, top: 16, bottom: 32, containLabel: true },
      xAxis: { type: "category", data: data.levels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.counts, barMaxWidth: 48, label: { show: true, position: "top" } }]
    });
  } else {
    document.getElementById("chart-stars").hidden = true;
  }
  if (data.from.length) {
    var series = data.levels.map(function (level, i) {
      return { name: level, type: "bar", stack: "to", color: colors[i % colors.length], barMaxWidth: 56,
               data: data.from.map(function (_f, j) { return data.rows[j][i]; }) };
    });
    draw("chart-transitions", {
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 32, containLabel: true },
      xAxis: { type: "category", data: data.from, name: data.from_label, nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
  } else {
    document.getElementById("chart-transitions").hidden = true;
  }
})();
