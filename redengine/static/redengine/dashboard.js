// Draws the dashboard's two bar charts from the figures the page embeds (no inline script: CSP).
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  function bar(id, labels, values) {
    var node = document.getElementById(id);
    if (!node || !labels.length) { return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      color: ["#b71c1c"],
      grid: { left: 40, right: 16, top: 16, bottom: 60 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 5 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: values, label: { show: true, position: "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bar("chart-orgs", data.types, data.orgs);
  bar("chart-schools", data.districts, data.schools);
})();
