// Checks the element templates of .camunda/element-templates (Camunda Modeler's folder) against
// Camunda's element-template JSON schema (@camunda/element-templates-json-schema, draft-07, with
// ajv), and that they match the diagrams in bpmn/: every delegateExpression of a service task has
// a template, every template's delegate is used by a diagram, and ids are unique.
// Usage: node check-templates.mjs [templates-dir] [bpmn-dir]; exit code 1 on any problem.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import Ajv from 'ajv';

const here = new URL('.', import.meta.url).pathname;
const templatesDir = resolve(process.argv[2] || join(here, '../../.camunda/element-templates'));
const bpmnDir = resolve(process.argv[3] || join(here, '../../bpmn'));
const require = createRequire(import.meta.url);
const schema = require('@camunda/element-templates-json-schema/resources/schema.json');
// strict off: the schema carries its own "errorMessage" keywords for Modeler, unknown to plain ajv
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const problems = [];
const templates = [];
for (const file of readdirSync(templatesDir).filter(f => f.endsWith('.json')).sort()) {
  let content;
  try {
    content = JSON.parse(readFileSync(join(templatesDir, file), 'utf8'));
  } catch (e) {
    problems.push(`${file}: not JSON: ${e.message}`);
    continue;
  }
  if (!validate(content)) {
    for (const error of validate.errors) {
      problems.push(`${file}: ${error.instancePath || '/'} ${error.message}`);
    }
  }
  for (const template of Array.isArray(content) ? content : [content]) {
    templates.push({ file, template });
  }
}
if (!templates.length) problems.push(`no element template in ${templatesDir}`);

const delegateOf = template => (template.properties || [])
  .find(p => p.binding && p.binding.type === 'property' && p.binding.name === 'camunda:delegateExpression')?.value;

const used = new Map();
for (const file of readdirSync(bpmnDir).filter(f => f.endsWith('.bpmn'))) {
  const xml = readFileSync(join(bpmnDir, file), 'utf8');
  for (const match of xml.matchAll(/<bpmn:serviceTask\b[^>]*?camunda:delegateExpression="([^"]+)"/gs)) {
    used.set(match[1], (used.get(match[1]) || []).concat(file));
  }
}
const ids = new Set();
const delegates = new Set();
for (const { file, template } of templates) {
  const key = template.id + '@' + (template.version || 0);
  if (ids.has(key)) problems.push(`${file}: template id ${key} twice`);
  ids.add(key);
  const delegate = delegateOf(template);
  if (!delegate) {
    problems.push(`${file}: ${template.id} sets no camunda:delegateExpression`);
    continue;
  }
  delegates.add(delegate);
  if (!used.has(delegate)) problems.push(`${file}: ${template.id}: ${delegate} is used by no service task in ${bpmnDir}`);
}
for (const [delegate, files] of used) {
  if (!delegates.has(delegate)) problems.push(`${[...new Set(files)].join(', ')}: a service task with ${delegate} has no element template`);
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`element templates: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`element templates: ${templates.length} templates valid against @camunda/element-templates-json-schema, `
  + `covering the ${used.size} delegate expressions of ${bpmnDir}`);
