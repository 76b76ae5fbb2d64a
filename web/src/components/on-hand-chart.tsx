import { useEffect, useRef } from 'react';
import { fromApiNumber, toThousandths } from '../lib/quantity';

/** One day of an article's on-hand history (GET /api/reports/stock-history). */
export interface HistoryDay {
  readonly day: string;
  readonly onHand: number;
}

/**
 * The on-hand chart: uPlot, loaded by a dynamic import so that its JavaScript and CSS are fetched
 * only when an article's detail is opened, never with the first screen. The plotted values are
 * for the eye only; the figures users read elsewhere stay exact decimal strings.
 */
export function OnHandChart({ days, label }: { readonly days: readonly HistoryDay[]; readonly label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let plot: { destroy(): void; setSize(size: { width: number; height: number }): void } | undefined;
    let cancelled = false;
    // The chart follows its box's width: a tablet turned, a window resized, the menu opened.
    const resizing = new ResizeObserver(() => {
      if (plot && box.current) plot.setSize({ width: Math.max(280, box.current.clientWidth), height: 220 });
    });
    if (box.current) resizing.observe(box.current);
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (cancelled || !box.current) return;
      const x = days.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1000);
      // Thousandths to units for the axis only: a chart's pixels need no exact arithmetic.
      const y = days.map((day) => Number(toThousandths(fromApiNumber(day.onHand))) / 1000);
      const width = Math.max(280, box.current.clientWidth);
      plot = new UPlot({ width, height: 220, series: [{}, { label: 'On hand', stroke: '#0d6efd', fill: 'rgba(13,110,253,0.1)' }], axes: [{}, {}], legend: { show: false } }, [x, y], box.current);
    });
    return () => {
      cancelled = true;
      resizing.disconnect();
      plot?.destroy();
    };
  }, [days]);
  return <div ref={box} className="on-hand-chart" role="img" aria-label={label} />;
}
