/** Two small SVG charts, drawn from data with the DOM: a step line and horizontal bars. */
import { h } from "./dom.ts";

const SVG = "http://www.w3.org/2000/svg";

function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Points (x, y) with y in 0..1, as a line over a light grid; `label` names it for readers. */
export function lineChart(points: readonly { x: number; y: number }[], label: string): SVGElement {
  const W = 600;
  const H = 200;
  const svg = svgEl("svg", {
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": label,
    class: "chart",
  });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(
      svgEl("line", {
        x1: 0,
        x2: W,
        y1: H - f * H,
        y2: H - f * H,
        stroke: "#ccc",
        "stroke-width": 1,
      }),
    );
  }
  if (points.length > 0) {
    const x0 = points[0]!.x;
    const span = Math.max(1, points.at(-1)!.x - x0);
    const d = points
      .map(
        (p, i) =>
          `${i === 0 ? "M" : "L"}${(((p.x - x0) / span) * W).toFixed(1)} ${(H - p.y * H).toFixed(1)}`,
      )
      .join(" ");
    svg.append(svgEl("path", { d, fill: "none", stroke: "#0b4f8a", "stroke-width": 3 }));
  }
  return svg;
}

/** One row per option: label, a bar as wide as its share, the number. */
export function barList(
  rows: readonly { label: string; value: number }[],
  format: (n: number) => string,
): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h(
    "div",
    { class: "bars" },
    rows.map((r) =>
      h(
        "div",
        { class: "bar-row" },
        h("span", {}, r.label),
        h(
          "span",
          { "aria-hidden": "true" },
          h("span", {
            class: "bar-fill",
            style: `display:block;width:${((r.value / max) * 100).toFixed(1)}%`,
          }),
        ),
        h("span", {}, format(r.value)),
      ),
    ),
  );
}
