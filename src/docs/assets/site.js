// The docs site's behaviour: model panels, graph selection and zoom, sidebar filter.
// Runs from file:// with no network: everything comes from the embedded JSON block.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('strata-data').textContent);
  var svg = document.getElementById('lineage-graph');
  var wrap = document.getElementById('graph-wrap');
  var detail = document.getElementById('detail');
  var search = document.getElementById('search');

  function esc(v) {
    return String(v == null ? '' : v).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function fmtInt(n) {
    return n == null || !isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');
  }
  function fmtSec(s) {
    if (s == null || !isFinite(s)) return '—';
    return s >= 10 ? s.toFixed(1) + ' s' : s.toFixed(2) + ' s';
  }
  function nodeHref(id) {
    return '#node=' + encodeURIComponent(id);
  }
  function chip(id) {
    var n = data.nodes[id];
    var mat = n ? n.materialized : 'table';
    return '<a class="chip mat-' + esc(mat) + '" href="' + nodeHref(id) + '" data-node="' + esc(id) + '"><span class="dot"></span>' + esc(n && n.label ? n.label : id) + '</a>';
  }

  // --- SQL highlighting: keywords, strings, comments, numbers; everything escaped. ---
  var KEYWORDS = ('select from where and or not in is null as on join left right inner outer full cross group by order having limit offset ' +
    'union all distinct case when then else end with insert into update delete create table view index materialized returning ' +
    'coalesce cast over partition rows range between asc desc nulls first last true false exists any lateral using filter ' +
    'interval date timestamp timestamptz bigint integer int numeric text boolean double precision varchar count sum avg min max round greatest least row_number rank dense_rank')
    .split(' ');
  var KW = {};
  KEYWORDS.forEach(function (k) { KW[k] = true; });
  function highlight(sql) {
    var out = '';
    var re = /(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*')|("(?:[^"]|"")*")|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|([\s\S])/g;
    var m;
    while ((m = re.exec(sql))) {
      if (m[1]) out += '<span class="c">' + esc(m[1]) + '</span>';
      else if (m[2]) out += '<span class="s">' + esc(m[2]) + '</span>';
      else if (m[3]) out += esc(m[3]);
      else if (m[4]) out += '<span class="n">' + esc(m[4]) + '</span>';
      else if (m[5]) out += KW[m[5].toLowerCase()] ? '<span class="k">' + esc(m[5]) + '</span>' : esc(m[5]);
      else out += esc(m[6]);
    }
    return out;
  }

  // --- The detail panel. ---
  function section(title, body) {
    return '<section><h3>' + esc(title) + '</h3>' + body + '</section>';
  }
  function props(pairs) {
    var rows = pairs
      .filter(function (p) { return p[1] != null && p[1] !== ''; })
      .map(function (p) { return '<dt>' + esc(p[0]) + '</dt><dd>' + p[1] + '</dd>'; })
      .join('');
    return '<dl class="props">' + rows + '</dl>';
  }
  function statusBadge(s) {
    return s ? '<span class="status status-' + esc(s) + '">' + esc(s) + '</span>' : '';
  }
  // --- Column lineage: each column's one-hop sources (from compile's SQL analysis), walked both ways. ---
  function colKey(node, column) { return node + '\u0000' + column; }
  var colUp = {}, colDown = {};
  Object.keys(data.nodes).forEach(function (id) {
    (data.nodes[id].columns || []).forEach(function (c) {
      colUp[colKey(id, c.name)] = (c.upstream || []).map(function (u) { return { node: u.node, label: u.label, column: u.column, kind: c.lineage }; });
      (c.upstream || []).forEach(function (u) {
        if (!u.node) return;
        var k = colKey(u.node, u.column);
        (colDown[k] = colDown[k] || []).push({ node: id, label: data.nodes[id].label || id, column: c.name, kind: c.lineage });
      });
    });
  });
  function columnHref(id, column) {
    return '#node=' + encodeURIComponent(id) + '&column=' + encodeURIComponent(column);
  }
  // Breadth first from (id, column): each reachable column once, with its distance.
  function walkColumns(id, column, edges) {
    var out = [], seen = {}, queue = [{ node: id, column: column }];
    seen[colKey(id, column)] = true;
    for (var depth = 1; queue.length; depth++) {
      var next = [];
      queue.forEach(function (q) {
        (edges[colKey(q.node, q.column)] || []).forEach(function (e) {
          var k = colKey(e.node || e.label, e.column);
          if (seen[k]) return;
          seen[k] = true;
          out.push({ depth: depth, node: e.node, label: e.label, column: e.column, kind: e.kind, via: q });
          if (e.node) next.push(e);
        });
      });
      queue = next;
    }
    return out;
  }
  function columnChip(e) {
    var text = esc(e.label + '.' + e.column);
    return e.node
      ? '<a class="chip col-chip" href="' + columnHref(e.node, e.column) + '" data-node="' + esc(e.node) + '" data-column="' + esc(e.column) + '">' + text + '</a>'
      : '<span class="chip col-chip">' + text + '</span>';
  }
  function columnList(list, empty, id) {
    if (!list.length) return '<div class="empty">' + empty + '</div>';
    return '<ol class="col-path" id="' + id + '">' + list.map(function (e) {
      return '<li><span class="muted">' + e.depth + ' hop' + (e.depth > 1 ? 's' : '') + '</span> ' + columnChip(e) +
        (e.kind ? ' <span class="tag">' + esc(e.kind) + '</span>' : '') + '</li>';
    }).join('') + '</ol>';
  }
  function columnLineage(id, column) {
    return '<h4>Upstream: where it comes from</h4>' + columnList(walkColumns(id, column, colUp), 'No upstream column (a constant, a count, or a source).', 'column-upstream') +
      '<h4>Downstream: what it feeds</h4>' + columnList(walkColumns(id, column, colDown), 'No downstream column reads it.', 'column-downstream');
  }

  function renderDetail(id, column) {
    var n = data.nodes[id];
    if (!n) return false;
    var kindLabel = n.kind === 'model' ? n.band + ' model' : n.kind;
    var html = '<div class="detail-head"><div class="kind"><span class="dot mat-' + esc(n.materialized) + '"></span>' + esc(kindLabel) +
      '</div><h2 id="detail-title">' + esc(n.label || id) + '</h2><button class="btn close" type="button" id="detail-close" aria-label="Close">✕</button></div>';
    html += '<section>' + (n.description ? '<div class="description">' + esc(n.description) + '</div>' : '<div class="empty">No description.</div>') + '</section>';
    var run = n.run;
    html += section('Properties', props([
      ['materialized', esc(n.materialized)],
      ['layer', n.kind === 'model' ? esc(n.band) : null],
      ['relation', n.relation ? '<code>' + esc(n.relation) + '</code>' : n.materialized === 'ephemeral' ? '<span class="muted">none: inlined into its children as a CTE</span>' : null],
      ['file', n.path ? '<code>' + esc(n.path) + '</code>' : null],
      ['unique key', n.uniqueKey && n.uniqueKey.length ? n.uniqueKey.map(function (k) { return '<span class="tag">' + esc(k) + '</span>'; }).join('') : null],
      ['tags', n.tags && n.tags.length ? n.tags.map(function (k) { return '<span class="tag">' + esc(k) + '</span>'; }).join('') : null],
      ['last run', run ? statusBadge(run.status) + (run.rows != null ? ' &nbsp;' + fmtInt(run.rows) + ' rows' : '') +
        (run.merged != null ? ' (' + fmtInt(run.merged) + ' merged)' : '') + (run.seconds != null ? ' in ' + fmtSec(run.seconds) : '') : null],
      ['error', run && run.error ? '<code>' + esc(run.error) + '</code>' : null],
      ['checksum', n.checksum ? '<code>' + esc(n.checksum) + '</code>' : null],
    ]));
    html += section('Depends on', n.upstream.length ? '<div class="chips">' + n.upstream.map(chip).join('') + '</div>' : '<div class="empty">Nothing upstream.</div>');
    html += section('Used by', n.downstream.length ? '<div class="chips">' + n.downstream.map(chip).join('') + '</div>' : '<div class="empty">No downstream models.</div>');
    var cols = n.columns || [];
    var chosen = column && (cols.some(function (c) { return c.name === column; }) || colDown[colKey(id, column)]) ? column : null;
    if (chosen) html += section('Column lineage: ' + chosen, columnLineage(id, chosen));
    if (n.kind === 'model') {
      html += section('Columns', cols.length
        ? '<table class="data" id="detail-columns"><thead><tr><th>column</th><th>type</th><th>from</th><th>description</th><th>tests</th></tr></thead><tbody>' +
          cols.map(function (c) {
            var from = (c.upstream || []).map(function (u) { return esc(u.label + '.' + u.column); }).join(', ');
            return '<tr' + (c.name === chosen ? ' class="selected"' : '') + ' data-column="' + esc(c.name) + '"><td class="mono"><a class="col-link" href="' + columnHref(id, c.name) + '">' + esc(c.name) + '</a></td>' +
              '<td class="mono">' + (c.type ? esc(c.type) : '<span class="muted">—</span>') + '</td>' +
              '<td class="mono small">' + (c.lineage ? '<span class="tag">' + esc(c.lineage) + '</span> ' + from : '<span class="muted">—</span>') + '</td>' +
              '<td>' + (c.description ? esc(c.description) : '<span class="muted">—</span>') + '</td><td>' +
              (c.tests || []).map(function (t) { return '<span class="tag">' + esc(t) + '</span>'; }).join('') + '</td></tr>';
          }).join('') + '</tbody></table>'
        : '<div class="empty">No known columns.</div>');
      var tests = n.tests || [];
      html += section('Tests', tests.length
        ? '<table class="data" id="detail-tests"><thead><tr><th>test</th><th>column</th><th>severity</th><th>last run</th></tr></thead><tbody>' +
          tests.map(function (t) {
            return '<tr><td class="mono" title="' + esc(t.name) + '">' + esc(t.kind) + '</td><td class="mono">' + esc(t.column || '—') + '</td><td>' + esc(t.severity) +
              '</td><td>' + (t.status ? statusBadge(t.status) + (t.failures ? ' ' + fmtInt(t.failures) + ' rows' : '') : '<span class="muted">—</span>') + '</td></tr>';
          }).join('') + '</tbody></table>'
        : '<div class="empty">No tests.</div>');
      html += '<section><div class="sql-head"><h3>Compiled SQL</h3><button class="btn" type="button" id="copy-sql">Copy</button></div>' +
        '<pre class="sql" id="detail-sql"><code>' + highlight(n.sql || '') + '</code></pre></section>';
    }
    detail.innerHTML = html;
    detail.hidden = false;
    detail.scrollTop = 0;
    document.getElementById('detail-close').addEventListener('click', function () { location.hash = ''; });
    var copy = document.getElementById('copy-sql');
    if (copy) {
      copy.addEventListener('click', function () {
        var done = function () { copy.textContent = 'Copied'; setTimeout(function () { copy.textContent = 'Copy'; }, 1200); };
        try {
          if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(n.sql || '').then(done, function () {});
          else {
            var range = document.createRange();
            range.selectNodeContents(document.getElementById('detail-sql'));
            var sel = window.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
            done();
          }
        } catch (e) { /* selection stays for a manual copy */ }
      });
    }
    return true;
  }

  // --- Graph highlighting: the selected node, its ancestors and descendants. ---
  var parents = {}, children = {};
  data.edges.forEach(function (e) {
    (children[e[0]] = children[e[0]] || []).push(e[1]);
    (parents[e[1]] = parents[e[1]] || []).push(e[0]);
  });
  function closure(id, next) {
    var seen = {}, stack = [id];
    while (stack.length) {
      var cur = stack.pop();
      (next[cur] || []).forEach(function (n) { if (!seen[n]) { seen[n] = true; stack.push(n); } });
    }
    return seen;
  }
  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&');
  }
  function highlightGraph(id) {
    if (!svg) return;
    svg.querySelectorAll('.node.selected, .node.hl').forEach(function (el) { el.classList.remove('selected', 'hl'); });
    svg.querySelectorAll('.edge.hl').forEach(function (el) { el.classList.remove('hl'); el.setAttribute('marker-end', 'url(#arrow)'); });
    if (!id) { svg.classList.remove('has-selection'); return; }
    var up = closure(id, parents), down = closure(id, children);
    var lineage = {};
    lineage[id] = true;
    Object.keys(up).forEach(function (k) { lineage[k] = true; });
    Object.keys(down).forEach(function (k) { lineage[k] = true; });
    svg.classList.add('has-selection');
    svg.querySelectorAll('.node').forEach(function (el) {
      var n = el.getAttribute('data-node');
      if (n === id) el.classList.add('selected');
      else if (lineage[n]) el.classList.add('hl');
    });
    svg.querySelectorAll('.edge').forEach(function (el) {
      var a = el.getAttribute('data-from'), b = el.getAttribute('data-to');
      if ((up[a] || a === id) && (up[b] || b === id) || (down[a] || a === id) && (down[b] || b === id)) {
        el.classList.add('hl');
        el.setAttribute('marker-end', 'url(#arrow-hl)');
      }
    });
  }
  function scrollGraphTo(id) {
    var el = svg && svg.querySelector('[data-node="' + cssEscape(id) + '"]');
    if (!el || !wrap) return;
    var r = el.getBoundingClientRect(), w = wrap.getBoundingClientRect();
    if (r.left < w.left || r.right > w.right || r.top < w.top || r.bottom > w.bottom) {
      wrap.scrollLeft += r.left - w.left - (w.width - r.width) / 2;
      wrap.scrollTop += r.top - w.top - (w.height - r.height) / 2;
    }
  }
  function markSidebar(id) {
    document.querySelectorAll('.model-list a.active').forEach(function (a) { a.classList.remove('active'); });
    var a = document.querySelector('.model-list a[data-node="' + cssEscape(id || '') + '"]');
    if (a) {
      a.classList.add('active');
      var list = a.closest('.model-list'), ar = a.getBoundingClientRect(), lr = list.getBoundingClientRect();
      if (ar.top < lr.top || ar.bottom > lr.bottom) list.scrollTop += ar.top - lr.top - lr.height / 2;
    }
  }

  // --- Routing: #node=<id> selects, &column=<name> opens a column's lineage; anything else clears. ---
  function route() {
    var m = /^#node=([^&]+)(?:&column=(.+))?$/.exec(location.hash);
    var id = m ? decodeURIComponent(m[1]) : null;
    var column = m && m[2] ? decodeURIComponent(m[2]) : null;
    if (id && renderDetail(id, column)) {
      fit();
      highlightGraph(id);
      markSidebar(id);
      scrollGraphTo(id);
      document.title = id + ' · ' + data.project + ' · strata docs';
    } else {
      detail.hidden = true;
      detail.innerHTML = '';
      fit();
      highlightGraph(null);
      markSidebar(null);
      document.title = data.project + ' · strata docs';
    }
  }
  function select(id) {
    var target = nodeHref(id);
    if (location.hash === target) route();
    else location.hash = target;
  }
  window.addEventListener('hashchange', route);

  if (svg) {
    svg.addEventListener('click', function (ev) {
      var el = ev.target.closest && ev.target.closest('.node');
      if (el) select(el.getAttribute('data-node'));
    });
    svg.addEventListener('keydown', function (ev) {
      if (ev.key !== 'Enter' && ev.key !== ' ') return;
      var el = ev.target.closest && ev.target.closest('.node');
      if (el) { ev.preventDefault(); select(el.getAttribute('data-node')); }
    });
  }
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && !detail.hidden) location.hash = '';
  });

  // --- Zoom: scale the SVG's size; the wrapper scrolls. ---
  var baseW = svg ? Number(svg.getAttribute('data-width')) : 0;
  var baseH = svg ? Number(svg.getAttribute('data-height')) : 0;
  var zoom = 1;
  var manualZoom = false;
  function setZoom(z) {
    if (!svg) return;
    zoom = Math.max(0.15, Math.min(2.5, z));
    // Never narrower than the view: the bands then run to its right edge.
    var width = Math.max(baseW * zoom, wrap ? wrap.clientWidth - 2 : 0);
    svg.setAttribute('width', String(Math.round(width)));
    svg.setAttribute('height', String(Math.round(baseH * zoom)));
    svg.setAttribute('viewBox', '0 0 ' + Math.round(width / zoom) + ' ' + baseH);
    var label = document.getElementById('zoom-level');
    if (label) label.textContent = Math.round(zoom * 100) + '%';
  }
  // Automatic fit to the width (never below 50%: a big project scrolls instead), until the reader zooms.
  function fit() {
    if (!svg || !wrap) return;
    if (manualZoom) { setZoom(zoom); return; }
    var avail = wrap.clientWidth - 2;
    setZoom(baseW > avail ? Math.max(avail / baseW, 0.5) : 1);
  }
  document.querySelectorAll('[data-zoom]').forEach(function (b) {
    b.addEventListener('click', function () {
      var z = b.getAttribute('data-zoom');
      manualZoom = true;
      if (z === 'in') setZoom(zoom * 1.25);
      else if (z === 'out') setZoom(zoom / 1.25);
      else if (z === 'fit') { var avail = wrap.clientWidth - 2; setZoom(Math.min(1, avail / baseW, (wrap.clientHeight - 2) / baseH)); }
      else setZoom(1);
    });
  });
  if (wrap) {
    wrap.addEventListener('wheel', function (ev) {
      if (!ev.ctrlKey && !ev.metaKey) return;
      ev.preventDefault();
      manualZoom = true;
      setZoom(zoom * (ev.deltaY < 0 ? 1.1 : 1 / 1.1));
    }, { passive: false });
  }

  // --- Sidebar filter. ---
  if (search) {
    search.addEventListener('input', function () {
      var q = search.value.trim().toLowerCase();
      document.querySelectorAll('.model-list li').forEach(function (li) {
        li.hidden = q !== '' && li.getAttribute('data-search').indexOf(q) === -1;
      });
      document.querySelectorAll('.model-list .group').forEach(function (g) {
        g.hidden = g.querySelectorAll('li:not([hidden])').length === 0;
      });
    });
  }

  // Labels were shortened at generation time by an estimate; fit them to the real font.
  function fitLabels() {
    if (!svg) return;
    svg.querySelectorAll('.node').forEach(function (g) {
      var box = g.querySelector('.node-box');
      var width = box ? Number(box.getAttribute('width')) : 0;
      [['.node-label', 'data-full', 34], ['.node-sub', 'data-full', 20]].forEach(function (spec) {
        var text = g.querySelector(spec[0]);
        if (!text || typeof text.getComputedTextLength !== 'function') return;
        var full = text.getAttribute(spec[1]) || text.textContent;
        var max = width - spec[2];
        text.textContent = full;
        if (text.getComputedTextLength() <= max) return;
        var lo = 1, hi = full.length - 1;
        while (lo < hi) {
          var mid = Math.ceil((lo + hi) / 2);
          text.textContent = full.slice(0, mid) + '…';
          if (text.getComputedTextLength() <= max) lo = mid; else hi = mid - 1;
        }
        text.textContent = full.slice(0, lo) + '…';
      });
    });
  }

  window.addEventListener('resize', fit);
  fitLabels();
  route();
  fit();
})();
