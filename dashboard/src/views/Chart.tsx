// A time-series chart drawn by uPlot (canvas: fast with many points, small to load), sized
// to its box, in the page's colours, with a text summary for screen readers.
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  /** A CSS custom property of the stylesheet, e.g. "--chart-ok". */
  colour: string;
  dash?: number[];
}

interface ChartProps {
  title: string;
  /** Unit of the y axis, shown on its values. */
  unit: string;
  series: Series[];
  /** x (unix seconds) first, then one array per series. */
  data: (number | null)[][];
  summary: string;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

function options(props: ChartProps, width: number): uPlot.Options {
  const text = cssVar("--muted");
  const grid = cssVar("--line");
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: 180,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [axis, { ...axis, size: 56, values: (_u, ticks) => ticks.map((v) => `${+v.toFixed(3)} ${props.unit}`) }],
    series: [
      {},
      ...props.series.map((s) => ({
        label: s.label,
        stroke: cssVar(s.colour),
        width: 2,
        dash: s.dash,
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => (v === null ? "—" : `${+v.toFixed(3)} ${props.unit}`),
      })),
    ],
  };
}

/** "dark" or "light", following the system as the stylesheet does. */
function useColourScheme(): string {
  const query = "(prefers-color-scheme: dark)";
  const [scheme, setScheme] = useState(() => (window.matchMedia(query).matches ? "dark" : "light"));
  useEffect(() => {
    const media = window.matchMedia(query);
    const changed = () => setScheme(media.matches ? "dark" : "light");
    media.addEventListener("change", changed);
    return () => media.removeEventListener("change", changed);
  }, []);
  return scheme;
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const scheme = useColourScheme();
  const { data } = props;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const current = latest.current;
    const chart = new uPlot(options(current, element.clientWidth || 320), current.data as uPlot.AlignedData, element);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Made again only when the colours change; new data goes in with setData below.
  }, [scheme]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={`${props.title}: ${props.summary}`} />
    </figure>
  );
}
