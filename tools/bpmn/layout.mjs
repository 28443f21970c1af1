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
// loop above, approval, rejection, compensation, roll-back and the operator loop below.
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
  // approval: needed = down to the lower rows and back up to the join; not needed = straight on
  Gateway_ApprovalNeeded: { b: gateway(680, ROW_MAIN), label: ['Approval needed?', 'c', 680, 240] },
  Task_RecordApprovalRequest: { b: task(680, ROW_DOWN) },
  UserTask_ApproveResize: { b: task(830, ROW_DOWN) },
  Gateway_Approved: { b: gateway(960, ROW_DOWN), label: ['Approved?', 'c', 960, 436] },
  Task_RecordApproval: { b: task(1090, ROW_DOWN) },
  Gateway_JoinApproval: { b: gateway(1090, ROW_MAIN) },
  Task_RecordRejectionByApprover: { b: task(960, ROW_DOWN2) },
  Task_ReleaseLockAfterRejection: { b: task(1110, ROW_DOWN2) },
  Event_ResizeNotApproved: { b: event(1230, ROW_DOWN2), label: ['Resize not approved', 'c', 1230, 643] },
  Task_ExtendStorage: { b: task(1220, ROW_MAIN) },
  Event_CompensateStorage: { b: event(1220, 340), boundaryOf: 'Task_ExtendStorage', label: ['Undo', 'l', 1228, 364] },
  Task_ShrinkStorageBack: { b: task(1220, ROW_DOWN) },
  // the storage step: no storage job (QEMU grows the image) = over the wait loop, along the top
  Gateway_StorageJobToCheck: { b: gateway(1335, ROW_MAIN), label: ['Storage job to wait for?', 'c', 1335, 332] },
  Gateway_JoinStorageCheck: { b: gateway(1435, ROW_MAIN) },
  Task_CheckStorageJob: { b: task(1560, ROW_MAIN) },
  Event_StorageJobFailed: { b: event(1560, 340), boundaryOf: 'Task_CheckStorageJob', label: ['Storage job failed or timed out', 'r', 1552, 364] },
  Gateway_StorageJobDone: { b: gateway(1675, ROW_MAIN), label: ['Storage job done?', 'c', 1675, 332] },
  // the wait loop above the check: the job's end (message) or the poll interval (timer), whichever is first
  Gateway_WaitForStorageJob: { b: gateway(1675, ROW_UP), label: ['Wait for the storage job', 'l', 1705, 118] },
  Event_PollInterval: { b: event(1560, ROW_UP), label: ['Wait poll interval', 'c', 1560, 183] },
  Event_StorageJobEnded: { b: event(1560, 70), label: ['Storage job ended', 'c', 1560, 93] },
  Gateway_JoinStorageWait: { b: gateway(1435, ROW_UP) },
  Gateway_JoinStorageDone: { b: gateway(1800, ROW_MAIN) },
  Gateway_JoinVmResize: { b: gateway(1900, ROW_MAIN) },
  Task_ResizeVm: { b: task(2030, ROW_MAIN) },
  // right of the bottom centre, where the multi-instance marker is
  Event_VmResizeFailed: { b: event(2062, 340), boundaryOf: 'Task_ResizeVm', label: ['VM resize failed', 'l', 2070, 364] },
  Gateway_AnyVmResized: { b: gateway(2062, ROW_DOWN), label: ['Did a VM see the new size?', 'r', 2050, 412] },
  Event_UndoAfterVmFailure: { b: event(1915, ROW_DOWN), label: ['Undo storage growth', 'c', 1915, 503] },
  Event_UndoAfterStorageFailure: { b: event(1560, ROW_DOWN), label: ['Undo storage growth', 'c', 1560, 503] },
  Gateway_JoinRollback: { b: gateway(1690, ROW_DOWN) },
  Task_RecordRollback: { b: task(1690, ROW_DOWN2) },
  Task_ReleaseLockAfterRollback: { b: task(1960, ROW_DOWN2) },
  Event_ResizeRolledBack: { b: event(2080, ROW_DOWN2), label: ['Resize rolled back', 'c', 2080, 643] },
  Task_RecordNeedsAttention: { b: task(2200, ROW_DOWN) },
  UserTask_ResolveVmFailure: { b: task(2360, ROW_DOWN) },
  Gateway_OperatorDecision: { b: gateway(2480, ROW_DOWN), label: ['Operator decision?', 'c', 2480, 510] },
  Gateway_JoinResult: { b: gateway(2145, ROW_MAIN) },
  Task_NotifyGuest: { b: task(2280, ROW_MAIN) },
  Task_RecordResult: { b: task(2440, ROW_MAIN) },
  Task_ReleaseLock: { b: task(2600, ROW_MAIN) },
  Event_ResizeCompleted: { b: event(2720, ROW_MAIN), label: ['Resize completed', 'c', 2720, 325] },
  Annotation_PointOfNoReturn: { b: { x: 2190, y: 566, w: 300, h: 80 }, annotation: true },
  // between the retry lane and the happy path, next to the step it explains
  Annotation_GuestNeverFails: { b: { x: 2330, y: 180, w: 250, h: 56 }, annotation: true },
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
  Flow_ToApprovalNeeded: { p: [[610, 300], [655, 300]] },
  Flow_ApprovalNeeded: { p: [[680, 325], [680, 440]], label: ['yes', 'l', 687, 375] },
  Flow_NoApprovalNeeded: { p: [[705, 300], [1065, 300]], label: ['no', 'c', 730, 282] },
  Flow_ToApproveResize: { p: [[730, 480], [780, 480]] },
  Flow_ToApproved: { p: [[880, 480], [935, 480]] },
  Flow_Approved: { p: [[985, 480], [1040, 480]], label: ['yes', 'c', 1012, 462] },
  Flow_NotApproved: { p: [[960, 505], [960, 580]], label: ['no', 'l', 967, 530] },
  Flow_ApprovalToJoin: { p: [[1090, 440], [1090, 325]] },
  Flow_ToReleaseLockAfterRejection: { p: [[1010, 620], [1060, 620]] },
  Flow_ToResizeNotApproved: { p: [[1160, 620], [1212, 620]] },
  Flow_ToExtendStorage: { p: [[1115, 300], [1170, 300]] },
  Flow_ToStorageJobToCheck: { p: [[1270, 300], [1310, 300]] },
  Flow_StorageJobToCheck: { p: [[1360, 300], [1410, 300]], label: ['yes', 'c', 1385, 282] },
  Flow_NoStorageJobToCheck: { p: [[1335, 275], [1335, 30], [1800, 30], [1800, 275]], label: ['no: QEMU grows the image', 'r', 1328, 100] },
  Flow_ToCheckStorageJob: { p: [[1460, 300], [1510, 300]] },
  Flow_ToStorageJobDone: { p: [[1610, 300], [1650, 300]] },
  Flow_StorageJobDone: { p: [[1700, 300], [1775, 300]], label: ['done', 'c', 1737, 282] },
  Flow_StorageDoneToVmResize: { p: [[1825, 300], [1875, 300]] },
  Flow_StorageJobRunning: { p: [[1675, 275], [1675, 185]], label: ['still running', 'l', 1682, 215] },
  Flow_ToPollInterval: { p: [[1650, 160], [1578, 160]] },
  Flow_ToStorageJobEnded: { p: [[1675, 135], [1675, 70], [1578, 70]] },
  Flow_PollIntervalToJoin: { p: [[1542, 160], [1460, 160]] },
  Flow_StorageJobEndedToJoin: { p: [[1542, 70], [1435, 70], [1435, 135]] },
  Flow_PollAgain: { p: [[1435, 185], [1435, 275]] },
  Flow_ToResizeVm: { p: [[1925, 300], [1980, 300]] },
  Flow_ToJoinResult: { p: [[2080, 300], [2120, 300]] },
  Flow_ToAnyVmResized: { p: [[2062, 358], [2062, 455]] },
  Flow_NoVmResized: { p: [[2037, 480], [1933, 480]], label: ['no', 'c', 1985, 486] },
  Flow_SomeVmResized: { p: [[2087, 480], [2150, 480]], label: ['yes', 'c', 2118, 462] },
  Flow_ToResolveVmFailure: { p: [[2250, 480], [2310, 480]] },
  Flow_ToOperatorDecision: { p: [[2410, 480], [2455, 480]] },
  Flow_OperatorRetry: { p: [[2505, 480], [2790, 480], [2790, 160], [1900, 160], [1900, 275]], label: ['retry', 'l', 2520, 462] },
  Flow_OperatorFinish: { p: [[2480, 455], [2480, 390], [2145, 390], [2145, 325]], label: ['finish with a warning', 'c', 2390, 357] },
  Flow_ToNotifyGuest: { p: [[2170, 300], [2230, 300]] },
  Flow_ToRecordResult: { p: [[2330, 300], [2390, 300]] },
  Flow_ToReleaseLock: { p: [[2490, 300], [2550, 300]] },
  Flow_ToResizeCompleted: { p: [[2650, 300], [2702, 300]] },
  Flow_ToUndoAfterStorageFailure: { p: [[1560, 358], [1560, 462]] },
  Flow_StorageUndoneToJoin: { p: [[1578, 480], [1665, 480]] },
  Flow_VmUndoneToJoin: { p: [[1897, 480], [1715, 480]] },
  Flow_ToRecordRollback: { p: [[1690, 505], [1690, 580]] },
  Flow_ToReleaseLockAfterRollback: { p: [[1740, 620], [1910, 620]] },
  Flow_ToResizeRolledBack: { p: [[2010, 620], [2062, 620]] },
  Association_CompensateStorage: { p: [[1220, 358], [1220, 440]], association: true },
  // annotations are joined by a straight dotted line in every BPMN editor
  Association_PointOfNoReturn: { p: [[2072, 495], [2190, 606]], association: true, diagonal: true },
  Association_GuestNeverFails: { p: [[2310, 260], [2330, 236]], association: true, diagonal: true },
};

// ---------------------------------------------------------------- read the model
const xml = readFileSync(file, 'utf8');
const processId = /<bpmn:process id="([^"]+)"/.exec(xml)[1];
const flowRefs = {};
for (const m of xml.matchAll(/<bpmn:(sequenceFlow|association) id="([^"]+)"[^>]*?sourceRef="([^"]+)"[^>]*?targetRef="([^"]+)"/gs)) {
  flowRefs[m[2]] = { kind: m[1], source: m[3], target: m[4] };
}
const nodeIds = [...xml.matchAll(/<bpmn:(startEvent|endEvent|serviceTask|userTask|exclusiveGateway|eventBasedGateway|boundaryEvent|intermediateCatchEvent|intermediateThrowEvent|textAnnotation) id="([^"]+)"/g)].map((m) => m[2]);

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
