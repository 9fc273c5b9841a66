// A bar chart of revenue per interval. Loaded lazily: Chart.js is in its own chunk.
import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { SalesReport } from '../api/types';
import { date, minorDigits, money } from '../format';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export default function SalesChart({ report }: { report: SalesReport }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const scale = 10 ** minorDigits(report.currency);
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: report.buckets.map((b) => date(b.start)),
        datasets: [
          { label: 'Revenue', data: report.buckets.map((b) => b.revenue / scale), backgroundColor: '#3558a8' },
          { label: 'Refunds', data: report.buckets.map((b) => b.refunds / scale), backgroundColor: '#c0504d' },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${money(Math.round(Number(c.raw) * scale), report.currency)}` } },
        },
      },
    });
    return () => chart.destroy();
  }, [report]);
  const total = report.totals;
  return (
    <figure className="chart">
      <div style={{ position: 'relative', height: 260 }}>
        <canvas ref={canvas} role="img" aria-label={`Revenue per ${report.interval}: ${money(total.revenue, report.currency)} in all`} />
      </div>
      <figcaption>
        {total.orders} {total.orders === 1 ? 'order' : 'orders'}, revenue {money(total.revenue, report.currency)}, average{' '}
        {money(total.average_order_value, report.currency)}, discounts {money(total.discounts, report.currency)}, refunds{' '}
        {money(total.refunds, report.currency)}
      </figcaption>
    </figure>
  );
}
