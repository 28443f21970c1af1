// vdresize's Cockpit plugin (Camunda 7.24 frontend plugin API): an ES module of plugin definitions.
// No library and nothing from a CDN: the page is built with DOM calls, the charts are plain SVG.
// Every figure comes from vdresize's /api, read with the user's webapp session (GET only, with the
// session's CSRF token): the user sees exactly what their role may read there. The plugin has no
// action of its own; a resize waiting for someone links to Tasklist, for users who may open it.

const PROCESS_KEY = 'virtual-disk-resize';
const FINAL = ['COMPLETED', 'FAILED', 'ROLLED_BACK', 'REJECTED'];
const STATUSES = ['RUNNING', 'WAITING_FOR_APPROVAL', 'NEEDS_ATTENTION', 'COMPLETED', 'FAILED', 'ROLLED_BACK', 'REJECTED'];
const STATUS_COLOURS = {
  RUNNING: '#3b6eb4', WAITING_FOR_APPROVAL: '#d9912b', NEEDS_ATTENTION: '#c7541d', COMPLETED: '#3f8a3f',
  FAILED: '#b5152b', ROLLED_BACK: '#8a5fae', REJECTED: '#7a7a7a'
};
const SVG = 'http://www.w3.org/2000/svg';
const DAYS = 30;

// ---- the API ---------------------------------------------------------------------------------

/** The webapps' root (e.g. /camunda) from the admin API's path that Cockpit hands every plugin. */
function appRoot(api) {
  return api.adminApi.replace(/\/api\/admin\/?$/, '');
}

/** vdresize's /api sits at the application's root, one path segment above the webapps. */
function vdrApi(api) {
  return appRoot(api).replace(/\/[^/]*$/, '') + '/api';
}

async function get(api, path) {
  const response = await fetch(vdrApi(api) + path, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'X-XSRF-TOKEN': api.CSRFToken || '' }
  });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const problem = await response.json();
      detail = (problem.code ? problem.code + ': ' : '') + (problem.detail || problem.title || detail);
    } catch (e) {
      // not a problem document: the status text says enough
    }
    const error = new Error(response.status + ' ' + detail);
    error.status = response.status;
    throw error;
  }
  const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('Link') || '');
  return { body: await response.json(), next: next ? next[1].replace(/^\/api/, '') : null };
}

/** The applications the logged-in user may open (the webapps' own authentication resource). */
async function authorizedApps(api) {
  try {
    const response = await fetch(api.adminApi + '/auth/user/' + encodeURIComponent(api.engine),
      { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return response.ok ? (await response.json()).authorizedApps || [] : [];
  } catch (e) {
    return [];
  }
}

// ---- building the page -----------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function s(tag, attrs, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    // text always as a text node: names, paths and details come from users and guests
    element.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function bytes(value) {
  if (value === null || value === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let n = Math.abs(value);
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  const text = (unit === 0 ? String(n) : n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)) + ' ' + units[unit];
  return (value < 0 ? '-' : '') + text;
}

function time(value) {
  return value ? value.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : '–';
}

function duration(ms) {
  if (ms === null || ms === undefined) return 'running';
  if (ms < 1000) return ms + ' ms';
  if (ms < 120000) return (ms / 1000).toFixed(1) + ' s';
  return Math.round(ms / 60000) + ' min';
}

function badge(status) {
  return h('span', { class: 'vdr-status', 'data-status': status, style: 'background:' + (STATUS_COLOURS[status] || '#555') },
    status);
}

function table(headers, rows, attrs) {
  return h('table', Object.assign({ class: 'table table-condensed vdr-table' }, attrs || {}),
    h('thead', null, h('tr', null, headers.map(text => h('th', null, text)))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: headers.length, class: 'vdr-none' }, 'none'))));
}

function section(title, ...content) {
  return h('section', { class: 'vdr-section' }, h('h3', null, title), content);
}

function failure(node, error) {
  node.replaceChildren(h('div', { class: 'alert alert-danger vdr-error' },
    error.status === 403 ? 'Your groups may not read disk resizes (' + error.message + ').'
      : error.status === 401 ? 'Your Cockpit session has ended or is not valid for vdresize: log in again (' + error.message + ').'
        : 'vdresize: ' + error.message));
}

function detailsLink(id, text) {
  return h('a', { href: '#/disk-resize/' + encodeURIComponent(id), class: 'vdr-details', 'data-resize-id': id }, text || id);
}

