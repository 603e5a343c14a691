/**
 * The digest chart as SVG, drawn by hand: stacked bars of successful, warning and failed runs per day.
 * Pure string building; src/digest/render-digest-chart.ts turns it into PNG.
 */
import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import type { SessionKind } from '../../../core/backup-sessions.js';
import { must } from '../../../core/must.js';
import type { DigestDay, DigestFilters } from './summarize-digest.js';

const CHART_WIDTH = 800;
const CHART_HEIGHT = 400;

/** Slack's own palette, so the chart looks at home in a channel; readable for most colour-vision types. */
export const CHART_COLORS = { success: '#2EB67D', warning: '#ECB22E', failed: '#E01E5A' } as const;

export interface DigestChartOptions {
  timeZone: string;
  /** `7 days to Mon 31 Mar 08:00 (Europe/Berlin)` */
  subtitle: string;
  /**
   * false when no font is available to the rasteriser: then no text is drawn at all (the digest message carries
   * every figure anyway), rather than text that silently disappears and leaves misplaced labels
   */
  withText?: boolean;
  /** the sessions the digest covers: its title, empty note and alt text say so (default replication) */
  kind?: SessionKind;
  /** what the digest is limited to, for the alt text: `job Nightly, server vbr01`; null or absent: everything */
  scope?: string | null;
}

/** "Replication results per day" / "Backup results per day": the chart's title and the upload's title. */
export function toChartTitle(kind: SessionKind = 'replication'): string {
  return `${kind === 'backup' ? 'Backup' : 'Replication'} results per day`;
}

/** "job Nightly, server vbr01" for a digest limited to them; null for every job and server. */
export function toChartScope(filters: Pick<DigestFilters, 'jobName' | 'serverName'>): string | null {
  const parts = [
    filters.jobName === null ? '' : `job ${filters.jobName}`,
    filters.serverName === null ? '' : `server ${filters.serverName}`,
  ].filter(Boolean);
  return parts.length === 0 ? null : parts.join(', ');
}

export interface DigestChart {
  svg: string;
  width: number;
  height: number;
  /** a sentence for screen readers and the upload's alt text */
  altText: string;
}

const PLOT = { left: 56, right: CHART_WIDTH - 20, top: 76, bottom: CHART_HEIGHT - 44 };
const FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

