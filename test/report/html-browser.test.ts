import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { renderHtml } from '../../src/report/html.js';
import { SCENARIOS } from '../fixtures/reports/scenarios.js';

/**
 * The HTML report in a real browser: Debian's headless Chromium loads it from a loopback server
 * that counts every request, prints the page's console, and takes a screenshot (written to
 * test/output/) whose pixels are checked for the charts' colour. Controls prove each check can
 * fail: a page with an image is seen fetching it, a page with a console error is heard.
 *
 * Chromium comes from the `chromium` package (apt-get install chromium); where it is absent the
 * tests say so and check nothing.
 */

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const OUTPUT = join(import.meta.dirname, '../output');

let server: Server;
let base = '';
const pages = new Map<string, string>();
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const page = pages.get(req.url ?? '');
    if (page === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
});

interface Visit {
  /** Requests the page caused (the page itself and the browser's own favicon probe left out). */
  fetched: string[];
  console: string[];
  dom: string;
  png: Buffer;
}

function chromium(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'perf-gate-chromium-'));
  return new Promise((resolve, reject) => {
    execFile(
      CHROMIUM!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-component-update',
        '--hide-scrollbars',
        '--enable-logging=stderr',
        '--v=0',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })),
    );
  });
}

async function visit(name: string, html: string): Promise<Visit> {
  const path = `/${name}.html`;
  pages.set(path, html);
  requests.length = 0;
  mkdirSync(OUTPUT, { recursive: true });
  const screenshot = join(OUTPUT, `${name}.png`);
  const shot = await chromium([
    '--window-size=1000,1400',
    `--screenshot=${screenshot}`,
    `${base}${path}`,
  ]);
  const dump = await chromium(['--dump-dom', `${base}${path}`]);
  const console = `${shot.stderr}\n${dump.stderr}`
    .split('\n')
    .filter((line) => /CONSOLE|Refused to/.test(line));
  return {
    fetched: requests.filter((r) => r !== path && r !== '/favicon.ico'),
    console,
    dom: dump.stdout,
    png: readFileSync(screenshot),
  };
}

/** RGBA or RGB pixels of an 8-bit, non-interlaced PNG (what Chromium writes). */
function decodePng(png: Buffer): {
  width: number;
  height: number;
  pixel: (x: number, y: number) => number[];
} {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const length = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
      expect(data[12]).toBe(0);
    }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const byte = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? out[y * stride + x - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels]! : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = Math.floor((a + b) / 2);
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = (byte + predicted) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => [...out.subarray(y * stride + x * channels, y * stride + x * channels + 3)],
  };
}

// CI installs chromium (.ci/run), so there a missing browser is a failure, never a quiet pass.
if (!CHROMIUM && process.env.CI) {
  throw new Error(
    'html-browser.test.ts: no chromium under CI: .ci/run installs it (apt-get install chromium)',
  );
}
if (!CHROMIUM) {
  console.warn(
    'html-browser.test.ts: no chromium (apt-get install chromium): browser checks not run',
  );
}

describe('the HTML report in headless Chromium', () => {
  test('loads with no request and no console message, draws every chart, and is not blank', async () => {
    if (!CHROMIUM) return;
    const report = SCENARIOS['budget-failures']();
    const page = await visit('html-report', renderHtml(report));
    expect(page.fetched).toEqual([]);
    expect(page.console).toEqual([]);
    const charts = page.dom.match(/<svg /g) ?? [];
    expect(charts).toHaveLength(report.endpoints.filter((e) => e.measurement.requests > 0).length);

    const image = decodePng(page.png);
    expect(image.width).toBe(1000);
    const background = image.pixel(2, 2);
    let differing = 0;
    let runBlue = 0;
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const [r, g, b] = image.pixel(x, y);
        if (
          Math.abs(r! - background[0]!) +
            Math.abs(g! - background[1]!) +
            Math.abs(b! - background[2]!) >
          30
        )
          differing++;
        // The light theme's "this run" line, #2563eb.
        if (Math.abs(r! - 0x25) < 40 && Math.abs(g! - 0x63) < 40 && Math.abs(b! - 0xeb) < 40)
          runBlue++;
      }
    }
    expect(differing).toBeGreaterThan(2000);
    expect(runBlue).toBeGreaterThan(20);
  });

  test('controls: a page that fetches an image or logs an error is caught', async () => {
    if (!CHROMIUM) return;
    const fetching = await visit('control-fetch', '<!DOCTYPE html><p>x</p><img src="/pixel.png">');
    // Loaded twice (screenshot, DOM): fetched each time.
    expect(new Set(fetching.fetched)).toEqual(new Set(['/pixel.png']));
    const noisy = await visit(
      'control-console',
      '<!DOCTYPE html><p>x</p><script>console.error("boom from the page")</script>',
    );
    expect(noisy.console.join('\n')).toContain('boom from the page');
    const blank = decodePng(
      (await visit('control-blank', '<!DOCTYPE html><body style="background:#fff"></body>')).png,
    );
    const corner = blank.pixel(0, 0);
    expect(blank.pixel(500, 700)).toEqual(corner);
  });
});
