// The live cluster page: polls /_ballast/cluster, listens to /_ballast/events, and draws what it reads.
// Everything from the network goes into the page as text (textContent, attributes), never as markup.
'use strict';

(function () {
  const POLL_MS = 400;
  const POLL_TIMEOUT_MS = 2000;
  const RATE_WINDOW_MS = 3000;
  const MAX_EVENTS = 50;
  const EVENT_TYPES = ['member-joined', 'member-left', 'member-suspected', 'member-draining',
    'partition-merged', 'node-overloaded'];
  const SVG = 'http://www.w3.org/2000/svg';

  // Every member ever seen by this page, by name: {name, view (its latest MemberView), gone, goneAt, samples}.
  const members = new Map();
  let lastView = null;
  let lastAnswerAt = 0;

  const byName = (a, b) => a.localeCompare(b, undefined, {numeric: true});
  const $ = (id) => document.getElementById(id);

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, value);
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function formatRate(value) {
    if (value === null || value === undefined || !isFinite(value)) {
      return '—';
    }
    return value >= 10 ? String(Math.round(value)) : value.toFixed(1);
  }

  function clock(date) {
    return date.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false});
  }

  // ---- reading the view ------------------------------------------------------------------------------------

  async function poll() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), POLL_TIMEOUT_MS);
    try {
      const response = await fetch('cluster', {cache: 'no-store', signal: controller.signal});
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      absorb(await response.json(), performance.now());
      lastAnswerAt = Date.now();
      showConnection(true);
    } catch (e) {
      showConnection(false);
    } finally {
      clearTimeout(timer);
      render();
      setTimeout(poll, POLL_MS);
    }
  }

  function absorb(view, now) {
    lastView = view;
    const present = new Set();
    for (const member of view.members || []) {
      present.add(member.name);
      let known = members.get(member.name);
      if (!known) {
        known = {name: member.name, samples: []};
        members.set(member.name, known);
      }
      known.view = member;
      known.gone = false;
      known.goneAt = null;
      if (member.reportAgeMs >= 0 && member.url !== null) {
        addSample(known, member, now - member.reportAgeMs);
      }
    }
    for (const known of members.values()) {
      if (!present.has(known.name) && !known.gone) {
        known.gone = true;
        known.goneAt = new Date();
        known.samples = [];
      }
    }
  }

  // Counters as of the member's report, stamped with when that report was made, so that rates are not skewed by
  // how old a report was when this page read it.
  function addSample(known, member, at) {
    const last = known.samples[known.samples.length - 1];
    if (last && (member.served < last.served || member.forwarded < last.forwarded)) {
      known.samples = []; // a restarted node counts from 0 again
    }
    if (last && at <= last.at) {
      return;
    }
    known.samples.push({at, served: member.served, forwarded: member.forwarded,
      forwardedTo: member.forwardedTo || {}});
    while (known.samples.length > 2 && known.samples[1].at < at - RATE_WINDOW_MS) {
      known.samples.shift();
    }
  }

  function rates(known) {
    const samples = known.samples;
    if (known.gone || samples.length < 2) {
      return null;
    }
    const first = samples[0];
    const last = samples[samples.length - 1];
    const seconds = (last.at - first.at) / 1000;
    if (seconds <= 0.2) {
      return null;
    }
    const to = {};
    for (const [peer, count] of Object.entries(last.forwardedTo)) {
      const before = first.forwardedTo[peer];
      // a peer that came back into the view starts from 0 again
      to[peer] = Math.max(0, before === undefined || count < before ? count : count - before) / seconds;
    }
    return {
      served: Math.max(0, last.served - first.served) / seconds,
      forwarded: Math.max(0, last.forwarded - first.forwarded) / seconds,
      to,
    };
  }

  function stateOf(known) {
    return known.gone ? 'GONE' : known.view.state;
  }

  // ---- drawing ------------------------------------------------------------------------------------------------

  function render() {
    if (lastView) {
      $('cluster-name').textContent = lastView.cluster;
      $('self-name').textContent = lastView.self;
      $('caption-self').textContent = lastView.self;
      $('events-self').textContent = lastView.self;
      $('coordinator').textContent = lastView.coordinator || '—';
      $('view-id').textContent = String(lastView.viewId);
      document.title = lastView.cluster + ' · Ballast (' + lastView.self + ')';
    }
    const sorted = [...members.values()].sort((a, b) => byName(a.name, b.name));
    const measured = new Map(sorted.map((known) => [known.name, rates(known)]));
    renderMembers(sorted, measured);
    renderMatrix(sorted, measured);
    renderGraph(sorted, measured);
  }

  function showConnection(ok) {
    const status = $('connection');
    status.classList.toggle('down', !ok);
    if (ok) {
      status.textContent = 'live';
    } else {
      const self = lastView ? lastView.self : 'this node';
      status.textContent = lastAnswerAt
        ? 'no answer from ' + self + ' since ' + clock(new Date(lastAnswerAt))
        : 'no answer from ' + self + ' yet';
    }
  }

  function loadBar(member) {
    const bar = el('span', {'class': 'bar', 'aria-hidden': 'true'});
    const capacity = member.capacity > 0 ? member.capacity : 1;
    const running = Math.min(member.inFlight, capacity);
    const queued = Math.max(0, member.inFlight - capacity);
    // the bar's first half is the capacity, its second half the queue (which holds as many again)
    const fill = el('span', {'class': 'fill running' + (member.load >= 0.75 ? ' busy' : '')});
    fill.style.width = (50 * running / capacity) + '%';
    const queue = el('span', {'class': 'fill queued'});
    queue.style.width = Math.min(50, 50 * queued / capacity) + '%';
    bar.append(fill, queue, el('span', {'class': 'capacity-mark'}));
    return bar;
  }

  function loadText(member) {
    const capacity = member.capacity;
    const queued = Math.max(0, member.inFlight - capacity);
    const running = member.inFlight - queued;
    return running + ' / ' + capacity + (queued > 0 ? ' +' + queued + ' queued' : '') +
      ' (' + Math.round(100 * member.load) + '%)';
  }

  // A data cell whose content sits in one wrapper, so that a phone can lay label and value side by side.
  function cell(label, content, className) {
    const td = el('td', {'data-label': label});
    if (className) {
      td.className = className;
    }
    const value = el('span', {'class': 'value'});
    if (typeof content === 'string') {
      value.textContent = content;
    } else {
      value.append(...content);
    }
    td.append(value);
    return td;
  }

  function renderMembers(sorted, measured) {
    const rows = [];
    for (const known of sorted) {
      const member = known.view;
      const state = stateOf(known);
      const rate = measured.get(known.name);
      const tr = el('tr', {'data-key': known.name, 'data-member': known.name, 'data-state': state,
        'class': 'state-' + state.toLowerCase()});
      const name = el('th', {'scope': 'row', 'data-label': 'Node'});
      name.append(el('span', {'class': 'name'}, known.name));
      if (lastView && known.name === lastView.self) {
        name.append(el('span', {'class': 'tag'}, 'this page'));
      }
      if (lastView && known.name === lastView.coordinator && !known.gone) {
        name.append(el('span', {'class': 'tag'}, 'coordinator'));
      }
      tr.append(name);
      const stateParts = [el('span', {'class': 'badge'}, state === 'GONE' ? 'gone' : state)];
      if (known.gone) {
        stateParts.push(el('span', {'class': 'since'}, 'since ' + clock(known.goneAt)));
      }
      tr.append(cell('State', stateParts, 'state'));
      if (member.capacity > 0 && !known.gone) {
        tr.append(cell('Load', [loadBar(member), el('span', {'class': 'load-text'}, loadText(member))], 'load'));
      } else {
        tr.append(cell('Load', [el('span', {'class': 'load-text'},
          member.capacity > 0 ? 'last seen ' + loadText(member) : 'no report yet')], 'load'));
      }
      tr.append(cell('Served/s', rate ? formatRate(rate.served) : '—', 'num served-rate'));
      tr.append(cell('Forwarded/s', rate ? formatRate(rate.forwarded) : '—', 'num forwarded-rate'));
      tr.append(cell('Latency', member.capacity > 0 ? formatRate(member.latencyMs) + ' ms' : '—', 'num'));
      tr.append(cell('Sessions', String(member.sessions), 'num'));
      tr.append(cell('Report age', known.gone ? '—'
        : member.reportAgeMs < 0 ? 'none yet' : member.reportAgeMs + ' ms', 'num'));
      if (typeof member.url === 'string' && /^https?:\/\//.test(member.url)) {
        const base = member.url.replace(/\/$/, '');
        tr.append(cell('URL', [el('a', {'href': base + '/_ballast/', 'title': 'this member\'s own page'},
          base.replace(/^https?:\/\//, ''))], 'url'));
      } else {
        tr.append(cell('URL', '—', 'url'));
      }
      rows.push(tr);
    }
    patchRows($('members').tBodies[0], rows);
  }

  // Puts freshly built rows in place by changing only the cells that differ, so that a link or text a person has
  // focused or selected survives the redraw twice a second.
  function patchRows(body, rows) {
    const old = [...body.rows];
    if (old.length !== rows.length || old.some((tr, i) => tr.dataset.key !== rows[i].dataset.key)) {
      body.replaceChildren(...rows);
      return;
    }
    old.forEach((tr, i) => {
      const fresh = rows[i];
      if (tr.cells.length !== fresh.cells.length) {
        tr.replaceWith(fresh);
        return;
      }
      for (const name of tr.getAttributeNames()) {
        if (!fresh.hasAttribute(name)) {
          tr.removeAttribute(name);
        }
      }
      for (const name of fresh.getAttributeNames()) {
        if (tr.getAttribute(name) !== fresh.getAttribute(name)) {
          tr.setAttribute(name, fresh.getAttribute(name));
        }
      }
      const freshCells = [...fresh.cells];
      [...tr.cells].forEach((cell, j) => {
        if (!cell.isEqualNode(freshCells[j])) {
          cell.replaceWith(freshCells[j]);
        }
      });
    });
  }

  function renderMatrix(sorted, measured) {
    const table = $('forwards');
    const head = el('tr');
    head.append(el('th', {'scope': 'col'}, 'from \\ to'));
    for (const known of sorted) {
      head.append(el('th', {'scope': 'col', 'class': known.gone ? 'gone' : ''}, known.name));
    }
    if (!table.tHead.rows[0] || !table.tHead.rows[0].isEqualNode(head)) {
      table.tHead.replaceChildren(head);
    }
    const rows = [];
    for (const from of sorted) {
      const tr = el('tr', {'data-key': from.name});
      tr.append(el('th', {'scope': 'row', 'class': from.gone ? 'gone' : ''}, from.name));
      const rate = measured.get(from.name);
      for (const to of sorted) {
        const td = el('td', {'class': 'num', 'data-from': from.name, 'data-to': to.name});
        if (from.name === to.name) {
          td.textContent = '—';
          td.classList.add('self');
        } else if (!rate || to.gone) {
          td.textContent = from.gone || to.gone ? '—' : '…';
        } else {
          const value = rate.to[to.name] || 0;
          td.textContent = formatRate(value) + '/s';
          if (value >= 0.05) {
            td.classList.add('active');
          }
        }
        tr.append(td);
      }
      rows.push(tr);
    }
    patchRows(table.tBodies[0], rows);
  }

  function renderGraph(sorted, measured) {
    const width = 640;
    const height = 380;
    const radius = 40;
    const center = {x: width / 2, y: height / 2 + 14};
    const ring = sorted.length <= 1 ? 0 : Math.min(130, 60 + 25 * sorted.length);
    const place = new Map();
    sorted.forEach((known, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, sorted.length);
      place.set(known.name, {x: center.x + ring * Math.cos(angle), y: center.y + ring * Math.sin(angle)});
    });

    let max = 0;
    for (const rate of measured.values()) {
      for (const [peer, value] of Object.entries(rate ? rate.to : {})) {
        if (members.has(peer) && !members.get(peer).gone) {
          max = Math.max(max, value);
        }
      }
    }
    const arrows = [];
    for (const from of sorted) {
      const rate = measured.get(from.name);
      if (!rate) {
        continue;
      }
      for (const [peer, value] of Object.entries(rate.to)) {
        const a = place.get(from.name);
        const b = place.get(peer);
        if (!b || value < 0.05 || members.get(peer).gone) {
          continue;
        }
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const length = Math.hypot(dx, dy) || 1;
        const ux = dx / length;
        const uy = dy / length;
        // bend each arrow to its left, so that A→B and B→A lie side by side
        const bend = 36;
        const control = {x: (a.x + b.x) / 2 + uy * bend, y: (a.y + b.y) / 2 - ux * bend};
        const start = towards(a, control, radius + 4);
        const end = towards(b, control, radius + 10);
        const thickness = 2 + 7 * (max > 0 ? value / max : 0);
        const group = svg('g', {'class': 'arrow', 'data-from': from.name, 'data-to': peer});
        group.append(svg('path', {
          'd': 'M ' + start.x + ' ' + start.y + ' Q ' + control.x + ' ' + control.y + ' ' + end.x + ' ' + end.y,
          'stroke-width': thickness.toFixed(1), 'marker-end': 'url(#arrow-head)', 'class': 'arrow-line',
        }));
        const label = {x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x,
          y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y};
        group.append(svg('text', {'x': label.x + uy * 14, 'y': label.y - ux * 14 + 4, 'class': 'arrow-label',
          'text-anchor': 'middle'}, formatRate(value) + '/s'));
        arrows.push(group);
      }
    }
    $('flow-arrows').replaceChildren(...arrows);

    const nodes = [];
    const circumference = 2 * Math.PI * (radius + 6);
    for (const known of sorted) {
      const p = place.get(known.name);
      const state = stateOf(known);
      const member = known.view;
      const group = svg('g', {'class': 'node state-' + state.toLowerCase(), 'data-member': known.name});
      group.append(svg('circle', {'cx': p.x, 'cy': p.y, 'r': radius + 6, 'class': 'node-track'}));
      if (!known.gone && member.capacity > 0) {
        const shown = Math.min(1, member.load);
        group.append(svg('circle', {
          'cx': p.x, 'cy': p.y, 'r': radius + 6,
          'class': 'node-load' + (member.load > 1 ? ' queued' : member.load >= 0.75 ? ' busy' : ''),
          'stroke-dasharray': (shown * circumference).toFixed(1) + ' ' + circumference.toFixed(1),
          'transform': 'rotate(-90 ' + p.x + ' ' + p.y + ')',
        }));
      }
      group.append(svg('circle', {'cx': p.x, 'cy': p.y, 'r': radius, 'class': 'node-body'}));
      group.append(svg('text', {'x': p.x, 'y': p.y - 4, 'class': 'node-name', 'text-anchor': 'middle'},
        known.name));
      group.append(svg('text', {'x': p.x, 'y': p.y + 14, 'class': 'node-detail', 'text-anchor': 'middle'},
        known.gone ? 'gone' : state === 'UP' ? Math.round(100 * member.load) + '%' : state.toLowerCase()));
      const rate = measured.get(known.name);
      // the rate goes on the side away from the middle, where no arrow passes
      const below = sorted.length <= 1 || p.y >= center.y;
      group.append(svg('text', {'x': p.x, 'y': below ? p.y + radius + 26 : p.y - radius - 16, 'class': 'node-rate',
        'text-anchor': 'middle'},
        known.gone ? '' : (rate ? formatRate(rate.served) : '…') + ' served/s'));
      nodes.push(group);
    }
    $('flow-nodes').replaceChildren(...nodes);
  }

  function towards(from, to, distance) {
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    return {x: from.x + (dx / length) * distance, y: from.y + (dy / length) * distance};
  }

  // ---- events -------------------------------------------------------------------------------------------------

  // The stream replays this node's recent events first, and again after it reconnects: each is shown once.
  const shownEvents = new Set();

  function listen() {
    const stream = new EventSource('events?recent=' + MAX_EVENTS);
    for (const type of EVENT_TYPES) {
      stream.addEventListener(type, (message) => {
        let event;
        try {
          event = JSON.parse(message.data);
        } catch (e) {
          return;
        }
        const key = [message.lastEventId, type, event.member, event.at].join(' ');
        if (shownEvents.has(key)) {
          return;
        }
        shownEvents.add(key);
        addEvent(type, event);
      });
    }
  }

  // A run of the same event for the same member (a node that keeps overloading) is one line with a count.
  function addEvent(type, event) {
    const at = new Date(event.at);
    const member = String(event.member);
    const list = $('events');
    const top = list.firstElementChild;
    let item;
    if (top && top.dataset.type === type && top.dataset.member === member) {
      item = top;
      item.dataset.count = String(Number(item.dataset.count) + 1);
      item.replaceChildren();
    } else {
      item = el('li', {'class': 'event type-' + type, 'data-type': type, 'data-member': member, 'data-count': '1'});
      list.prepend(item);
    }
    item.append(el('time', {'datetime': isNaN(at) ? '' : at.toISOString()}, isNaN(at) ? '' : clock(at)));
    item.append(el('span', {'class': 'badge'}, type));
    item.append(el('strong', {'class': 'member'}, member));
    if (item.dataset.count !== '1') {
      item.append(el('span', {'class': 'count', 'title': 'times in a row'}, '×' + item.dataset.count));
    }
    item.append(el('span', {'class': 'detail'}, event.detail ? String(event.detail) : ''));
    while (list.children.length > MAX_EVENTS) {
      list.lastElementChild.remove();
    }
    $('events-empty').hidden = true;
  }

  listen();
  poll();
})();