export function toDigestChartSvg(days: readonly DigestDay[], options: DigestChartOptions): DigestChart {
  const withText = options.withText ?? true;
  const zone = tz(options.timeZone);
  const parts: string[] = [];
  const text = (x: number, y: number, content: string, attrs: string): void => {
    if (withText) parts.push(`<text x="${fmt(x)}" y="${fmt(y)}" ${attrs}>${escapeXml(content)}</text>`);
  };

  parts.push(`<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#FFFFFF"/>`);
  const kind = options.kind ?? 'replication';
  text(20, 30, toChartTitle(kind), 'font-size="17" font-weight="bold" fill="#1D1C1D"');
  // every day that is not a whole day of data is drawn pale and said here, so a short bar never reads as a drop
  const notes: string[] = [];
  if (days.some((d) => d.atRetentionEdge)) notes.push("* oldest day partly cleaned up by EM's 30 days");
  if (days.at(-1)?.partial && !days.at(-1)?.atRetentionEdge) notes.push('* day so far');
  const partial = notes.length > 0 ? ` · ${notes.join(', ')}, drawn pale` : '';
  text(20, 52, `${options.subtitle}${partial}`, 'font-size="12" fill="#616061"');

  // legend, right-aligned in the title band
  const legend: Array<[string, string]> = [
    ['Success', CHART_COLORS.success],
    ['Warning', CHART_COLORS.warning],
    ['Failed', CHART_COLORS.failed],
  ];
  let lx = CHART_WIDTH - 20 - legend.length * 86;
  for (const [label, color] of legend) {
    parts.push(`<rect x="${lx}" y="20" width="12" height="12" rx="2" fill="${color}"/>`);
    text(lx + 18, 31, label, 'font-size="12" fill="#1D1C1D"');
    lx += 86;
  }

  const max = Math.max(0, ...days.map((d) => d.success + d.warning + d.failed));
  const { top: yMax, step } = niceScale(max);
  const plotH = PLOT.bottom - PLOT.top;
  const y = (value: number): number => PLOT.bottom - (value / yMax) * plotH;

  for (let v = 0; v <= yMax; v += step) {
    parts.push(
      `<line x1="${PLOT.left}" y1="${fmt(y(v))}" x2="${PLOT.right}" y2="${fmt(y(v))}" stroke="${v === 0 ? '#868686' : '#E8E8E8'}" stroke-width="1"/>`,
    );
    text(PLOT.left - 8, y(v) + 4, String(v), 'font-size="11" fill="#616061" text-anchor="end"');
  }

  const slot = days.length === 0 ? 0 : (PLOT.right - PLOT.left) / days.length;
  const barW = Math.max(2, slot * 0.68);
  const labelEvery = days.length <= 10 ? 1 : 5;
  days.forEach((day, i) => {
    const x = PLOT.left + i * slot + (slot - barW) / 2;
    let base = 0;
    for (const [count, color] of [
      [day.success, CHART_COLORS.success],
      [day.warning, CHART_COLORS.warning],
      [day.failed, CHART_COLORS.failed],
    ] as const) {
      if (count === 0) continue;
      const top = y(base + count);
      // a day still in progress, or one EM has partly cleaned up, is drawn paler, so its short bar does not read as a drop
      const opacity = day.partial ? ' fill-opacity="0.5"' : '';
      parts.push(
        `<rect x="${fmt(x)}" y="${fmt(top)}" width="${fmt(barW)}" height="${fmt(y(base) - top)}" fill="${color}"${opacity}/>`,
      );
      base += count;
    }
    // the newest day is always labelled, counting back from it, so "today" is never the one left out
    if ((days.length - 1 - i) % labelEvery === 0) {
      const label = `${format(day.start, days.length <= 10 ? 'EEE d' : 'd MMM', { in: zone })}${day.partial ? '*' : ''}`;
      text(x + barW / 2, PLOT.bottom + 18, label, 'font-size="11" fill="#616061" text-anchor="middle"');
    }
  });
  if (max === 0)
    text(
      (PLOT.left + PLOT.right) / 2,
      (PLOT.top + PLOT.bottom) / 2,
      `No ${kind === 'backup' ? 'backup' : 'replication'} runs in these days`,
      'font-size="14" fill="#616061" text-anchor="middle"',
    );

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="${FONT}">${parts.join('')}</svg>`;
  return {
    svg,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    altText: toAltText(days, options.subtitle, kind, options.scope ?? null),
  };
}

function toAltText(
  days: readonly DigestDay[],
  subtitle: string,
  kind: SessionKind,
  scope: string | null,
): string {
  const sum = (key: 'success' | 'warning' | 'failed'): number => days.reduce((n, d) => n + d[key], 0);
  const worst = days.reduce<DigestDay | undefined>(
    (w, d) => (d.failed > 0 && (w === undefined || d.failed > w.failed) ? d : w),
    undefined,
  );
  const tail = worst === undefined ? ' No failures.' : ` Most failures on ${worst.date}: ${worst.failed}.`;
  const what = kind === 'backup' ? 'backup' : 'replication';
  return `Bar chart of ${what} results per day${scope === null ? '' : ` (${scope})`}, ${subtitle}: ${sum('success')} successful, ${sum('warning')} with warnings, ${sum('failed')} failed.${tail}`;
}

/** A round axis top (1, 2, 5 × 10ⁿ steps) with 3 to 6 gridlines. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  // 2.5 only where it gives whole numbers (25, 250 ...)
  const factors = magnitude >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10];
  const step = must(
    factors.map((m) => m * magnitude).find((s) => s >= rough),
    'the last factor times the magnitude is at least rough',
  );
  const niceStep = Math.max(1, step);
  return { top: Math.ceil(max / niceStep) * niceStep, step: niceStep };
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