function tasklistLink(api) {
  return h('a', { href: appRoot(api) + '/app/tasklist/' + encodeURIComponent(api.engine) + '/', class: 'vdr-tasklist' },
    'Open in Tasklist');
}

// ---- one resize ------------------------------------------------------------------------------

async function renderResize(node, api, id) {
  node.replaceChildren(h('p', { class: 'vdr-loading' }, 'Loading disk resize ' + id + ' …'));
  let resize;
  let audit;
  let apps;
  try {
    [resize, audit, apps] = await Promise.all([
      get(api, '/resizes/' + encodeURIComponent(id)).then(r => r.body),
      get(api, '/audit?resizeId=' + encodeURIComponent(id) + '&limit=1000').then(r => r.body),
      authorizedApps(api)]);
  } catch (error) {
    if (error.status === 404) {
      node.replaceChildren(h('p', { class: 'vdr-none' }, 'vdresize has no resize with the id ' + id + '.'));
    } else {
      failure(node, error);
    }
    return;
  }
  const growth = resize.newSize !== null && resize.oldSize !== null ? resize.newSize - resize.oldSize : null;
  const waiting = resize.status === 'WAITING_FOR_APPROVAL' || resize.status === 'NEEDS_ATTENTION';
  const disk = resize.disk || {};
  node.replaceChildren(h('div', { class: 'vdr vdr-resize', 'data-resize-id': resize.id },
    h('h2', null, 'Disk resize ', badge(resize.status), resize.noop ? h('span', { class: 'vdr-noop' }, ' no-op') : null),
    waiting ? h('p', { class: 'alert alert-warning vdr-waiting' },
      resize.status === 'WAITING_FOR_APPROVAL' ? 'Waits for a disk approver. ' : 'Waits for an operator. ',
      apps.includes('tasklist') ? tasklistLink(api) : null) : null,
    resize.error ? h('p', { class: 'alert alert-danger vdr-failure' }, resize.error.code + ': ' + resize.error.message) : null,
    h('dl', { class: 'dl-horizontal vdr-facts' },
      h('dt', null, 'Disk'), h('dd', { class: 'vdr-disk' }, disk.path || '–'),
      h('dt', null, 'Pool / volume'), h('dd', null, (disk.pool || '–') + ' / ' + (disk.volume || '–')),
      h('dt', null, 'Format'), h('dd', null, (disk.format || '–') + (disk.preallocated ? ', preallocated' : '')),
      h('dt', null, 'Old size'), h('dd', { class: 'vdr-old-size', 'data-bytes': resize.oldSize }, bytes(resize.oldSize)),
      h('dt', null, 'New size'), h('dd', { class: 'vdr-new-size', 'data-bytes': resize.newSize },
        bytes(resize.newSize), ' (requested ', resize.requestedSize || '–', ')'),
      h('dt', null, 'Growth'), h('dd', { class: 'vdr-growth', 'data-bytes': growth }, growth === null ? '–' : '+' + bytes(growth)),
      h('dt', null, 'Requested by'), h('dd', { class: 'vdr-requested-by' }, resize.requestedBy || '–'),
      h('dt', null, 'Reason'), h('dd', null, resize.reason || '–'),
      h('dt', null, 'Started / ended'), h('dd', null, time(resize.startedAt) + ' / ' + time(resize.endedAt))),
    section('Virtual machines', table(['VM', 'Host', 'Target', 'Outcome', 'Capacity seen by QEMU'],
      (resize.vms || []).map(vm => h('tr', { class: 'vdr-vm', 'data-vm': vm.name },
        h('td', null, vm.name), h('td', null, vm.host || '–'), h('td', null, vm.target),
        h('td', null, vm.status), h('td', { 'data-bytes': vm.capacity }, bytes(vm.capacity)))))),
    section('What the guest saw', table(['VM', 'Guest', 'Size in the guest', 'Filesystem'],
      (resize.guest || []).map(guest => h('tr', { class: 'vdr-guest', 'data-vm': guest.vm },
        h('td', null, guest.vm), h('td', null, guest.status), h('td', null, bytes(guest.guestSize)),
        h('td', null, filesystem(guest.filesystem)))))),
    section('Steps', timeline(resize.steps || [], resize.startedAt, resize.endedAt),
      table(['Step', 'Status', 'Started', 'Took', 'Detail'], (resize.steps || []).map(step => h('tr', { class: 'vdr-step' },
        h('td', { class: 'vdr-step-name' }, step.name), h('td', null, step.status), h('td', null, time(step.startedAt)),
        h('td', null, duration(step.durationMs)), h('td', null, step.detail || ''))))),
    section('Audit entries', table(['At', 'Type', 'User', 'VM', 'Old → new', 'Detail'],
      audit.map(event => h('tr', { class: 'vdr-audit', 'data-type': event.type },
        h('td', null, time(event.at)), h('td', null, event.type), h('td', null, event.user || '–'),
        h('td', null, event.vm || '–'),
        h('td', null, event.oldSize === null && event.newSize === null ? '–' : bytes(event.oldSize) + ' → ' + bytes(event.newSize)),
        h('td', null, event.detail || '')))))));
}

