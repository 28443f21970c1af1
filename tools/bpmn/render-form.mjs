// Renders a Camunda Form (forms/*.form) with form-js 1.8.7 - the form-js of Camunda 7.24's Tasklist
// (schemaVersion 16) - in headless chromium, checks what Tasklist would submit, and saves a picture.
//
//   node render-form.mjs ../../forms/resize-start.form ../../docs/images/form-resize-start.png '{"path":"/x.qcow2","size":"20G"}'
//
// The viewport is desktop-wide because form-js lays out rows with Carbon breakpoints (>= 1056px).
// Fails when form-js reports import warnings, when the given data does not validate, or when the
// submitted data has keys the form does not define.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const [input, output, dataArg] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node render-form.mjs form.form picture.png [json data]');
  process.exit(2);
}
const schema = JSON.parse(readFileSync(input, 'utf8'));
const data = dataArg ? JSON.parse(dataArg) : {};
const formJs = join(here, 'node_modules/@bpmn-io/form-js/dist');

const page = `<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${formJs}/assets/form-js.css">
<style>html,body{margin:0;background:#fff;font-family:Arial,sans-serif} #form{width:900px;padding:8px}</style>
<script src="file://${formJs}/form-viewer.umd.js"></script>
</head><body><div id="form"></div></body></html>`;

const workDir = mkdtempSync(join(tmpdir(), 'render-form-'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'], // playwright gives chromium a fresh profile of its own
});
let failed = false;
try {
  const tab = await (await browser.newContext({ viewport: { width: 1280, height: 2000 } })).newPage();
  const htmlFile = join(workDir, 'form.html');
  writeFileSync(htmlFile, page);
  await tab.goto(`file://${htmlFile}`);
  const result = await tab.evaluate(async ({ schema, data }) => {
    const form = new window.FormViewer.Form({ container: document.getElementById('form') });
    const { warnings } = await form.importSchema(schema, data);
    await new Promise((done) => setTimeout(done, 200)); // let form-js render and settle its state
    const submitted = form.submit();
    return {
      warnings: warnings.map((w) => String(w.message || w)),
      data: submitted.data,
      errors: submitted.errors,
    };
  }, { schema, data });
  const keys = new Set(schema.components.filter((c) => c.key).map((c) => c.key));
  const unknown = Object.keys(result.data).filter((k) => !keys.has(k));
  console.log(`${input}: submits ${JSON.stringify(result.data)}`);
  if (result.warnings.length) {
    console.error(`form-js import warnings: ${result.warnings.join('; ')}`);
    failed = true;
  }
  if (Object.keys(result.errors).length) {
    console.error(`validation errors: ${JSON.stringify(result.errors)}`);
    failed = true;
  }
  if (unknown.length) {
    console.error(`submitted keys the form does not define: ${unknown.join(', ')}`);
    failed = true;
  }
  const box = await tab.locator('#form').boundingBox();
  await tab.screenshot({ path: resolve(output), clip: { x: 0, y: 0, width: Math.ceil(box.width), height: Math.ceil(box.height) } });
  console.log(`rendered ${input} -> ${output}`);
} finally {
  await browser.close();
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
