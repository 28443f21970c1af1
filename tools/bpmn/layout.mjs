// Writes the diagram layout (BPMNDiagram: shapes, edges, labels) of bpmn/virtual-disk-resize.bpmn
// from the hand-made grid below, then checks it: no two shapes overlap, no label sits on a shape,
// a line or another label, no line runs through a shape, no two lines cross, every line starts and
// ends on its elements' borders and runs only horizontally/vertically.
//
//   node layout.mjs ../../bpmn/virtual-disk-resize.bpmn          rewrite the layout, then check
//   node layout.mjs --check ../../bpmn/virtual-disk-resize.bpmn  only check the layout in the file
//
// Why by hand: bpmn-auto-layout puts every branch on its own row and routes the loops (poll, retry)
// through other elements; this process has three loops and two roll-back sources, and operators
// read it in Cockpit, so the rows are chosen: happy path on one line, the noop branch and the poll
// loop above, rejection, compensation, roll-back and the operator loop below.
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const checkOnly = args[0] === '--check';
const file = checkOnly ? args[1] : args[0];
if (!file) {
  console.error('usage: node layout.mjs [--check] path/to/diagram.bpmn');
  process.exit(2);
}

// ---------------------------------------------------------------- grid
const ROW_UP = 160;     // noop branch, poll loop, retry lane
const ROW_MAIN = 300;   // the happy path
const ROW_DOWN = 480;   // compensation handler, roll-back sources, operator loop
const ROW_DOWN2 = 620;  // rejection, roll-back tail
const TASK = { w: 100, h: 80 };
const GW = { w: 50, h: 50 };
const EV = { w: 36, h: 36 };

// label text metrics of bpmn-js external labels (11px Arial, wrapped at 90px); bpmn-js wraps a
// label at the width of its DI bounds, so they are a little wider than the text
const CHAR_W = 6.2;
const PAD_W = 6;
const LINE_H = 14;
const WRAP = 90;

function labelSize(text) {
  const words = text.split(/\s+/);
  const lines = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (next.length * CHAR_W > WRAP && line) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  lines.push(line);
  const w = Math.ceil(Math.max(...lines.map((l) => l.length * CHAR_W)) + PAD_W);
  return { w, h: lines.length * LINE_H };
}

/** label bounds: anchor 'c' = x is the centre, 'l' = x is the left edge, 'r' = x is the right edge */
function label(text, anchor, x, y) {
  const { w, h } = labelSize(text);
  const left = anchor === 'c' ? x - w / 2 : anchor === 'r' ? x - w : x;
  return { x: Math.round(left), y, w, h };
}

const task = (cx, cy) => ({ x: cx - TASK.w / 2, y: cy - TASK.h / 2, ...TASK });
const gateway = (cx, cy) => ({ x: cx - GW.w / 2, y: cy - GW.h / 2, ...GW });
const event = (cx, cy) => ({ x: cx - EV.w / 2, y: cy - EV.h / 2, ...EV });

