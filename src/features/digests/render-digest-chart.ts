/** The digest chart as PNG, through resvg (a Rust SVG renderer shipped as a prebuilt binary in the npm package). */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { formatWhen } from './domain/format-digest.js';
import type { Digest } from './domain/summarize-digest.js';
import { type DigestChart, toChartScope, toDigestChartSvg } from './domain/to-digest-chart-svg.js';

export interface DigestChartPng {
  png: Buffer;
  width: number;
  height: number;
  altText: string;
  /** false when no font was found, so the chart was drawn without labels */
  hasText: boolean;
}

const require = createRequire(import.meta.url);

/** DejaVu Sans from the dejavu-fonts-ttf package: the chart looks the same on every host, slim containers included. */
function bundledFonts(): string[] {
  try {
    return [
      require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
      require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
    ];
  } catch {
    return [];
  }
}

/** Then the host's own copies, in case the package is missing. */
const PREFERRED_FONTS = [
  ...bundledFonts(),
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
];

let fontProbe: { options: ResvgRenderOptions['font']; usable: boolean } | undefined;

/**
 * resvg draws no text, silently, when it finds no font (slim containers often have none). Render one word once and
 * look at its bounding box to know, and then draw the chart without labels rather than with missing ones.
 */
export function probeChartFonts(): { options: ResvgRenderOptions['font']; usable: boolean } {
  if (fontProbe !== undefined) return fontProbe;
  const options: ResvgRenderOptions['font'] = {
    // the bundled font is enough; scanning the system fonts costs time at every first chart
    loadSystemFonts: PREFERRED_FONTS.filter((path) => existsSync(path)).length === 0,
    fontFiles: PREFERRED_FONTS.filter((path) => existsSync(path)),
    defaultFontFamily: 'DejaVu Sans',
    sansSerifFamily: 'DejaVu Sans',
  };
  const probe = new Resvg(
    '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><text x="4" y="20" font-size="14" font-family="sans-serif">Ag</text></svg>',
    { font: options },
  );
  const box = probe.getBBox();
  fontProbe = { options, usable: box !== undefined && box.width > 0 };
  return fontProbe;
}

export interface RenderDigestChartOptions {
  /** pixel density; 2 gives a sharp picture on high-density screens (PNG 1600×800) */
  scale?: number;
  /** draw without text even if fonts exist (used to test the fallback) */
  withText?: boolean;
}

/** Draws the digest's per-day chart and rasterises it. */
export function renderDigestChart(digest: Digest, options: RenderDigestChartOptions = {}): DigestChartPng {
  const fonts = probeChartFonts();
  const withText = (options.withText ?? true) && fonts.usable;
  const { window } = digest;
  const chart: DigestChart = toDigestChartSvg(digest.perDay, {
    timeZone: window.timeZone,
    subtitle: `${window.chartDays.length} days to ${formatWhen(window.end, window.timeZone)} (${window.timeZone})`,
    withText,
    kind: digest.filters.kind ?? 'replication',
    scope: toChartScope(digest.filters),
  });
  const scale = options.scale ?? 2;
  const image = new Resvg(chart.svg, {
    font: withText ? fonts.options : { loadSystemFonts: false },
    fitTo: { mode: 'width', value: Math.round(chart.width * scale) },
    background: '#FFFFFF',
  }).render();
  return {
    png: image.asPng(),
    width: image.width,
    height: image.height,
    altText: chart.altText,
    hasText: withText,
  };
}