function filesystem(fs) {
  if (!fs) return '–';
  const sizes = fs.sizeBefore !== null && fs.sizeBefore !== undefined
    ? ', ' + bytes(fs.sizeBefore) + ' → ' + bytes(fs.sizeAfter) : '';
  return [fs.type, fs.device, fs.mountpoint ? 'on ' + fs.mountpoint : null].filter(Boolean).join(' ') + sizes
    + (fs.status ? ' (' + fs.status + ')' : '');
}

/** The steps as bars on one time axis, from the resize's start to its end (or now). */
function timeline(steps, startedAt, endedAt) {
  const timed = steps.filter(step => step.startedAt);
  if (!timed.length) return h('p', { class: 'vdr-none' }, 'No step has run yet.');
  const start = Date.parse(startedAt || timed[0].startedAt);
  const ends = timed.map(step => Date.parse(step.endedAt || new Date().toISOString()));
  const end = Math.max(endedAt ? Date.parse(endedAt) : 0, ...ends, start + 1);
  const width = 760;
  const label = 230;
  const row = 20;
  const scale = (width - label - 10) / (end - start);
  const svg = s('svg', { class: 'vdr-timeline', width, height: timed.length * row + 24, viewBox: `0 0 ${width} ${timed.length * row + 24}`,
    role: 'img', 'aria-label': 'Steps on a time line' });
  timed.forEach((step, i) => {
    const x = label + (Date.parse(step.startedAt) - start) * scale;
    const w = Math.max(2, ((step.endedAt ? Date.parse(step.endedAt) : end) - Date.parse(step.startedAt)) * scale);
    const colour = /FAIL|ERROR/.test(step.status) ? '#b5152b' : step.endedAt ? '#3f8a3f' : '#3b6eb4';
    svg.appendChild(s('text', { x: 0, y: i * row + 14, 'font-size': 12 }, step.name));
    svg.appendChild(s('rect', { x, y: i * row + 4, width: w, height: 12, fill: colour },
      s('title', null, step.name + ': ' + step.status + ', ' + duration(step.durationMs))));
  });
  const axis = timed.length * row + 18;
  svg.appendChild(s('text', { x: label, y: axis, 'font-size': 11, fill: '#666' }, time(new Date(start).toISOString())));
  svg.appendChild(s('text', { x: width - 10, y: axis, 'font-size': 11, fill: '#666', 'text-anchor': 'end' },
    '+' + duration(end - start)));
  return svg;
}

// ---- the dashboard ---------------------------------------------------------------------------

