// Draws the dashboard's two bar charts from the figures the page embeds (no inline script: CSP).
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var narrow = window.matchMedia && window.matchMedia("(max-width: 575.98px)").matches;
  function bar(id, labels, values) {
    var node = document.getElementById(id);
    if (!node) { return; }
    if (labels.length < 2) { node.hidden = true; return; }  // one bar says nothing the table does not
    var chart = echarts.init(node, null, { renderer: "svg" });
    var categories = { type: "category", data: labels, axisLabel: { interval: 0 } };
    var numbers = { type: "value", minInterval: 1 };
    var sideways = narrow && labels.length > 4;  // long category names read better down the side on a phone
    chart.setOption({
      animation: !still,
      color: ["#b71c1c"],
      grid: { left: sideways ? 72 : 40, right: 24, top: 16, bottom: sideways ? 24 : 40, containLabel: !sideways },
      tooltip: { trigger: "axis" },
      xAxis: sideways ? numbers : categories,
      yAxis: sideways ? Object.assign({}, categories, { inverse: true }) : numbers,
      series: [{ type: "bar", data: values, barMaxWidth: 48,
                 label: { show: true, position: sideways ? "right" : "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bar("chart-orgs", data.types, data.orgs);
  bar("chart-schools", data.districts, data.schools);
})();
