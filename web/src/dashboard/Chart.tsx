import { useEffect, useRef, type ReactNode } from 'react';
import { ArcElement, BarController, BarElement, CategoryScale, Chart as ChartJs, DoughnutController, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { useI18n } from '../i18n/index.tsx';

ChartJs.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip);

/** Colours that stay apart for the common colour-vision deficiencies; every series is also named in the legend and the table. */
export const PALETTE = ['#1e3a8a', '#d97706', '#0f766e', '#b91c1c', '#7c3aed', '#4b5563', '#0369a1', '#a16207'];

export interface Series {
  label: string;
  data: number[];
  color?: string;
}

interface Props {
  kind: 'bar' | 'doughnut';
  /** What the chart shows, said to screen readers (the table below carries the figures). */
  title: string;
  labels: string[];
  series: Series[];
  stacked?: boolean;
  horizontal?: boolean;
  height?: number;
  /** The table behind the chart, on the page folded by default; omitted when a visible table beside it already gives the figures. */
  table?: ReactNode;
}

/** A Chart.js chart a manager reads at a glance, and the same figures as a table for everyone else. */
export function Chart({ kind, title, labels, series, stacked = false, horizontal = false, height = 260, table }: Props) {
  const { t, lang } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const key = JSON.stringify({ kind, labels, series, stacked, horizontal, lang });
  useEffect(() => {
    if (!canvas.current) return;
    const doughnut = kind === 'doughnut';
    const config: ChartConfiguration = {
      type: kind,
      data: {
        labels,
        datasets: series.map((s, i) => ({
          label: s.label,
          data: s.data,
          backgroundColor: doughnut ? s.data.map((_, j) => PALETTE[j % PALETTE.length]!) : (s.color ?? PALETTE[i % PALETTE.length]!),
          borderColor: doughnut ? '#fff' : undefined,
          borderWidth: doughnut ? 2 : 0,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: lang === 'fr' ? 'fr-FR' : 'en-GB',
        indexAxis: horizontal ? 'y' : 'x',
        plugins: { legend: { position: 'bottom', labels: { color: '#1b1f24' } } },
        scales: doughnut
          ? {}
          : {
              x: { stacked, beginAtZero: true, ticks: { color: '#5b6470', precision: 0 }, grid: { display: horizontal } },
              y: { stacked, beginAtZero: true, ticks: { color: '#5b6470', precision: 0 }, grid: { display: !horizontal } },
            },
      },
    };
    const chart = new ChartJs(canvas.current, config);
    return () => chart.destroy();
  }, [key]);
  return (
    <figure className="chart">
      <div className="chart-canvas" style={{ height }}>
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
      {table && (
        <details className="chart-table">
          <summary>{t.steering.chartTable}</summary>
          {table}
        </details>
      )}
    </figure>
  );
}