// ---------------------------------------------------------------- shapes
// label: text shown outside the shape (events, gateways); tasks carry their name inside.
const shapes = {
  Event_ResizeRequested: { b: event(180, ROW_MAIN), label: ['Resize requested', 'c', 180, 325] },
  Task_ValidateRequest: { b: task(310, ROW_MAIN) },
  Event_RequestRejected: { b: event(310, 340), boundaryOf: 'Task_ValidateRequest', label: ['Request rejected', 'r', 302, 364] },
  Gateway_AlreadyAtSize: { b: gateway(425, ROW_MAIN), label: ['Already at size?', 'c', 425, 332] },
  Task_RecordNoop: { b: task(560, ROW_UP) },
  Event_AlreadyAtSize: { b: event(672, ROW_UP), label: ['Already at size', 'c', 672, 183] },
  Task_LockDisk: { b: task(560, ROW_MAIN) },
  Event_DiskBusy: { b: event(560, 340), boundaryOf: 'Task_LockDisk', label: ['Disk busy', 'l', 568, 364] },
  Gateway_JoinRejection: { b: gateway(560, ROW_DOWN2) },
  Task_RecordRejection: { b: task(690, ROW_DOWN2) },
  Event_ResizeRejected: { b: event(810, ROW_DOWN2), label: ['Resize rejected', 'c', 810, 643] },
  Task_ExtendStorage: { b: task(720, ROW_MAIN) },
  Event_CompensateStorage: { b: event(720, 340), boundaryOf: 'Task_ExtendStorage', label: ['Undo', 'l', 728, 364] },
  Task_ShrinkStorageBack: { b: task(720, ROW_DOWN) },
  Gateway_JoinStorageCheck: { b: gateway(835, ROW_MAIN) },
  Task_CheckStorageJob: { b: task(970, ROW_MAIN) },
  Event_StorageJobFailed: { b: event(970, 340), boundaryOf: 'Task_CheckStorageJob', label: ['Storage job failed or timed out', 'r', 962, 364] },
  Gateway_StorageJobDone: { b: gateway(1085, ROW_MAIN), label: ['Storage job done?', 'c', 1085, 332] },
  Event_PollInterval: { b: event(970, ROW_UP), label: ['Wait poll interval', 'c', 970, 183] },
  Gateway_JoinVmResize: { b: gateway(1200, ROW_MAIN) },
  Task_ResizeVm: { b: task(1330, ROW_MAIN) },
  // right of the bottom centre, where the multi-instance marker is
  Event_VmResizeFailed: { b: event(1362, 340), boundaryOf: 'Task_ResizeVm', label: ['VM resize failed', 'l', 1370, 364] },
  Gateway_AnyVmResized: { b: gateway(1362, ROW_DOWN), label: ['Did a VM see the new size?', 'r', 1350, 412] },
  Event_UndoAfterVmFailure: { b: event(1215, ROW_DOWN), label: ['Undo storage growth', 'c', 1215, 503] },
  Event_UndoAfterStorageFailure: { b: event(970, ROW_DOWN), label: ['Undo storage growth', 'c', 970, 503] },
  Gateway_JoinRollback: { b: gateway(1100, ROW_DOWN) },
  Task_RecordRollback: { b: task(1100, ROW_DOWN2) },
  Task_ReleaseLockAfterRollback: { b: task(1260, ROW_DOWN2) },
  Event_ResizeRolledBack: { b: event(1380, ROW_DOWN2), label: ['Resize rolled back', 'c', 1380, 643] },
  Task_RecordNeedsAttention: { b: task(1500, ROW_DOWN) },
  UserTask_ResolveVmFailure: { b: task(1660, ROW_DOWN) },
  Gateway_OperatorDecision: { b: gateway(1780, ROW_DOWN), label: ['Operator decision?', 'c', 1780, 510] },
  Gateway_JoinResult: { b: gateway(1445, ROW_MAIN) },
  Task_NotifyGuest: { b: task(1580, ROW_MAIN) },
  Task_RecordResult: { b: task(1740, ROW_MAIN) },
  Task_ReleaseLock: { b: task(1900, ROW_MAIN) },
  Event_ResizeCompleted: { b: event(2020, ROW_MAIN), label: ['Resize completed', 'c', 2020, 325] },
  Annotation_PointOfNoReturn: { b: { x: 1490, y: 566, w: 300, h: 80 }, annotation: true },
  // between the retry lane and the happy path, next to the step it explains
  Annotation_GuestNeverFails: { b: { x: 1630, y: 180, w: 250, h: 56 }, annotation: true },
};

