/* The statistics dashboard's charts (ECharts, vendored): each element with a
   data-chart attribute is drawn from the JSON in #stats-data. */
(function () {
  "use strict";

  function bar(series, labels, horizontal) {
    var category = { type: "category", data: series.labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var value = { type: "value" };
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: horizontal ? 160 : 50, right: 50, bottom: 60, top: 40 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? { type: "category", data: series.labels, inverse: true } : [value, { type: "value", max: 100, name: "%" }],
      series: [
        { name: labels.certificates, type: "bar", data: series.certificates },
        { name: labels.results, type: "bar", data: series.results },
      ].concat(horizontal ? [] : [
        { name: labels.pass_rate, type: "line", yAxisIndex: 1, data: series.pass_rate },
      ]),
    };
  }

  function line(series, labels) {
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, bottom: 40, top: 40 },
      xAxis: { type: "category", data: series.labels },
      yAxis: { type: "value" },
      series: [
        { name: labels.certificates, type: "line", data: series.certificates },
        { name: labels.results, type: "line", data: series.results },
        { name: labels.passed, type: "line", data: series.passed },
      ],
    };
  }

  function pie(series, labels) {
    return {
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { bottom: 0 },
      series: [{
        name: labels.certificates,
        type: "pie",
        radius: ["35%", "65%"],
        data: series.labels.map(function (label, i) {
          return { name: label, value: series.certificates[i] };
        }),
      }],
    };
  }

  function schools(series, labels) {
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, bottom: 60, top: 40 },
      xAxis: { type: "category", data: series.labels, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value" },
      series: [
        { name: labels.graduating, type: "bar", data: series.graduating },
        { name: labels.certified, type: "bar", data: series.certified },
      ],
    };
  }

  function optionFor(name, data) {
    var labels = data.labels;
    switch (name) {
      case "city": return bar(data.city, labels, false);
      case "occupation": return bar(data.occupation, labels, true);
      case "month": return line(data.month, labels);
      case "level": return pie(data.level, labels);
      case "type": return pie(data.type, labels);
      case "schools": return data.schools ? schools(data.schools, labels) : null;
      default: return null;
    }
  }

  function draw() {
    var source = document.getElementById("stats-data");
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var option = optionFor(element.getAttribute("data-chart"), data);
      if (!option) {
        return;
      }
      element.style.height = element.getAttribute("data-chart") === "occupation" ? "480px" : "320px";
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
