import { describe, expect, it } from 'vitest';
import { toDigestWindow } from '../../../../src/features/digests/domain/digest-window.js';
import { summarizeDigest } from '../../../../src/features/digests/domain/summarize-digest.js';
import {
  CHART_COLORS,
  niceScale,
  toChartScope,
  toDigestChartSvg,
} from '../../../../src/features/digests/domain/to-digest-chart-svg.js';
import { probeChartFonts, renderDigestChart } from '../../../../src/features/digests/render-digest-chart.js';
import { countColor, countDark, decodePng } from '../../../fakes/decode-png.js';
import { taskSession } from '../../../fakes/task-session.js';

const END = new Date('2025-06-10T06:00:00Z');

function digestWith(results: Array<'Success' | 'Warning' | 'Failed'>, period: 'day' | 'week' = 'day') {
  const window = toDigestWindow(period, END, 'Europe/Berlin');
  return summarizeDigest(
    results.map((result, i) => taskSession({ vm: `vm${i}`, at: '2025-06-09T10:00:00Z', result })),
    window,
  );
}

describe('renderDigestChart', () => {
  it('writes a PNG that decodes, at twice the 800×400 drawing size', () => {
    const chart = renderDigestChart(digestWith(['Success', 'Warning', 'Failed']));
    const png = decodePng(chart.png);
    expect([png.width, png.height]).toEqual([1600, 800]);
    expect([chart.width, chart.height]).toEqual([1600, 800]);
  });

  it('draws each result in its colour, and no red when nothing failed', () => {
    const mixed = decodePng(renderDigestChart(digestWith(['Success', 'Success', 'Warning', 'Failed'])).png);
    const clean = decodePng(renderDigestChart(digestWith(['Success', 'Success'])).png);
    expect(countColor(mixed, CHART_COLORS.success)).toBeGreaterThan(countColor(mixed, CHART_COLORS.failed));
    expect(countColor(mixed, CHART_COLORS.warning)).toBeGreaterThan(2000);
    // the legend swatch is the only red in a chart without failures
    const legendOnly = countColor(clean, CHART_COLORS.failed);
    expect(countColor(mixed, CHART_COLORS.failed)).toBeGreaterThan(legendOnly + 2000);
  });

  it('draws labels with the fonts found here, and leaves them out when asked', () => {
    expect(probeChartFonts().usable).toBe(true);
    const digest = digestWith(['Success']);
    const labelled = renderDigestChart(digest);
    const bare = renderDigestChart(digest, { withText: false });
    expect(labelled.hasText).toBe(true);
    expect(bare.hasText).toBe(false);
    expect(countDark(decodePng(labelled.png))).toBeGreaterThan(countDark(decodePng(bare.png)) + 1000);
  });

  it('renders at the requested scale', () => {
    const png = decodePng(renderDigestChart(digestWith(['Success'], 'week'), { scale: 1 }).png);
    expect([png.width, png.height]).toEqual([800, 400]);
  });
});

