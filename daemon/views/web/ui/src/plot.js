// The load profile as a plot (uPlot): the mean import and export power of every interval the
// API gives for the chosen range. Drag selects a span to zoom into; a double-click resets.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export function makePlot(el) {
  const opts = {
    width: Math.max(320, el.clientWidth || 800),
    height: 260,
    scales: { x: { time: true } },
    series: [
      {},
      { label: "import W", stroke: "#c0392b", fill: "rgba(192,57,43,0.12)", width: 1.5 },
      { label: "export W", stroke: "#2471a3", fill: "rgba(36,113,163,0.12)", width: 1.5 },
    ],
    axes: [{}, { label: "W", size: 70 }],
    cursor: { drag: { x: true, y: false } },
  };
  const plot = new uPlot(opts, [[], [], []], el);
  window.polymeterPlot = plot; // for tests/web: the points drawn
  window.addEventListener("resize", () =>
    plot.setSize({ width: Math.max(320, el.clientWidth), height: 260 }));
  return plot;
}

// uPlot's x values are seconds; the API gives the intervals' ends in ms.
export function setProfile(plot, p) {
  plot.setData([p.end_ms.map((ms) => ms / 1000), p.import_w, p.export_w]);
}