async function renderDashboard(node, api) {
  const root = h('div', { class: 'vdr vdr-dashboard' }, h('h2', null, 'Disk resizes'),
    h('p', { class: 'vdr-loading' }, 'Loading …'));
  node.replaceChildren(root);
  let stats;
  let waiting;
  let apps;
  try {
    [stats, waiting, apps] = await Promise.all([
      get(api, '/stats/resizes?days=' + DAYS).then(r => r.body),
      Promise.all(['WAITING_FOR_APPROVAL', 'NEEDS_ATTENTION'].map(status =>
        get(api, '/resizes?status=' + status + '&limit=100').then(r => r.body))).then(lists => lists.flat()),
      authorizedApps(api)]);
  } catch (error) {
    failure(root, error);
    return;
  }
  const finished = h('div', { class: 'vdr-finished' });
  const search = h('input', { type: 'search', class: 'form-control vdr-search', placeholder: 'disk path or VM name or UUID',
    'aria-label': 'Search finished resizes by disk or VM' });
  const form = h('form', { class: 'form-inline vdr-search-form', role: 'search' }, search,
    h('button', { type: 'submit', class: 'btn btn-default' }, 'Search'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    loadFinished(api, finished, search.value.trim());
  });
  root.replaceChildren(h('h2', null, 'Disk resizes'),
    h('p', { class: 'vdr-period' }, 'The last ' + stats.days + ' days (UTC), from ' + time(stats.from) + ', as of ' + time(stats.to) + '.'),
    h('div', { class: 'vdr-charts' },
      section('Resizes by status', statusChart(stats.byStatus)),
      section('Growth per day', growthChart(stats.growthPerDay),
        h('p', null, 'In all: ', h('strong', { class: 'vdr-total-growth', 'data-bytes': stats.growthBytes },
          '+' + bytes(stats.growthBytes)), ' by completed resizes.'))),
    section('Disks that grew most', table(['Disk', 'Growth', 'Resizes'],
      stats.topDisks.map(disk => h('tr', { class: 'vdr-top-disk', 'data-path': disk.path },
        h('td', null, h('a', { href: '', class: 'vdr-search-disk' }, disk.path)),
        h('td', { 'data-bytes': disk.growthBytes }, '+' + bytes(disk.growthBytes)), h('td', null, disk.resizes))))),
    section('Waiting for approval or attention', table(['Resize', 'Status', 'Disk', 'Growth', 'Requested by', 'Since', ''],
      waiting.map(resize => h('tr', { class: 'vdr-waiting-resize', 'data-resize-id': resize.id },
        h('td', null, detailsLink(resize.id)), h('td', null, badge(resize.status)),
        h('td', null, resize.disk ? resize.disk.path : '–'),
        h('td', null, resize.newSize !== null && resize.oldSize !== null ? '+' + bytes(resize.newSize - resize.oldSize) : '–'),
        h('td', null, resize.requestedBy || '–'), h('td', null, time(resize.startedAt)),
        h('td', null, apps.includes('tasklist') ? tasklistLink(api) : null))))),
    section('Finished resizes', form, finished));
  root.querySelectorAll('a.vdr-search-disk').forEach(link => link.addEventListener('click', event => {
    event.preventDefault();
    search.value = link.textContent;
    loadFinished(api, finished, search.value);
  }));
  await loadFinished(api, finished, '');
}

/** The newest finished resizes, of a disk (a path) or a VM (name or UUID) when one is given. */
async function loadFinished(api, node, query) {
  node.replaceChildren(h('p', { class: 'vdr-loading' }, 'Loading …'));
  const filter = !query ? '' : query.startsWith('/') ? '&disk=' + encodeURIComponent(query) : '&vm=' + encodeURIComponent(query);
  const wanted = 25;
  const found = [];
  let next = '/resizes?limit=100' + filter;
  try {
    // the list has no filter for "any final status": read pages until there are enough (at most 5)
    for (let page = 0; page < 5 && next && found.length < wanted; page++) {
      const answer = await get(api, next);
      found.push(...answer.body.filter(resize => FINAL.includes(resize.status)));
      next = answer.next;
    }
  } catch (error) {
    failure(node, error);
    return;
  }
  node.replaceChildren(h('p', { class: 'vdr-search-result' }, query ? 'Finished resizes of ' + query + ':' : 'The newest finished resizes:'),
    table(['Resize', 'Status', 'Disk', 'VMs', 'Old → new', 'Requested by', 'Ended'],
      found.slice(0, wanted).map(resize => h('tr', { class: 'vdr-finished-resize', 'data-resize-id': resize.id },
        h('td', null, detailsLink(resize.id)), h('td', null, badge(resize.status)),
        h('td', null, resize.disk ? resize.disk.path : '–'),
        h('td', null, (resize.vms || []).map(vm => vm.name).join(', ') || '–'),
        h('td', null, bytes(resize.oldSize) + ' → ' + bytes(resize.newSize)),
        h('td', null, resize.requestedBy || '–'), h('td', null, time(resize.endedAt))))));
}

