/**
 * An ECharts chart in a figure, with its text alternative: the drawing is an
 * image named by `label`, and the same numbers are given as a table that only
 * screen readers see. Only the chart types and components the dashboard draws
 * are registered, with the SVG renderer.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts';
import {
  GridComponent, LegendComponent, TooltipComponent,
  type GridComponentOption, type LegendComponentOption, type TooltipComponentOption,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.ComposeOption<
  BarSeriesOption | LineSeriesOption | PieSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** Text colours and the palette, from the console's own (WCAG AA on white). */
export const COLORS = {
  text: '#1c2430',
  muted: '#4f5b6b',
  grid: '#d3d8df',
  accent: '#0b5cad',
  ok: '#17612f',
  bad: '#9b1c1c',
  busy: '#0b4f8a',
  wait: '#a36400',
  plain: '#5b6472',
};

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

export interface AltTable {
  columns: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<string | number>>;
}

export function Chart({ title, label, option, alt, testId, empty, wide = false }: {
  title: string;
  /** What the chart shows, in one sentence: the image's accessible name. */
  label: string;
  option: ChartOption;
  alt: AltTable;
  testId: string;
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: ReactNode;
  /** Across the whole row of charts. */
  wide?: boolean;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const titleId = useId();

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'svg' });
    chart.current = c;
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [empty === undefined]);

  useEffect(() => {
    // a named font: ECharts measures text with it to lay out legends and labels
    chart.current?.setOption({ ...option, textStyle: { color: COLORS.text, fontFamily: FONT } }, { notMerge: true });
  }, [option, empty === undefined]);

  return (
    <figure className={`card chart-figure${wide ? ' chart-wide' : ''}`} aria-labelledby={titleId} data-testid={testId}>
      <h2 id={titleId}>{title}</h2>
      {empty !== undefined ? <p className="empty">{empty}</p> : <div ref={el} className="chart" role="img" aria-label={label} />}
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>{alt.columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
        </thead>
        <tbody>
          {alt.rows.map((r, i) => <tr key={i}>{r.map((v, j) => (j === 0 ? <th key={j} scope="row">{v}</th> : <td key={j}>{v}</td>))}</tr>)}
        </tbody>
      </table>
    </figure>
  );
}