// ---------------------------------------------------------------- edges
// sequence flows: waypoints; label: text of the flow's name (shown next to the flow)
const edges = {
  Flow_ToValidateRequest: { p: [[198, 300], [260, 300]] },
  Flow_ToAlreadyAtSize: { p: [[360, 300], [400, 300]] },
  Flow_AlreadyAtSize: { p: [[425, 275], [425, 160], [510, 160]], label: ['yes', 'l', 432, 205] },
  Flow_NotAtSize: { p: [[450, 300], [510, 300]], label: ['no', 'c', 475, 282] },
  Flow_ToAlreadyAtSizeEnd: { p: [[610, 160], [654, 160]] },
  Flow_RequestRejectedToJoin: { p: [[310, 358], [310, 620], [535, 620]] },
  Flow_DiskBusyToJoin: { p: [[560, 358], [560, 595]] },
  Flow_ToRecordRejection: { p: [[585, 620], [640, 620]] },
  Flow_ToResizeRejected: { p: [[740, 620], [792, 620]] },
  Flow_ToExtendStorage: { p: [[610, 300], [670, 300]] },
  Flow_ToJoinStorageCheck: { p: [[770, 300], [810, 300]] },
  Flow_ToCheckStorageJob: { p: [[860, 300], [920, 300]] },
  Flow_ToStorageJobDone: { p: [[1020, 300], [1060, 300]] },
  Flow_StorageJobDone: { p: [[1110, 300], [1175, 300]], label: ['done', 'c', 1142, 282] },
  Flow_StorageJobRunning: { p: [[1085, 275], [1085, 160], [988, 160]], label: ['still running', 'l', 1092, 205] },
  Flow_PollAgain: { p: [[952, 160], [835, 160], [835, 275]] },
  Flow_ToResizeVm: { p: [[1225, 300], [1280, 300]] },
  Flow_ToJoinResult: { p: [[1380, 300], [1420, 300]] },
  Flow_ToAnyVmResized: { p: [[1362, 358], [1362, 455]] },
  Flow_NoVmResized: { p: [[1337, 480], [1233, 480]], label: ['no', 'c', 1285, 486] },
  Flow_SomeVmResized: { p: [[1387, 480], [1450, 480]], label: ['yes', 'c', 1418, 462] },
  Flow_ToResolveVmFailure: { p: [[1550, 480], [1610, 480]] },
  Flow_ToOperatorDecision: { p: [[1710, 480], [1755, 480]] },
  Flow_OperatorRetry: { p: [[1805, 480], [2090, 480], [2090, 160], [1200, 160], [1200, 275]], label: ['retry', 'l', 1820, 462] },
  Flow_OperatorFinish: { p: [[1780, 455], [1780, 390], [1445, 390], [1445, 325]], label: ['finish with a warning', 'c', 1690, 357] },
  Flow_ToNotifyGuest: { p: [[1470, 300], [1530, 300]] },
  Flow_ToRecordResult: { p: [[1630, 300], [1690, 300]] },
  Flow_ToReleaseLock: { p: [[1790, 300], [1850, 300]] },
  Flow_ToResizeCompleted: { p: [[1950, 300], [2002, 300]] },
  Flow_ToUndoAfterStorageFailure: { p: [[970, 358], [970, 462]] },
  Flow_StorageUndoneToJoin: { p: [[988, 480], [1075, 480]] },
  Flow_VmUndoneToJoin: { p: [[1197, 480], [1125, 480]] },
  Flow_ToRecordRollback: { p: [[1100, 505], [1100, 580]] },
  Flow_ToReleaseLockAfterRollback: { p: [[1150, 620], [1210, 620]] },
  Flow_ToResizeRolledBack: { p: [[1310, 620], [1362, 620]] },
  Association_CompensateStorage: { p: [[720, 358], [720, 440]], association: true },
  // annotations are joined by a straight dotted line in every BPMN editor
  Association_PointOfNoReturn: { p: [[1372, 495], [1490, 606]], association: true, diagonal: true },
  Association_GuestNeverFails: { p: [[1610, 260], [1630, 236]], association: true, diagonal: true },
};

// ---------------------------------------------------------------- read the model
const xml = readFileSync(file, 'utf8');
const processId = /<bpmn:process id="([^"]+)"/.exec(xml)[1];
const flowRefs = {};
for (const m of xml.matchAll(/<bpmn:(sequenceFlow|association) id="([^"]+)"[^>]*?sourceRef="([^"]+)"[^>]*?targetRef="([^"]+)"/gs)) {
  flowRefs[m[2]] = { kind: m[1], source: m[3], target: m[4] };
}
const nodeIds = [...xml.matchAll(/<bpmn:(startEvent|endEvent|serviceTask|userTask|exclusiveGateway|boundaryEvent|intermediateCatchEvent|intermediateThrowEvent|textAnnotation) id="([^"]+)"/g)].map((m) => m[2]);

// ---------------------------------------------------------------- write the DI
function bounds(b) {
  return `<dc:Bounds x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" />`;
}

function labelOf(spec) {
  return spec ? label(...spec) : null;
}

function diagramXml() {
  const out = [];
  out.push('  <bpmndi:BPMNDiagram id="Diagram_VirtualDiskResize">');
  out.push(`    <bpmndi:BPMNPlane id="Plane_VirtualDiskResize" bpmnElement="${processId}">`);
  // hosts before their boundary events, so editors draw the events on top
  const order = Object.keys(shapes).sort((a, b) => (shapes[a].boundaryOf ? 1 : 0) - (shapes[b].boundaryOf ? 1 : 0));
  for (const id of order) {
    const s = shapes[id];
    out.push(`      <bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}">`);
    out.push(`        ${bounds(s.b)}`);
    const l = labelOf(s.label);
    if (l) {
      out.push(`        <bpmndi:BPMNLabel>${bounds(l)}</bpmndi:BPMNLabel>`);
    }
    out.push('      </bpmndi:BPMNShape>');
  }
  for (const [id, e] of Object.entries(edges)) {
    out.push(`      <bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}">`);
    for (const [x, y] of e.p) {
      out.push(`        <di:waypoint x="${x}" y="${y}" />`);
    }
    const l = labelOf(e.label);
    if (l) {
      out.push(`        <bpmndi:BPMNLabel>${bounds(l)}</bpmndi:BPMNLabel>`);
    }
    out.push('      </bpmndi:BPMNEdge>');
  }
  out.push('    </bpmndi:BPMNPlane>');
  out.push('  </bpmndi:BPMNDiagram>');
  return out.join('\n');
}

