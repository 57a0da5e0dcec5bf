// A small hand-written SVG line chart (no third-party code): messages bridged per minute per network pair over
// the last hour. The geometry is a pure function (tested with node --test); the DOM part uses createElementNS
// and classes only (the CSP allows no inline styles). Series differ by dash pattern and legend text as well as
// colour, and a table next to the chart gives the same numbers as text.

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @typedef {{label: string, values: number[]}} Series
 * @typedef {{label: string, points: string, total: number}} Line
 * @typedef {{width: number, height: number, max: number, ticks: number[], lines: Line[],
 *            plot: {left: number, top: number, right: number, bottom: number}}} Geometry
 */

/**
 * A "nice" upper bound for the y axis: 1, 2 or 5 times a power of ten, at least 1.
 * @param {number} max
 * @returns {number}
 */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(max)));
  for (const step of [1, 2, 5, 10]) {
    if (max <= step * power) return step * power;
  }
  return 10 * power;
}

/**
 * Where every series' points go. Values are per-minute counts, oldest first; x runs over the minutes.
 * @param {Series[]} series
 * @param {number} width
 * @param {number} height
 * @returns {Geometry}
 */
export function chartGeometry(series, width, height) {
  const plot = { left: 36, top: 8, right: width - 8, bottom: height - 22 };
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const ticks = [0, max / 2, max];
  const lines = series.map((s) => {
    const n = s.values.length;
    const points = s.values.map((v, i) => {
      const x = plot.left + (n <= 1 ? 0 : (i * (plot.right - plot.left)) / (n - 1));
      const y = plot.bottom - (v / max) * (plot.bottom - plot.top);
      return `${round(x)},${round(y)}`;
    }).join(' ');
    return { label: s.label, points, total: s.values.reduce((a, b) => a + b, 0) };
  });
  return { width, height, max, ticks, lines, plot };
}

/** @param {number} n */
function round(n) {
  return Math.round(n * 10) / 10;
}

/**
 * @param {string} tag
 * @param {Record<string, string|number>} attrs
 * @param {...Element} children
 */
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/**
 * The chart as an SVG element with an accessible name summarising it.
 * @param {Series[]} series
 * @param {string} title
 * @returns {Element}
 */
export function lineChart(series, title) {
  const g = chartGeometry(series, 640, 200);
  const { plot } = g;
  const root = svg('svg', { viewBox: `0 0 ${g.width} ${g.height}`, class: 'chart', role: 'img',
    'aria-label': title + ': ' + (series.length === 0 ? 'nothing bridged yet'
      : g.lines.map((l) => `${l.label} ${l.total}`).join(', ')) });
  for (const t of g.ticks) {
    const y = plot.bottom - (t / g.max) * (plot.bottom - plot.top);
    const label = svg('text', { x: plot.left - 4, y: y + 4, class: 'chart-tick', 'text-anchor': 'end' });
    label.textContent = String(t);
    root.append(svg('line', { x1: plot.left, x2: plot.right, y1: y, y2: y, class: 'chart-grid' }), label);
  }
  for (const [text, x, anchor] of [['−60 min', plot.left, 'start'], ['now', plot.right, 'end']]) {
    const label = svg('text', { x, y: g.height - 6, class: 'chart-tick', 'text-anchor': String(anchor) });
    label.textContent = String(text);
    root.append(label);
  }
  g.lines.forEach((l, i) => {
    const line = svg('polyline', { points: l.points, class: `chart-line chart-series-${i % 4}`,
      'data-series': l.label });
    root.append(line);
  });
  return root;
}