describe('toDigestChartSvg', () => {
  it('draws one bar segment per non-empty result per day and labels every day of a week', () => {
    const digest = digestWith(['Success', 'Failed']);
    const { svg, altText } = toDigestChartSvg(digest.perDay, { timeZone: 'Europe/Berlin', subtitle: 'x' });
    expect(svg.match(new RegExp(`fill="${CHART_COLORS.failed}"`, 'g'))).toHaveLength(2); // legend + 1 bar
    for (const day of ['Wed 4', 'Thu 5', 'Fri 6', 'Sat 7', 'Sun 8', 'Mon 9', 'Tue 10*'])
      expect(svg).toContain(`>${day}<`);
    // the digest ends at 08:00: its own day is drawn pale and starred
    expect(svg).toContain('day so far, drawn pale');
    expect(altText).toContain('1 successful, 0 with warnings, 1 failed');
    expect(altText).toContain('Most failures on 2025-06-09: 1');
  });

  it('names the kind and the scope the digest covers in its title, empty note and alt text', () => {
    const digest = digestWith(['Success', 'Failed']);
    const replication = toDigestChartSvg(digest.perDay, { timeZone: 'Europe/Berlin', subtitle: 'x' });
    expect(replication.altText).toMatch(/^Bar chart of replication results per day, x:/);
    expect(replication.svg).toContain('>Replication results per day<');
    const backup = toDigestChartSvg(digest.perDay, {
      timeZone: 'Europe/Berlin',
      subtitle: 'x',
      kind: 'backup',
      scope: toChartScope({ jobName: 'Nightly', serverName: 'vbr01' }),
    });
    expect(backup.altText).toMatch(/^Bar chart of backup results per day \(job Nightly, server vbr01\), x:/);
    expect(backup.svg).toContain('>Backup results per day<');
    expect(backup.svg).not.toContain('Replication');
    const empty = toDigestChartSvg(digestWith([]).perDay, { timeZone: 'UTC', subtitle: 'x', kind: 'backup' });
    expect(empty.svg).toContain('No backup runs in these days');
    expect(toChartScope({ jobName: null, serverName: null })).toBeNull();
  });

  it('gives the PNG the alt text of the digest it draws (a backup digest of one job)', () => {
    const window = toDigestWindow('day', END, 'Europe/Berlin');
    const digest = summarizeDigest(
      [taskSession({ vm: 'a', at: '2025-06-09T10:00:00Z', result: 'Failed' })],
      window,
      { jobName: 'Nightly', serverName: null, failedOnly: false, kind: 'backup' },
    );
    expect(renderDigestChart(digest).altText).toMatch(
      /^Bar chart of backup results per day \(job Nightly\), /,
    );
  });

  it('draws the oldest day of a 30-day chart pale and says EM has partly cleaned it up', () => {
    const window = toDigestWindow('week', END, 'Europe/Berlin');
    const digest = summarizeDigest(
      [
        taskSession({ vm: 'old', at: '2025-05-12T10:00:00Z', result: 'Success' }),
        taskSession({ vm: 'mid', at: '2025-05-20T10:00:00Z', result: 'Success' }),
      ],
      window,
    );
    expect(digest.perDay[0]).toMatchObject({ date: '2025-05-12', partial: true, atRetentionEdge: true });
    expect(digest.perDay.slice(1, -1).some((d) => d.partial)).toBe(false);
    const { svg } = toDigestChartSvg(digest.perDay, { timeZone: 'Europe/Berlin', subtitle: 'x' });
    expect(svg).toContain('oldest day partly cleaned up by EM&#39;s 30 days');
    expect(svg).toContain('day so far');
    const bars = [
      ...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="[^"]+"([^/]*)\/>/g),
    ];
    // the legend's three swatches have rx; of the two bars, only the oldest day's is pale
    const pale = bars.filter((m) => m[1]?.includes('fill-opacity'));
    expect(pale).toHaveLength(1);
  });

  it('keeps every day of a daily digest whole but its own', () => {
    const window = toDigestWindow('day', END, 'Europe/Berlin');
    expect(window.chartDays.map((d) => d.partial)).toEqual([false, false, false, false, false, false, true]);
    expect(window.chartDays.some((d) => d.atRetentionEdge)).toBe(false);
  });

  it('labels every fifth day of a month, always including the newest', () => {
    const digest = digestWith(['Success'], 'week');
    const { svg } = toDigestChartSvg(digest.perDay, { timeZone: 'Europe/Berlin', subtitle: 'x' });
    expect(svg).toContain('>10 Jun*<');
    expect(svg).toContain('>5 Jun<');
    expect(svg).not.toContain('>9 Jun<');
  });

  it('escapes text so a time zone or subtitle cannot break the SVG', () => {
    const { svg } = toDigestChartSvg([], { timeZone: 'UTC', subtitle: '<script>&' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script&#62;&#38;');
  });

  it('draws no text at all without fonts', () => {
    const digest = digestWith(['Success']);
    const { svg } = toDigestChartSvg(digest.perDay, { timeZone: 'UTC', subtitle: 'x', withText: false });
    expect(svg).not.toContain('<text');
  });
});

describe('niceScale', () => {
  it('picks a round top and step that cover the tallest bar', () => {
    expect(niceScale(0)).toEqual({ top: 4, step: 1 });
    expect(niceScale(3)).toEqual({ top: 3, step: 1 });
    expect(niceScale(17)).toEqual({ top: 20, step: 5 });
    expect(niceScale(430)).toEqual({ top: 500, step: 100 });
    for (const max of [1, 7, 99, 1234, 98765]) {
      const { top, step } = niceScale(max);
      expect(top).toBeGreaterThanOrEqual(max);
      expect(top / step).toBeLessThanOrEqual(6);
    }
  });
});