// ---------------------------------------------------------------- check
function readDi(text) {
  const s = {};
  const e = {};
  for (const m of text.matchAll(/<bpmndi:BPMNShape [^>]*bpmnElement="([^"]+)"[^>]*>\s*<dc:Bounds x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"\s*\/>([\s\S]*?)<\/bpmndi:BPMNShape>/g)) {
    const lm = /<dc:Bounds x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(m[6]);
    s[m[1]] = { b: { x: +m[2], y: +m[3], w: +m[4], h: +m[5] }, l: lm ? { x: +lm[1], y: +lm[2], w: +lm[3], h: +lm[4] } : null };
  }
  for (const m of text.matchAll(/<bpmndi:BPMNEdge [^>]*bpmnElement="([^"]+)"[^>]*>([\s\S]*?)<\/bpmndi:BPMNEdge>/g)) {
    const p = [...m[2].matchAll(/<di:waypoint x="([-\d.]+)" y="([-\d.]+)"/g)].map((w) => [+w[1], +w[2]]);
    const lm = /<dc:Bounds x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(m[2]);
    e[m[1]] = { p, l: lm ? { x: +lm[1], y: +lm[2], w: +lm[3], h: +lm[4] } : null };
  }
  return { s, e };
}

const inside = (r, x, y, pad = 0) => x > r.x - pad && x < r.x + r.w + pad && y > r.y - pad && y < r.y + r.h + pad;
const overlap = (a, b, pad = 0) => a.x < b.x + b.w + pad && b.x < a.x + a.w + pad && a.y < b.y + b.h + pad && b.y < a.y + a.h + pad;
const onBorder = (r, [x, y]) => {
  const tol = 1.5;
  const inX = x >= r.x - tol && x <= r.x + r.w + tol;
  const inY = y >= r.y - tol && y <= r.y + r.h + tol;
  const nearV = Math.abs(x - r.x) <= tol || Math.abs(x - (r.x + r.w)) <= tol;
  const nearH = Math.abs(y - r.y) <= tol || Math.abs(y - (r.y + r.h)) <= tol;
  return (inX && nearH) || (inY && nearV);
};
const onGatewayCorner = (r, [x, y]) => {
  const cx = r.x + r.w / 2;
  const cy = r.y + r.h / 2;
  return [[cx, r.y], [cx, r.y + r.h], [r.x, cy], [r.x + r.w, cy]].some(([a, b]) => Math.abs(a - x) <= 1 && Math.abs(b - y) <= 1);
};
const onDiamond = (r, [x, y]) => Math.abs(Math.abs(x - (r.x + r.w / 2)) + Math.abs(y - (r.y + r.h / 2)) - r.w / 2) <= 1.5;
const onCircle = (r, [x, y]) => Math.abs(Math.hypot(x - (r.x + r.w / 2), y - (r.y + r.h / 2)) - r.w / 2) <= 1.5;

// does segment a-b pass through the open rectangle r (shrunk by pad)?
function segmentHitsRect([ax, ay], [bx, by], r, pad = 2) {
  const x1 = r.x + pad;
  const x2 = r.x + r.w - pad;
  const y1 = r.y + pad;
  const y2 = r.y + r.h - pad;
  // Liang-Barsky clipping
  let t0 = 0;
  let t1 = 1;
  const dx = bx - ax;
  const dy = by - ay;
  for (const [p, q] of [[-dx, ax - x1], [dx, x2 - ax], [-dy, ay - y1], [dy, y2 - ay]]) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) { if (t > t1) return false; if (t > t0) t0 = t; } else { if (t < t0) return false; if (t < t1) t1 = t; }
    }
  }
  return t1 - t0 > 1e-6;
}

function segmentsCross([a, b], [c, d]) {
  const cross = (o, p, q) => (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  // collinear overlap of more than a point
  if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0) {
    const lo = (p, q, i) => Math.max(Math.min(p[i], q[i]), Math.min(c[i], d[i]));
    const hi = (p, q, i) => Math.min(Math.max(p[i], q[i]), Math.max(c[i], d[i]));
    return hi(a, b, 0) - lo(a, b, 0) > 1 || hi(a, b, 1) - lo(a, b, 1) > 1;
  }
  return false;
}