/** Horizontal bars, one per status, with the count at the end of the bar. */
function statusChart(byStatus) {
  const width = 420;
  const label = 170;
  const row = 24;
  const max = Math.max(1, ...STATUSES.map(status => byStatus[status] || 0));
  const svg = s('svg', { class: 'vdr-chart vdr-status-chart', width, height: STATUSES.length * row + 4,
    viewBox: `0 0 ${width} ${STATUSES.length * row + 4}`, role: 'img', 'aria-label': 'Resizes by status' });
  STATUSES.forEach((status, i) => {
    const count = byStatus[status] || 0;
    const w = count ? Math.max(2, (width - label - 50) * count / max) : 0;
    svg.appendChild(s('g', { class: 'vdr-bar', 'data-status': status, 'data-count': count },
      s('text', { x: 0, y: i * row + 16, 'font-size': 12 }, status),
      s('rect', { x: label, y: i * row + 4, width: w, height: 16, fill: STATUS_COLOURS[status] }),
      s('text', { x: label + w + 6, y: i * row + 16, 'font-size': 12, class: 'vdr-count' }, count)));
  });
  return svg;
}

/** One column per day, the highest growth at the top; the first, middle and last day labelled. */
function growthChart(days) {
  const width = 620;
  const height = 200;
  const left = 70;
  const bottom = 24;
  const max = Math.max(1, ...days.map(day => day.growthBytes));
  const column = (width - left - 6) / days.length;
  const svg = s('svg', { class: 'vdr-chart vdr-growth-chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'Growth in bytes per day' });
  svg.appendChild(s('line', { x1: left, y1: 6, x2: left, y2: height - bottom, stroke: '#999' }));
  svg.appendChild(s('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#999' }));
  svg.appendChild(s('text', { x: left - 4, y: 14, 'font-size': 11, 'text-anchor': 'end' }, bytes(max)));
  svg.appendChild(s('text', { x: left - 4, y: height - bottom, 'font-size': 11, 'text-anchor': 'end' }, '0'));
  days.forEach((day, i) => {
    const h2 = (height - bottom - 8) * day.growthBytes / max;
    svg.appendChild(s('rect', { class: 'vdr-day', 'data-day': day.day, 'data-bytes': day.growthBytes, 'data-resizes': day.resizes,
      x: left + i * column + 1, y: height - bottom - h2, width: Math.max(1, column - 2), height: h2, fill: '#3b6eb4' },
      s('title', null, day.day + ': +' + bytes(day.growthBytes) + ' in ' + day.resizes + ' resize(s)')));
    if (i === 0 || i === days.length - 1 || i === Math.floor(days.length / 2)) {
      svg.appendChild(s('text', { x: left + i * column + column / 2, y: height - 6, 'font-size': 11, 'text-anchor': 'middle' },
        day.day.slice(5)));
    }
  });
  return svg;
}

// ---- the plugins -----------------------------------------------------------------------------

/** Whether a process instance is a resize: its definition's key, from the engine API Cockpit uses. */
async function isResize(api, processInstanceId) {
  const response = await fetch(api.engineApi + '/process-instance/' + encodeURIComponent(processInstanceId),
    { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) return true;  // let the vdresize API answer
  const instance = await response.json();
  return (instance.definitionId || '').startsWith(PROCESS_KEY + ':');
}

export default [
  {
    id: 'vdresize-resize-tab',
    pluginPoint: 'cockpit.processInstance.runtime.tab',
    priority: 20,
    properties: { label: 'Disk resize' },
    render: (node, { api, processInstanceId }) => {
      isResize(api, processInstanceId).then(resize => resize
        ? renderResize(node, api, processInstanceId)
        : node.replaceChildren(h('p', { class: 'vdr-none' }, 'This process instance is not a disk resize.')));
    }
  },
  {
    id: 'vdresize-dashboard',
    pluginPoint: 'cockpit.dashboard',
    priority: 20,
    properties: { label: 'Disk resizes' },
    render: (node, { api }) => { renderDashboard(node, api); }
  },
  {
    // a page of its own for any resize, finished ones too: Cockpit CE opens running instances only
    id: 'vdresize-resize-page',
    pluginPoint: 'cockpit.route',
    properties: { path: '/disk-resize/:id', label: 'Disk resize' },
    render: (node, { api }) => {
      const match = /#\/disk-resize\/([^/?]+)/.exec(window.location.hash);
      const page = h('div', { class: 'vdr-page' });
      node.replaceChildren(h('p', null, h('a', { href: '#/dashboard', class: 'vdr-back' }, '← Dashboard')), page);
      if (match) renderResize(page, api, decodeURIComponent(match[1]));
    }
  }
];
