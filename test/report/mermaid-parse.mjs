// Parses mermaid blocks with the mermaid package's own parser, the one GitHub's renderer runs.
// Reads a JSON array of block bodies (the text between ```mermaid and ```) on stdin and writes a
// JSON array to stdout, one entry per block: { ok: true, type } with mermaid's diagram type, or
// { ok: false, error }. mermaid wants a DOM even to parse, so jsdom provides one. Run as its own
// node process by mermaid-parse.test.ts: mermaid is plain ESM with a large dependency tree that
// jest's module sandbox has no need to load.
import console from 'node:console';
import process from 'node:process';
import { JSDOM } from 'jsdom';

// mermaid logs through console; keep stdout for the result alone.
for (const level of ['log', 'info', 'warn', 'debug', 'trace']) console[level] = console.error;

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let input = '';
for await (const chunk of process.stdin) input += chunk;
const blocks = JSON.parse(input);

const results = [];
for (const block of blocks) {
  try {
    const parsed = await mermaid.parse(block);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error).slice(0, 500) });
  }
}
process.stdout.write(JSON.stringify(results));
