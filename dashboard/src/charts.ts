// Chart.js set up for the dark theme, and a card that shows either a chart or
// a friendly empty state (a new install has no data; empty axes look broken).
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip, type ChartConfiguration, type ChartDataset,
} from 'chart.js';
import { card, emptyState, h } from './dom';
import { bucketLabel, viewerTimeZone } from './timeseries';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);
Chart.defaults.color = '#adb5bd';
Chart.defaults.borderColor = 'rgba(255, 255, 255, 0.08)';
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.maintainAspectRatio = false;
// No animation: a chart caught mid-animation (a background tab, a screenshot, a refresh during the
// first draw) showed bars of no length and lines at the wrong time. What is drawn is the data, at once.
Chart.defaults.animation = false;

declare global {
  interface Window {
    /** Chart.js itself, so a browser test can read what each canvas draws (Chart.getChart(canvas)). */
    Chart?: typeof Chart;
  }
}
window.Chart = Chart;

export const COLOURS = {
  blue: '#4dabf7', green: '#51cf66', cyan: '#3bc9db', yellow: '#fcc419', red: '#ff6b6b',
  violet: '#b197fc', grey: '#868e96', orange: '#ff922b',
};

export type AnyChartConfig = ChartConfiguration<'line' | 'bar'>;

export class ChartCard {
  readonly element: HTMLElement;
  private readonly canvasWrap: HTMLElement;
  private readonly emptyWrap: HTMLElement;
  private chart: Chart<'line' | 'bar'> | null = null;
  private chartType: string | null = null;

  constructor(id: string, title: string, iconName: string, private readonly emptyText: { title: string; message: string }) {
    const canvas = h('canvas', { 'aria-label': title, role: 'img' });
    this.canvasWrap = h('div', { class: 'chart-wrap' }, canvas);
    this.emptyWrap = h('div', { class: 'd-none' });
    this.element = card(title, iconName, h('div', {}, this.canvasWrap, this.emptyWrap));
    this.element.dataset.chart = id;
    this.element.dataset.state = 'loading';
  }

  /** Draws the config, or the empty state when there is nothing to plot. */
  show(config: AnyChartConfig | null): void {
    if (!config || !hasData(config)) {
      this.chart?.destroy();
      this.chart = null;
      this.canvasWrap.classList.add('d-none');
      this.emptyWrap.replaceChildren(emptyState('chart-simple', this.emptyText.title, this.emptyText.message));
      this.emptyWrap.classList.remove('d-none');
      this.element.dataset.state = 'empty';
      return;
    }
    this.emptyWrap.classList.add('d-none');
    this.canvasWrap.classList.remove('d-none');
    if (this.chart && this.chartType === config.type) {
      // Update in place on auto-refresh: no flicker. The options too: a range switch changes the axis.
      this.chart.data = config.data;
      this.chart.options = config.options ?? {};
      this.chart.update('none');
    } else {
      this.chart?.destroy();
      const canvas = this.canvasWrap.querySelector('canvas')!;
      this.chart = new Chart(canvas, config);
      this.chartType = config.type;
    }
    this.element.dataset.state = 'filled';
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
  }
}

function hasData(config: AnyChartConfig): boolean {
  return config.data.datasets.some((dataset) => (dataset.data as Array<number | null>).some((value) => typeof value === 'number' && value > 0));
}

type Series = { label: string; data: Array<number | null>; colour: string };

/** The x axis of a time series: its labels are the buckets' ISO starts, shown in the viewer's time zone (an IST day as India's). */
export interface TimeAxis {
  granularity: 'hour' | 'day';
}

function timeScale(axis: TimeAxis | undefined) {
  if (!axis) return {};
  return {
    title: { display: true, text: axis.granularity === 'hour' ? `Hour starting (your time, ${viewerTimeZone()})` : 'Day (India time, IST: the quota\'s day)' },
    ticks: { callback(this: { getLabelForValue(value: number): string }, value: number | string) { return bucketLabel(this.getLabelForValue(Number(value)), axis.granularity); } },
  };
}

function timeTooltip(axis: TimeAxis | undefined) {
  if (!axis) return {};
  return { callbacks: { title: (items: Array<{ label: string }>) => (items[0] ? bucketLabel(items[0].label, axis.granularity, true) : '') } };
}

export function lineChart(labels: string[], series: Series[], options: { fill?: boolean; unit?: string; time?: TimeAxis } = {}): AnyChartConfig {
  const datasets: ChartDataset<'line'>[] = series.map((s) => ({
    label: s.label, data: s.data, borderColor: s.colour, backgroundColor: `${s.colour}33`,
    fill: options.fill ?? false, tension: 0.25, cubicInterpolationMode: 'monotone', pointHitRadius: 8, spanGaps: true,
    // A lone value between gaps (latency of one busy hour) has no line to draw: give it a dot.
    pointRadius: s.data.map((value, i) => (value !== null && s.data[i - 1] == null && s.data[i + 1] == null ? 3 : 0)),
  }));
  return {
    type: 'line',
    data: { labels, datasets },
    options: {
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { display: series.length > 1 }, tooltip: mergeCallbacks(unitTooltip(options.unit), timeTooltip(options.time)) },
      scales: { x: { ...timeScale(options.time), ticks: { maxTicksLimit: 8, maxRotation: 0, ...timeScale(options.time).ticks } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
}

export function barChart(labels: string[], series: Series[], options: { stacked?: boolean; horizontal?: boolean; time?: TimeAxis } = {}): AnyChartConfig {
  const datasets: ChartDataset<'bar'>[] = series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.colour, borderRadius: 3, maxBarThickness: 36 }));
  const stacked = options.stacked ?? false;
  return {
    type: 'bar',
    data: { labels, datasets },
    options: {
      indexAxis: options.horizontal ? 'y' : 'x',
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { display: series.length > 1 }, tooltip: timeTooltip(options.time) },
      scales: {
        x: { stacked, ...timeScale(options.time), ticks: { maxTicksLimit: options.horizontal ? 6 : 8, maxRotation: 0, ...timeScale(options.time).ticks }, beginAtZero: true },
        y: { stacked, beginAtZero: true, ticks: { precision: 0, autoSkip: !options.horizontal } },
      },
    },
  };
}

function mergeCallbacks(...parts: Array<{ callbacks?: object }>) {
  return { callbacks: Object.assign({}, ...parts.map((part) => part.callbacks ?? {})) };
}

function unitTooltip(unit?: string) {
  if (!unit) return {};
  return { callbacks: { label: (item: { dataset: { label?: string }; formattedValue: string }) => `${item.dataset.label ?? ''}: ${item.formattedValue} ${unit}` } };
}
