// Renders a BPMN diagram to PNG with bpmn-js in Debian's headless chromium, the way Cockpit and
// Camunda Modeler draw it (both use bpmn-js).
//
//   node render.mjs ../../bpmn/virtual-disk-resize.bpmn ../../docs/images/virtual-disk-resize.png
//
// Needs `apt-get install -y chromium` (or CHROMIUM=/path/to/chrome). Fails when bpmn-js reports
// import warnings (unknown elements, missing DI), so a broken diagram does not become a picture.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const [input, output, scaleArg] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node render.mjs diagram.bpmn picture.png [scale]');
  process.exit(2);
}
const scale = Number(scaleArg || 1);
const xml = readFileSync(input, 'utf8');
const bpmnJs = join(here, 'node_modules/bpmn-js/dist');

const page = `<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${bpmnJs}/assets/diagram-js.css">
<link rel="stylesheet" href="file://${bpmnJs}/assets/bpmn-js.css">
<style>html,body{margin:0;background:#fff} #canvas{width:100vw;height:100vh}</style>
<script src="file://${bpmnJs}/bpmn-viewer.production.min.js"></script>
</head><body><div id="canvas"></div></body></html>`;

const workDir = mkdtempSync(join(tmpdir(), 'render-bpmn-'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'], // playwright gives chromium a fresh profile of its own
});
try {
  const context = await browser.newContext({ viewport: { width: 2400, height: 1200 }, deviceScaleFactor: scale });
  const tab = await context.newPage();
  const htmlFile = join(workDir, 'render.html');
  writeFileSync(htmlFile, page);
  await tab.goto(`file://${htmlFile}`);
  const result = await tab.evaluate(async (diagram) => {
    const viewer = new window.BpmnJS({ container: '#canvas' });
    const { warnings } = await viewer.importXML(diagram);
    const canvas = viewer.get('canvas');
    const box = canvas.viewbox().inner;
    return { warnings: warnings.map((w) => w.message), box };
  }, xml);
  if (result.warnings.length) {
    console.error(`bpmn-js import warnings:\n  ${result.warnings.join('\n  ')}`);
    process.exitCode = 1;
  }
  const margin = 20;
  const { box } = result;
  // a screenshot clip cannot reach past the viewport: grow it to the diagram (else a wide diagram is cut off)
  const width = Math.ceil(box.width + 2 * margin);
  const height = Math.ceil(box.height + 2 * margin);
  await tab.setViewportSize({ width: Math.max(2400, width), height: Math.max(1200, height) });
  // show the diagram 1:1 with a margin, then cut the picture to the diagram
  await tab.evaluate(({ box, margin }) => {
    const c = document.getElementById('canvas');
    c.style.width = `${Math.ceil(box.width + 2 * margin)}px`;
    c.style.height = `${Math.ceil(box.height + 2 * margin)}px`;
  }, { box, margin });
  // a fresh viewer in the resized container, so its viewbox matches the container
  await tab.evaluate(async ({ diagram, box, margin }) => {
    document.getElementById('canvas').innerHTML = '';
    const viewer = new window.BpmnJS({ container: '#canvas' });
    await viewer.importXML(diagram);
    viewer.get('canvas').viewbox({ x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin });
  }, { diagram: xml, box, margin });
  await tab.screenshot({
    path: resolve(output),
    clip: { x: 0, y: 0, width: Math.ceil(box.width + 2 * margin), height: Math.ceil(box.height + 2 * margin) },
  });
  console.log(`rendered ${input} -> ${output} (${Math.ceil(box.width + 2 * margin)}x${Math.ceil(box.height + 2 * margin)} @${scale}x)`);
} finally {
  await browser.close();
  rmSync(workDir, { recursive: true, force: true });
}