function check(text) {
  const { s, e } = readDi(text);
  const problems = [];
  for (const id of nodeIds) if (!s[id]) problems.push(`${id}: no shape`);
  for (const id of Object.keys(flowRefs)) if (!e[id]) problems.push(`${id}: no edge`);
  const hostOf = Object.fromEntries(Object.entries(shapes).filter(([, v]) => v.boundaryOf).map(([k, v]) => [k, v.boundaryOf]));

  // shapes
  const ids = Object.keys(s);
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = ids[i];
      const b = ids[j];
      if (hostOf[a] === b || hostOf[b] === a) continue;
      if (overlap(s[a].b, s[b].b, 10)) problems.push(`shapes ${a} and ${b} overlap or are closer than 10px`);
    }
  }
  for (const [ev, host] of Object.entries(hostOf)) {
    const c = [s[ev].b.x + s[ev].b.w / 2, s[ev].b.y + s[ev].b.h / 2];
    if (!onBorder(s[host].b, c)) problems.push(`${ev}: centre not on the border of ${host}`);
  }

  // labels
  const labels = [];
  for (const [id, v] of Object.entries(s)) if (v.l) labels.push([id, v.l]);
  for (const [id, v] of Object.entries(e)) if (v.l) labels.push([id, v.l]);
  for (const [id, l] of labels) {
    for (const [sid, v] of Object.entries(s)) {
      if (overlap(l, v.b, 2)) problems.push(`label of ${id} overlaps shape ${sid}`);
    }
    for (const [eid, v] of Object.entries(e)) {
      for (let k = 0; k + 1 < v.p.length; k++) {
        if (segmentHitsRect(v.p[k], v.p[k + 1], { x: l.x - 3, y: l.y - 3, w: l.w + 6, h: l.h + 6 }, 0)) {
          problems.push(`label of ${id} lies on edge ${eid}`);
        }
      }
    }
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (overlap(labels[i][1], labels[j][1], 4)) problems.push(`labels of ${labels[i][0]} and ${labels[j][0]} overlap`);
    }
  }

  // edges
  for (const [id, v] of Object.entries(e)) {
    const ref = flowRefs[id];
    if (!ref) { problems.push(`${id}: edge without a flow`); continue; }
    const spec = edges[id] || {};
    for (let k = 0; k + 1 < v.p.length; k++) {
      const [a, b] = [v.p[k], v.p[k + 1]];
      if (!spec.diagonal && a[0] !== b[0] && a[1] !== b[1]) problems.push(`${id}: segment ${k} is diagonal`);
      for (const [sid, sv] of Object.entries(s)) {
        if (sid === ref.source || sid === ref.target) continue;
        if (hostOf[ref.source] === sid && k === 0) continue;
        if (segmentHitsRect(a, b, sv.b)) problems.push(`${id}: segment ${k} runs through ${sid}`);
      }
    }
    const ends = [[ref.source, v.p[0]], [ref.target, v.p[v.p.length - 1]]];
    for (const [el, pt] of ends) {
      const r = s[el].b;
      // sequence flows meet a gateway at a corner; an annotation's line may touch any edge
      const ok = el.startsWith('Gateway_') ? (ref.kind === 'association' ? onDiamond(r, pt) : onGatewayCorner(r, pt))
        : el.startsWith('Event_') ? onCircle(r, pt)
          : onBorder(r, pt);
      if (!ok) problems.push(`${id}: end point ${pt} not on the outline of ${el}`);
    }
  }
  const edgeIds = Object.keys(e);
  for (let i = 0; i < edgeIds.length; i++) {
    for (let j = i + 1; j < edgeIds.length; j++) {
      const a = e[edgeIds[i]].p;
      const b = e[edgeIds[j]].p;
      for (let k = 0; k + 1 < a.length; k++) {
        for (let m = 0; m + 1 < b.length; m++) {
          if (segmentsCross([a[k], a[k + 1]], [b[m], b[m + 1]])) problems.push(`edges ${edgeIds[i]} and ${edgeIds[j]} cross`);
        }
      }
    }
  }
  return problems;
}

let text = xml;
if (!checkOnly) {
  const di = diagramXml();
  text = /<bpmndi:BPMNDiagram[\s\S]*<\/bpmndi:BPMNDiagram>/.test(xml)
    ? xml.replace(/ *<bpmndi:BPMNDiagram[\s\S]*<\/bpmndi:BPMNDiagram>/, di)
    : xml.replace('</bpmn:definitions>', `${di}\n</bpmn:definitions>`);
  writeFileSync(file, text);
  console.log(`layout written to ${file}`);
}
const problems = check(text);
for (const p of problems) console.log(`layout: ${p}`);
console.log(`layout check: ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
