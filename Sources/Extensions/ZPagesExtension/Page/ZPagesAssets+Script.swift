/// The zpages script, served at `/static/zpages.js`: it renders the page named by `main#page[data-page]` from the
/// JSON API (every string through `textContent` / `setAttribute`, charts in SVG), polling every 2 s.
extension ZPagesAssets {
    static let script = #"""
        'use strict';
        (() => {
          const SVGNS = 'http://www.w3.org/2000/svg';
          const POLL_MS = 2000;
          const PAGES = [
            ['service', '/debug/servicez', 'Service', 'build, uptime, memory and CPU of this gateway'],
            ['pipelines', '/debug/pipelinez', 'Pipelines', 'each pipeline\u2019s components with live rates'],
            ['extensions', '/debug/extensionz', 'Extensions', 'configured extensions'],
            ['engine', '/debug/enginez', 'Engine', 'inference engine and host panels'],
            ['traces', '/debug/tracez', 'Traces', 'TraceQL search, RED metrics and trace waterfalls'],
            ['cardinality', '/debug/cardinalityz', 'Cardinality', 'series per metric'],
          ];
          const main = document.getElementById('page');
          const params = new URLSearchParams(location.search);

          // ------------------------------------------------------------------ DOM helpers

          function fill(node, attrs, children) {
            if (attrs) {
              for (const [k, v] of Object.entries(attrs)) {
                if (v === null || v === undefined || v === false) continue;
                if (k === 'text') node.textContent = String(v);
                else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
                else node.setAttribute(k, v === true ? '' : String(v));
              }
            }
            for (const c of children) {
              if (c === null || c === undefined || c === false) continue;
              node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
            }
            return node;
          }
          const h = (tag, attrs, ...children) => fill(document.createElement(tag), attrs, children);
          const s = (tag, attrs, ...children) => fill(document.createElementNS(SVGNS, tag), attrs, children);
          const byId = (id) => document.getElementById(id);
          const str = (v) => (v === null || v === undefined ? '' : String(v));
          const num = (v) => typeof v === 'number' && Number.isFinite(v);

          function ensure(id, make) {
            let node = byId(id);
            if (!node) node = make();
            return node;
          }

          // A long string: clipped by CSS, in full in the title.
          function clip(text, cls) {
            const t = str(text);
            return h('span', { class: cls ? 'clip ' + cls : 'clip', title: t.length > 24 ? t : null, text: t });
          }

          // Table cells: a spec is a string/number or {text, href, title, cls, clip, node}; redrawn only when changed.
          function setCell(td, spec) {
            const c = spec !== null && typeof spec === 'object' ? spec : { text: str(spec) };
            const sig = JSON.stringify([c.text, c.href, c.title, c.cls, c.clip, c.key]);
            if (td.zpSig === sig) return;
            td.zpSig = sig;
            td.className = c.cls || '';
            td.replaceChildren();
            if (c.node) td.appendChild(c.node());
            else if (c.href) {
              const title = c.title || (str(c.text).length > 24 ? str(c.text) : null);
              td.appendChild(h('a', { href: c.href, title }, c.clip ? clip(c.text) : str(c.text)));
            }
            else if (c.clip) td.appendChild(clip(c.text));
            else td.textContent = str(c.text);
            if (c.title && !c.href) td.title = c.title; else if (!c.href) td.removeAttribute('title');
          }
          function setCells(tr, cells) {
            while (tr.children.length < cells.length) tr.appendChild(document.createElement('td'));
            while (tr.children.length > cells.length) tr.lastChild.remove();
            cells.forEach((c, i) => setCell(tr.children[i], c));
          }

          // Keeps parent's children in items' order, reusing the node made for each key.
          function syncKeyed(parent, items, keyOf, create, update) {
            const old = new Map();
            for (const child of Array.from(parent.children)) {
              if (child.zpKey === undefined) child.remove(); else old.set(child.zpKey, child);
            }
            const seen = new Set();
            let prev = null;
            for (const item of items) {
              const key = keyOf(item);
              if (seen.has(key)) continue;
              seen.add(key);
              let node = old.get(key);
              if (!node) {
                node = create(item);
                node.zpKey = key;
              }
              const want = prev ? prev.nextSibling : parent.firstChild;
              if (want !== node) parent.insertBefore(node, want);
              update(node, item);
              prev = node;
            }
            for (const [key, node] of old) if (!seen.has(key)) node.remove();
          }

          function emptyRow(tbody, cols, text) {
            tbody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: cols, text })));
          }

          function table(id, cls, headers) {
            return h('table', { id, class: cls },
              h('thead', null, h('tr', null, ...headers.map((t) => h('th', { text: t })))), h('tbody'));
          }

          // ------------------------------------------------------------------ formatting

          const NF = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
          function fmtNum(v) {
            if (!num(v)) return '\u2013';
            const a = Math.abs(v);
            if (a >= 1e9) return NF.format(v / 1e9) + 'G';
            if (a >= 1e6) return NF.format(v / 1e6) + 'M';
            if (a >= 1e4) return NF.format(v / 1e3) + 'k';
            if (a !== 0 && a < 0.01) return v.toPrecision(2);
            return NF.format(v);
          }
          function fmtInt(v) {
            return num(v) ? new Intl.NumberFormat('en-US').format(Math.round(v)) : '\u2013';
          }
          function fmtBytes(v) {
            if (!num(v)) return '\u2013';
            const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
            let x = Math.abs(v);
            let i = 0;
            while (x >= 1024 && i < units.length - 1) {
              x /= 1024;
              i++;
            }
            const digits = i === 0 || x >= 100 ? 0 : x >= 10 ? 1 : 2;
            return (v < 0 ? '-' : '') + x.toFixed(digits) + ' ' + units[i];
          }
          function fmtMs(v) {
            if (!num(v)) return '\u2013';
            const a = Math.abs(v);
            if (a >= 60000) return (v / 60000).toFixed(1) + ' min';
            if (a >= 1000) return (v / 1000).toFixed(2) + ' s';
            if (a >= 100) return v.toFixed(0) + ' ms';
            if (a >= 10) return v.toFixed(1) + ' ms';
            if (a === 0) return '0 ms';
            if (a >= 1) return v.toFixed(2) + ' ms';
            return (v * 1000).toFixed(1) + ' \u00b5s';
          }
          function fmtSeconds(v) {
            if (!num(v)) return '\u2013';
            return v >= 1 || v === 0 ? fmtDuration(v * 1000) : fmtMs(v * 1000);
          }
          function fmtDuration(ms) {
            if (!num(ms)) return '\u2013';
            if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 && ms % 1000 !== 0 ? 1 : 0) + ' s';
            let t = Math.floor(ms / 1000);
            const d = Math.floor(t / 86400);
            t %= 86400;
            const hh = Math.floor(t / 3600);
            const mm = Math.floor((t % 3600) / 60);
            const ss = t % 60;
            if (d) return d + 'd ' + hh + 'h ' + mm + 'm';
            if (hh) return hh + 'h ' + mm + 'm ' + ss + 's';
            return mm + 'm ' + ss + 's';
          }
          function fmt(v, unit) {
            if (!num(v)) return '\u2013';
            switch (unit) {
              case 'bytes': return fmtBytes(v);
              case 'ms': return fmtMs(v);
              case 's': return fmtSeconds(v);
              case 'tok/s': return fmtNum(v) + ' tok/s';
              case 'percent': return NF.format(v) + '%';
              case 'ratio': return NF.format(v * 100) + '%';
              case 'cores': return fmtNum(v) + ' cores';
              case 'celsius': return fmtNum(v) + ' \u00b0C';
              case 'watts': return fmtNum(v) + ' W';
              default: return fmtNum(v) + (unit ? ' ' + unit : '');
            }
          }
          function fmtRate(v) {
            if (!num(v)) return '\u2013';
            if (v === 0) return '0/s';
            const a = Math.abs(v);
            if (a < 0.1) return v.toFixed(2) + '/s';
            if (a < 100) return v.toFixed(1) + '/s';
            return fmtNum(v) + '/s';
          }
          const pad = (n, w) => String(n).padStart(w || 2, '0');
          function fmtClock(ms) {
            const d = new Date(ms);
            return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
          }
          function fmtDate(ms) {
            if (!num(ms)) return '\u2013';
            const d = new Date(ms);
            return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + fmtClock(ms) +
              '.' + pad(d.getMilliseconds(), 3);
          }
          // Nanoseconds (a decimal string or a number) -> BigInt, 0n when not a number.
          function nanos(v) {
            if (typeof v === 'string' && /^[0-9]{1,30}$/.test(v)) return BigInt(v);
            if (num(v) && v >= 0) return BigInt(Math.round(v));
            return 0n;
          }
          function fmtNanos(ns) {
            const a = Math.abs(ns);
            if (a < 1000) return ns.toFixed(0) + ' ns';
            if (a < 1e6) return (ns / 1000).toFixed(1) + ' \u00b5s';
            return fmtMs(ns / 1e6);
          }

          // ------------------------------------------------------------------ fetch and polling

          class HttpError extends Error {
            constructor(status, message) {
              super(message);
              this.status = status;
            }
          }

          async function getJSON(url) {
            let resp;
            try {
              resp = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
            } catch (e) {
              throw new HttpError(0, 'gateway unreachable');
            }
            let body = null;
            try {
              body = await resp.json();
            } catch (e) {
              body = null;
            }
            if (!resp.ok) {
              const msg = body && typeof body.error === 'string' ? body.error : resp.status + ' ' + resp.statusText;
              throw new HttpError(resp.status, msg);
            }
            if (body === null || typeof body !== 'object') {
              throw new HttpError(resp.status, 'not a JSON object: ' + url);
            }
            return body;
          }

          function setBanner(text) {
            const b = ensure('error-banner', () => {
              const n = h('div', { id: 'error-banner', role: 'alert' });
              document.body.insertBefore(n, main);
              return n;
            });
            if (text) {
              b.textContent = text;
              b.hidden = false;
            } else {
              b.hidden = true;
              b.textContent = '';
            }
          }

          function markUpdated() {
            const n = ensure('last-update', () => byId('nav').appendChild(h('span', { id: 'last-update' })));
            n.textContent = 'updated ' + fmtClock(Date.now());
          }

          // Runs refresh() now and POLL_MS after each completed run, never two at once; refresh returns false to stop.
          function poller(refresh) {
            let timer = null;
            let running = false;
            let pending = false;
            async function tick() {
              timer = null;
              running = true;
              pending = false;
              let again = true;
              try {
                again = (await refresh()) !== false;
                setBanner('');
                markUpdated();
              } catch (e) {
                setBanner('Update failed: ' + (e && e.message ? e.message : String(e)) + ' \u2014 retrying every 2 s');
              } finally {
                running = false;
              }
              if (pending) timer = setTimeout(tick, 0);
              else if (again) timer = setTimeout(tick, POLL_MS);
            }
            return {
              now() {
                if (running) {
                  pending = true;
                  return;
                }
                if (timer !== null) clearTimeout(timer);
                tick();
              },
            };
          }

          function section(id, title, ...children) {
            return h('section', { id, class: 'card' }, title ? h('h2', { text: title }) : null, ...children);
          }

          function notFound(title, detail, ...extra) {
            return h('section', { id: 'not-found', class: 'card notice' },
              h('h2', { text: title }), h('p', { text: detail }), ...extra);
          }

          // ------------------------------------------------------------------ service and extensions

          function servicePage() {
            const dl = h('dl', { class: 'fields' });
            const ext = table('service-extensions', 'grid', ['Extension', 'Type']);
            const pages = h('ul', { class: 'pages' }, ...PAGES.filter((p) => p[0] !== 'service').map((p) =>
              h('li', null, h('a', { href: p[1], text: p[2] }), ' \u2014 ' + p[3])));
            main.append(
              h('h1', { text: 'Service' }),
              h('div', { class: 'cols' },
                section('service', 'Gateway', dl),
                h('section', { class: 'card' }, h('h2', { text: 'Pages' }), pages),
                h('section', { class: 'card' }, h('h2', { text: 'Extensions' }), ext)));
            const rows = new Map();
            function field(key, label, value, title) {
              let r = rows.get(key);
              if (!r) {
                r = { dt: h('dt', { text: label }), dd: h('dd') };
                rows.set(key, r);
                dl.append(r.dt, r.dd);
              }
              if (r.dd.textContent !== value) r.dd.textContent = value;
              if (title) r.dd.title = title;
            }
            return async () => {
              const d = await getJSON('/api/v1/service');
              field('name', 'Name', str(d.name));
              field('version', 'Version', str(d.version));
              field('start', 'Started', fmtDate(d.startTimeUnixMs));
              field('uptime', 'Uptime', num(d.uptimeSeconds) ? fmtDuration(d.uptimeSeconds * 1000) : '\u2013');
              field('rss', 'Resident memory', fmtBytes(d.rssBytes),
                num(d.rssBytes) ? fmtInt(d.rssBytes) + ' bytes' : '');
              field('cpu', 'CPU time', num(d.cpuSeconds) ? d.cpuSeconds.toFixed(2) + ' s' : '\u2013');
              if (num(d.uptimeSeconds) && num(d.cpuSeconds) && d.uptimeSeconds > 0) {
                field('cpuavg', 'Average CPU', NF.format((d.cpuSeconds / d.uptimeSeconds) * 100) + '% of a core');
              }
              field('step', 'Step', fmtSeconds(d.stepSeconds));
              fillExtensions(ext.tBodies[0], d.extensions);
            };
          }

          function fillExtensions(tbody, list) {
            const items = Array.isArray(list) ? list : [];
            if (!items.length) return emptyRow(tbody, 2, 'no extensions');
            syncKeyed(tbody, items, (e) => str(e.id), (e) => h('tr', { 'data-extension': str(e.id) }),
              (tr, e) => setCells(tr, [{ text: e.id, clip: true, cls: 'mono' }, { text: e.type }]));
          }

          function extensionsPage() {
            const ext = table('extensions-table', 'grid', ['Extension', 'Type']);
            main.append(h('h1', { text: 'Extensions' }), section('extensions', null, ext));
            return async () => {
              const d = await getJSON('/api/v1/service');
              fillExtensions(ext.tBodies[0], d.extensions);
            };
          }

          // ------------------------------------------------------------------ pipelines

          function pipelinesPage() {
            const note = h('p', { class: 'muted' });
            const root = h('div', { id: 'pipelines' });
            main.append(h('h1', { text: 'Pipelines' }), note, root);
            let shape = null;
            let boxes = [];
            return async () => {
              const d = await getJSON('/api/v1/pipelines');
              const pipes = Array.isArray(d.pipelines) ? d.pipelines : [];
              const comps = new Map();
              for (const c of Array.isArray(d.components) ? d.components : []) {
                if (c && typeof c === 'object') {
                  comps.set(str(c.kind) + '\u0000' + str(c.id) + '\u0000' + (c.signal ? str(c.signal) : ''), c);
                }
              }
              // A processor is one instance per pipeline: its counters are per signal.
              const find = (kinds, id, signal = '') => {
                for (const k of kinds) {
                  const c = comps.get(k + '\u0000' + id + '\u0000' + signal) || comps.get(k + '\u0000' + id + '\u0000');
                  if (c) return c;
                }
                return { kind: kinds[0], id, rates: [], gauges: [], problems: [], trouble: false, unknown: true };
              };
              const stages = (p) => [
                ['Receivers', (p.receivers || []).map((id) => find(['receiver', 'connector'], str(id), str(p.signal)))],
                ['Processors', (p.processors || []).map((id) => find(['processor'], str(id), str(p.signal)))],
                ['Exporters', (p.exporters || []).map((id) => find(['exporter', 'connector'], str(id), str(p.signal)))],
              ];
              const layout = pipes.map((p) => [str(p.id), str(p.signal),
                stages(p).map(([, cs]) => cs.map((c) => [c.kind, c.id]))]);
              const sig = JSON.stringify(layout);
              note.textContent = 'Rates are per second over the last ' +
                fmtSeconds(d.windowSeconds) + '; a red box is a component in trouble.';
              if (sig !== shape) {
                shape = sig;
                boxes = [];
                root.replaceChildren();
                if (!pipes.length) root.appendChild(h('p', { class: 'muted', text: 'no pipelines' }));
                for (const p of pipes) {
                  const flow = h('div', { class: 'flow' });
                  stages(p).forEach(([label, cs], i) => {
                    if (i) flow.appendChild(h('div', { class: 'arrow', 'aria-hidden': 'true', text: '\u2192' }));
                    const col = h('div', { class: 'stage' }, h('h4', { text: label }));
                    if (!cs.length) col.appendChild(h('div', { class: 'none', text: 'none' }));
                    for (const c of cs) {
                      const box = h('div', { class: 'component', 'data-kind': str(c.kind), 'data-id': str(c.id) });
                      boxes.push([box, c.kind, c.id, c.signal ? str(c.signal) : '']);
                      col.appendChild(box);
                    }
                    flow.appendChild(col);
                  });
                  root.appendChild(h('section', { class: 'pipeline card', 'data-pipeline': str(p.id) },
                    h('h2', null, clip(p.id), h('span', { class: 'badge', text: str(p.signal) })), flow));
                }
              }
              for (const [box, kind, id, signal] of boxes) drawComponent(box, find([kind], id, signal));
            };
          }

          function drawComponent(box, c) {
            const sig = JSON.stringify(c);
            if (box.zpSig === sig) return;
            box.zpSig = sig;
            box.classList.toggle('trouble', c.trouble === true);
            box.replaceChildren(h('div', { class: 'comp-head' }, clip(c.id, 'comp-id'),
              h('span', { class: 'kind', text: str(c.kind) })));
            const rates = Array.isArray(c.rates) ? c.rates : [];
            const gauges = Array.isArray(c.gauges) ? c.gauges : [];
            if (rates.length) {
              box.appendChild(h('ul', { class: 'rates' }, ...rates.map((r) =>
                h('li', { title: num(r.total) ? fmtInt(r.total) + ' total' : null },
                  h('span', { class: 'k', text: str(r.name) }), ' ',
                  h('span', { class: 'v', text: fmtRate(r.perSecond) })))));
            }
            if (gauges.length) {
              box.appendChild(h('ul', { class: 'gauges' }, ...gauges.map((g) => {
                const li = h('li', null, h('span', { class: 'k', text: str(g.name) }), ' ',
                  h('span', { class: 'v', text: fmt(g.value, g.unit || '') }));
                if (g.unit === 'ratio' && num(g.value)) {
                  const bar = h('span', { class: 'fillbar' });
                  bar.style.width = Math.max(0, Math.min(100, g.value * 100)).toFixed(1) + '%';
                  const cls = 'meter' + (g.value >= 0.9 ? ' bad' : g.value >= 0.7 ? ' warn' : '');
                  li.appendChild(h('span', { class: cls }, bar));
                }
                return li;
              })));
            }
            if (!rates.length && !gauges.length) {
              box.appendChild(h('div', { class: 'muted small', text: c.unknown ? 'no data' : 'no rates' }));
            }
            const problems = Array.isArray(c.problems) ? c.problems : [];
            if (problems.length) {
              box.appendChild(h('ul', { class: 'problems' }, ...problems.map((p) => h('li', null, clip(p)))));
            }
          }

          // ------------------------------------------------------------------ charts

          function niceCeil(x) {
            if (!(x > 0)) return x;
            const p = Math.pow(10, Math.floor(Math.log10(x)));
            for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x * 0.9999) return m * p;
            return 10 * p;
          }

          function cleanPoints(series) {
            const out = [];
            for (const p of Array.isArray(series.points) ? series.points : []) {
              if (Array.isArray(p) && num(p[0])) out.push([p[0], num(p[1]) ? p[1] : null]);
            }
            return out;
          }

          function lastValue(points) {
            for (let i = points.length - 1; i >= 0; i--) if (points[i][1] !== null) return points[i][1];
            return null;
          }

          // Lines of every series inside box; with axes: grid, value labels (min, middle, max) and times.
          function plot(svg, list, box, unit, axes) {
            let t0 = Infinity;
            let t1 = -Infinity;
            let lo = Infinity;
            let hi = -Infinity;
            for (const ser of list) {
              for (const [t, v] of ser.points) {
                t0 = Math.min(t0, t);
                t1 = Math.max(t1, t);
                if (v !== null) {
                  lo = Math.min(lo, v);
                  hi = Math.max(hi, v);
                }
              }
            }
            if (!Number.isFinite(t0) || !Number.isFinite(lo)) {
              svg.appendChild(s('text', { x: box.x + box.w / 2, y: box.y + box.h / 2 + 4, class: 'nodata',
                'text-anchor': 'middle', text: 'no data yet' }));
              return 0;
            }
            if (t1 === t0) {
              t0 -= 1000;
              t1 += 1000;
            }
            lo = Math.min(0, lo);
            if (hi <= lo) hi = lo + (Math.abs(lo) || 1);
            if (axes) hi = niceCeil(hi);
            const X = (t) => box.x + ((t - t0) / (t1 - t0)) * box.w;
            const Y = (v) => box.y + box.h - ((v - lo) / (hi - lo)) * box.h;
            if (axes) {
              for (const v of [lo, (lo + hi) / 2, hi]) {
                const y = Y(v);
                svg.appendChild(s('line', { class: v === lo ? 'axis' : 'grid', x1: box.x, x2: box.x + box.w, y1: y,
                  y2: y }));
                svg.appendChild(s('text', { class: 'tick', x: box.x - 6, y: y + 4, 'text-anchor': 'end',
                  text: fmt(v, unit) }));
              }
              const ty = box.y + box.h + 15;
              svg.appendChild(s('text', { class: 'tick', x: box.x, y: ty, 'text-anchor': 'start',
                text: fmtClock(t0) }));
              svg.appendChild(s('text', { class: 'tick', x: box.x + box.w / 2, y: ty, 'text-anchor': 'middle',
                text: '\u2212' + Math.round((t1 - t0) / 2000) + ' s' }));
              svg.appendChild(s('text', { class: 'tick', x: box.x + box.w, y: ty, 'text-anchor': 'end',
                text: fmtClock(t1) }));
            }
            let count = 0;
            list.forEach((ser, i) => {
              const g = s('g', { class: 'series s' + (i % 8) });
              let d = '';
              let pen = false;
              const pts = [];
              for (const [t, v] of ser.points) {
                if (v === null) {
                  pen = false;
                  continue;
                }
                const x = X(t).toFixed(1);
                const y = Y(v).toFixed(1);
                d += (pen ? 'L' : 'M') + x + ' ' + y;
                pen = true;
                pts.push([x, y, t, v]);
              }
              if (d) g.appendChild(s('path', { class: 'line', d }));
              for (const [x, y, t, v] of pts) {
                g.appendChild(s('circle', { class: 'pt', cx: x, cy: y, r: axes ? 2.5 : 2 },
                  s('title', { text: str(ser.name) + ' ' + fmt(v, unit) + ' at ' + fmtClock(t) })));
              }
              count += pts.length;
              svg.appendChild(g);
            });
            return count;
          }

          function level(v, thresholds) {
            const th = (Array.isArray(thresholds) ? thresholds : []).filter(num);
            if (!num(v) || !th.length) return 'ok';
            if (th.length > 1 && v >= th[1]) return 'bad';
            return v >= th[0] ? 'warn' : 'ok';
          }

          function drawGauge(svg, panel, list, W) {
            const H = 210;
            const cx = W / 2;
            const r = Math.min(92, W / 2 - 24);
            const cy = 22 + r;
            const points = list.length ? list[0].points : [];
            const v = lastValue(points);
            let max = num(panel.max) && panel.max > 0 ? panel.max : null;
            if (max === null) {
              if (panel.unit === 'ratio') max = 1;
              else if (panel.unit === 'percent') max = 100;
              else max = niceCeil(Math.max(1, ...points.filter((p) => p[1] !== null).map((p) => p[1])));
            }
            const at = (f) => {
              const a = Math.PI + Math.max(0, Math.min(1, f)) * Math.PI;
              return [(cx + r * Math.cos(a)).toFixed(1), (cy + r * Math.sin(a)).toFixed(1)];
            };
            const arc = (f0, f1) => {
              const [x0, y0] = at(f0);
              const [x1, y1] = at(f1);
              return 'M' + x0 + ' ' + y0 + ' A' + r + ' ' + r + ' 0 0 1 ' + x1 + ' ' + y1;
            };
            svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
            svg.appendChild(s('path', { class: 'gauge-track', d: arc(0, 1) }));
            const th = (Array.isArray(panel.thresholds) ? panel.thresholds : []).filter(num);
            for (const t of th) {
              const [x, y] = at(t / max);
              svg.appendChild(s('circle', { class: 'gauge-threshold', cx: x, cy: y, r: 3 },
                s('title', { text: 'threshold ' + fmt(t, panel.unit) })));
            }
            let count = 0;
            const lv = level(v, th);
            if (v !== null) {
              const f = v / max;
              if (f > 0) svg.appendChild(s('path', { class: 'gauge-value ' + lv, d: arc(0, Math.min(f, 1)) }));
              const [x, y] = at(f);
              svg.appendChild(s('circle', { class: 'pt marker ' + lv, cx: x, cy: y, r: 6 },
                s('title', { text: fmt(v, panel.unit) + ' of ' + fmt(max, panel.unit) })));
              count++;
            }
            svg.appendChild(s('text', { class: 'big', x: cx, y: cy - 12, 'text-anchor': 'middle',
              text: fmt(v, panel.unit) }));
            svg.appendChild(s('text', { class: 'sub', x: cx, y: cy + 10, 'text-anchor': 'middle',
              text: v !== null ? NF.format((v / max) * 100) + '% of ' + fmt(max, panel.unit) : 'no data yet' }));
            svg.appendChild(s('text', { class: 'tick', x: cx - r, y: cy + 24, 'text-anchor': 'middle', text: '0' }));
            svg.appendChild(s('text', { class: 'tick', x: cx + r, y: cy + 24, 'text-anchor': 'middle',
              text: fmt(max, panel.unit) }));
            count += plot(svg, list, { x: 12, y: cy + 36, w: W - 24, h: H - cy - 40 }, panel.unit, false);
            return count;
          }

          function drawStat(svg, panel, list, W) {
            const H = 150;
            svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
            const v = list.length ? lastValue(list[0].points) : null;
            svg.appendChild(s('text', { class: 'big stat', x: W / 2, y: 56, 'text-anchor': 'middle',
              text: fmt(v, panel.unit) }));
            if (list.length > 1) {
              svg.appendChild(s('text', { class: 'sub', x: W / 2, y: 76, 'text-anchor': 'middle',
                text: str(list[0].name) }));
            }
            return plot(svg, list, { x: 12, y: 86, w: W - 24, h: H - 94 }, panel.unit, false);
          }

          function drawTimeseries(svg, panel, list, W) {
            const H = 220;
            svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
            return plot(svg, list, { x: 70, y: 10, w: W - 82, h: H - 36 }, panel.unit, true);
          }

          function drawBars(svg, panel, list, W) {
            const rows = list.map((ser) => [ser.name, lastValue(ser.points)]);
            const H = Math.max(1, rows.length) * 34 + 12;
            svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
            const vals = rows.map((r) => r[1]).filter(num);
            const max = num(panel.max) && panel.max > 0 ? panel.max : niceCeil(Math.max(...vals, 0)) || 1;
            const x0 = 80;
            const bw = Math.max(40, W - x0 - 100);
            let count = 0;
            if (!rows.length) {
              svg.appendChild(s('text', { class: 'nodata', x: W / 2, y: 26, 'text-anchor': 'middle',
                text: 'no data yet' }));
            }
            rows.forEach(([name, v], i) => {
              const y = 8 + i * 34;
              svg.appendChild(s('text', { class: 'label', x: x0 - 8, y: y + 17, 'text-anchor': 'end',
                text: str(name) }));
              svg.appendChild(s('rect', { class: 'bar-track', x: x0, y, width: bw, height: 22, rx: 3 }));
              if (v !== null) {
                const w = Math.max(1.5, Math.min(1, v / max) * bw);
                const g = s('g', { class: 'series s' + (i % 8) });
                g.appendChild(s('rect', { class: 'pt bar ' + level(v, panel.thresholds), x: x0, y, width: w.toFixed(1),
                  height: 22, rx: 3 }, s('title', { text: str(name) + ' ' + fmt(v, panel.unit) })));
                svg.appendChild(g);
                count++;
              }
              svg.appendChild(s('text', { class: 'value', x: x0 + bw + 8, y: y + 17, text: fmt(v, panel.unit) }));
            });
            return count;
          }

          const DRAW = { gauge: drawGauge, stat: drawStat, timeseries: drawTimeseries, bargauge: drawBars };

          function drawPanel(node, panel) {
            const list = (Array.isArray(panel.series) ? panel.series : []).map((ser) => ({ name: str(ser.name),
              points: cleanPoints(ser) }));
            const body = node.zpBody;
            const W = Math.max(280, Math.round(body.clientWidth || 560));
            const svg = s('svg', { class: 'chart', role: 'img', 'aria-label': str(panel.title),
              preserveAspectRatio: 'xMidYMid meet' });
            const kind = DRAW[panel.kind] ? panel.kind : 'timeseries';
            const count = DRAW[kind](svg, panel, list, W);
            svg.setAttribute('data-points', String(count));
            const parts = [svg];
            if (kind === 'timeseries' || (kind === 'stat' && list.length > 1)) {
              parts.push(h('ul', { class: 'legend' }, ...list.map((ser, i) =>
                h('li', null, h('span', { class: 'sw s' + (i % 8) }), clip(ser.name), ' ',
                  h('span', { class: 'v', text: fmt(lastValue(ser.points), panel.unit) })))));
            }
            body.replaceChildren(...parts);
          }

          function enginePage() {
            const hint = h('p', { id: 'engine-hint', class: 'card notice', hidden: true,
              text: 'no engine metrics: is the engine receiver in a metrics pipeline with a prometheus or ' +
                'prometheusremotewrite exporter?' });
            const groups = h('div', { id: 'panels' });
            const note = h('p', { class: 'muted' });
            main.append(h('h1', { text: 'Engine' }), note, hint, groups);
            let last = null;
            let width = 0;
            const GROUP_TITLES = { engine: 'Inference engine', host: 'Host' };
            function render(d) {
              const panels = Array.isArray(d.panels) ? d.panels : [];
              const byGroup = new Map();
              for (const p of panels) {
                const g = str(p.group) || 'engine';
                if (!byGroup.has(g)) byGroup.set(g, []);
                byGroup.get(g).push(p);
              }
              syncKeyed(groups, Array.from(byGroup.entries()), (e) => e[0], ([g]) => {
                const grid = h('div', { class: 'panels' });
                const n = h('section', { class: 'group', 'data-group': g },
                  h('h2', { text: GROUP_TITLES[g] || g }), grid);
                n.zpGrid = grid;
                return n;
              }, (n, [, list]) => {
                syncKeyed(n.zpGrid, list, (p) => str(p.id), (p) => {
                  const body = h('div', { class: 'panel-body' });
                  const sec = h('section', { class: 'panel card', 'data-panel': str(p.id), 'data-kind': str(p.kind) },
                    h('h3', null, clip(p.title || p.id)), body);
                  sec.zpBody = body;
                  return sec;
                }, (sec, p) => {
                  sec.setAttribute('data-kind', str(p.kind));
                  drawPanel(sec, p);
                });
              });
            }
            window.addEventListener('resize', () => {
              if (last && Math.abs(window.innerWidth - width) > 20) {
                width = window.innerWidth;
                render(last);
              }
            });
            return async () => {
              const d = await getJSON('/api/v1/engine');
              last = d;
              width = window.innerWidth;
              hint.hidden = d.present !== false;
              note.textContent = 'Last ' + fmtSeconds(d.windowSeconds) + ', one point every ' +
                fmtSeconds(d.stepSeconds) + '; hover a point for its value.';
              render(d);
            };
          }

          // ------------------------------------------------------------------ traces: search and RED

          const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;
          const traceHref = (id) => '/debug/tracez?trace=' + encodeURIComponent(id);
          const quoteTraceQL = (v) => '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

          function tracesPage() {
            const t = params.get('trace');
            if (t !== null) return traceView(t);
            const query = h('input', { id: 'trace-query', name: 'q', type: 'text', spellcheck: 'false',
              autocomplete: 'off', 'aria-label': 'TraceQL query' });
            query.value = params.get('q') || '{}';
            const limit = h('input', { id: 'trace-limit', name: 'limit', type: 'number', min: 1, max: 1000,
              'aria-label': 'result limit' });
            const l0 = Number(params.get('limit'));
            limit.value = String(Number.isInteger(l0) && l0 >= 1 && l0 <= 1000 ? l0 : 20);
            const range = h('select', { id: 'trace-range', 'aria-label': 'time range' },
              ...[['0', 'all stored'], ['900', 'last 15 min'], ['3600', 'last hour'], ['21600', 'last 6 h'],
                ['86400', 'last 24 h']].map(([v, l]) => h('option', { value: v, text: l })));
            const searchError = h('p', { id: 'search-error', class: 'error', hidden: true });
            const form = h('form', { id: 'trace-search', class: 'search', role: 'search' },
              h('label', { for: 'trace-query', text: 'TraceQL' }), query,
              h('label', { for: 'trace-limit', text: 'Limit' }), limit, range,
              h('button', { type: 'submit', text: 'Search' }));
            const results = table('trace-results', 'grid',
              ['Trace', 'Root service', 'Root span', 'Start', 'Duration', 'Spans']);
            const count = h('span', { class: 'muted' });
            const red = table('red', 'grid', ['Service', 'Spans', 'Errors', 'Error %', 'p50', 'p95', 'p99', 'Spans/s']);
            main.append(h('h1', { text: 'Traces' }),
              h('section', { class: 'card' }, form, searchError),
              h('section', { class: 'card' }, h('h2', null, 'Results ', count), h('div', { class: 'scroll' }, results)),
              h('section', { class: 'card' }, h('h2', { text: 'Services (RED)' }),
                h('p', { class: 'muted',
                  text: 'Rate, errors and duration per service.name over the spans the trace store holds.' }),
                h('div', { class: 'scroll' }, red)));
            let searchBroken = false;
            let active = { q: query.value, limit: Number(limit.value), range: 0 };
            const p = poller(refresh);
            form.addEventListener('submit', (ev) => {
              ev.preventDefault();
              const lim = Math.max(1, Math.min(1000, Math.round(Number(limit.value)) || 20));
              limit.value = String(lim);
              active = { q: query.value.trim() || '{}', limit: lim, range: Number(range.value) || 0 };
              searchBroken = false;
              const u = new URL(location.href);
              u.searchParams.set('q', active.q);
              u.searchParams.set('limit', String(lim));
              history.replaceState(null, '', u.pathname + u.search);
              p.now();
            });
            async function search() {
              const qs = new URLSearchParams({ q: active.q, limit: String(active.limit) });
              if (active.range > 0) {
                const end = Math.ceil(Date.now() / 1000);
                qs.set('start', String(end - active.range));
                qs.set('end', String(end));
              }
              let d;
              try {
                d = await getJSON('/tempo/api/search?' + qs.toString());
              } catch (e) {
                if (e instanceof HttpError && e.status === 400) {
                  searchBroken = true;
                  searchError.textContent = e.message;
                  searchError.hidden = false;
                  return;
                }
                throw e;
              }
              searchError.hidden = true;
              const traces = Array.isArray(d.traces) ? d.traces : [];
              count.textContent = traces.length + (traces.length === 1 ? ' trace' : ' traces');
              const tbody = results.tBodies[0];
              if (!traces.length) return emptyRow(tbody, 6, 'no traces match');
              const traceRow = (x) => h('tr', { 'data-trace-id': str(x.traceID) });
              syncKeyed(tbody, traces, (x) => str(x.traceID), traceRow, (tr, x) => {
                const start = nanos(x.startTimeUnixNano);
                setCells(tr, [
                  { text: x.traceID, href: traceHref(str(x.traceID)), cls: 'mono' },
                  { text: x.rootServiceName, clip: true },
                  { text: x.rootTraceName, clip: true },
                  start ? fmtDate(Number(start / 1000000n)) : '\u2013',
                  { text: fmtMs(x.durationMs), cls: 'num' },
                  { text: num(x.spanCount) ? fmtInt(x.spanCount) : '\u2013', cls: 'num' },
                ]);
              });
            }
            async function refresh() {
              const red$ = getJSON('/api/v1/red');
              if (!searchBroken) await search();
              const d = await red$;
              const list = Array.isArray(d.services) ? d.services : [];
              const tbody = red.tBodies[0];
              if (!list.length) return emptyRow(tbody, 8, 'no spans stored yet');
              const serviceRow = (x) => h('tr', { 'data-service': str(x.service) });
              syncKeyed(tbody, list, (x) => str(x.service), serviceRow, (tr, x) => {
                const q = '{resource.service.name=' + quoteTraceQL(str(x.service)) + '}';
                setCells(tr, [
                  { text: x.service, href: '/debug/tracez?q=' + encodeURIComponent(q), clip: true },
                  { text: fmtInt(x.spans), cls: 'num' },
                  { text: fmtInt(x.errors), cls: x.errors > 0 ? 'num bad' : 'num' },
                  { text: num(x.errorRatio) ? NF.format(x.errorRatio * 100) + '%' : '\u2013', cls: 'num' },
                  { text: fmtMs(x.p50Ms), cls: 'num' },
                  { text: fmtMs(x.p95Ms), cls: 'num' },
                  { text: fmtMs(x.p99Ms), cls: 'num' },
                  { text: fmtRate(x.spansPerSecond), cls: 'num' },
                ]);
              });
            }
            return p;
          }

          // ------------------------------------------------------------------ traces: one trace

          const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
          const enumName = (v, names, prefix) => {
            if (num(v)) return names[v] || String(v);
            const t = str(v);
            return t.startsWith(prefix) ? t.slice(prefix.length).toLowerCase() : t.toLowerCase();
          };
          const STATUSES = ['unset', 'ok', 'error'];

          function anyValue(v) {
            if (v === null || typeof v !== 'object') return ['empty', ''];
            if ('stringValue' in v) return ['string', str(v.stringValue)];
            if ('intValue' in v) return ['int', str(v.intValue)];
            if ('doubleValue' in v) return ['double', str(v.doubleValue)];
            if ('boolValue' in v) return ['bool', v.boolValue ? 'true' : 'false'];
            if ('bytesValue' in v) return ['bytes', 'base64:' + str(v.bytesValue)];
            const inner = (x) => {
              const [t, text] = anyValue(x);
              return t === 'string' ? JSON.stringify(text) : text;
            };
            if ('arrayValue' in v) {
              const vals = v.arrayValue && Array.isArray(v.arrayValue.values) ? v.arrayValue.values : [];
              return ['array', '[' + vals.map(inner).join(', ') + ']'];
            }
            if ('kvlistValue' in v) {
              const vals = v.kvlistValue && Array.isArray(v.kvlistValue.values) ? v.kvlistValue.values : [];
              const pair = (kv) => str(kv && kv.key) + ': ' + inner(kv && kv.value);
              return ['kvlist', '{' + vals.map(pair).join(', ') + '}'];
            }
            return ['empty', ''];
          }

          const attrList = (list) => (Array.isArray(list) ? list : []).filter((a) => a && typeof a === 'object');
          const attrLines = (list) => {
            const attrs = attrList(list);
            if (!attrs.length) return h('span', { class: 'muted', text: '\u2013' });
            return h('div', null, ...attrs.map((a) => h('div', null, clip(str(a.key) + ' = ' + anyValue(a.value)[1]))));
          };

          function attrTable(cls, list) {
            const t = table(null, 'grid ' + cls, ['Key', 'Type', 'Value']);
            const attrs = attrList(list);
            if (!attrs.length) emptyRow(t.tBodies[0], 3, 'none');
            for (const a of attrs) {
              const [type, text] = anyValue(a.value);
              const tr = h('tr', { 'data-key': str(a.key) });
              setCells(tr, [{ text: a.key, clip: true, cls: 'mono' }, { text: type, cls: 'muted' },
                { text, clip: true }]);
              t.tBodies[0].appendChild(tr);
            }
            return t;
          }

          function flattenTrace(doc) {
            const d = doc && typeof doc.trace === 'object' && doc.trace !== null ? doc.trace : doc;
            const spans = [];
            const rss = Array.isArray(d.resourceSpans) ? d.resourceSpans : Array.isArray(d.batches) ? d.batches : [];
            for (const rs of rss) {
              const resAttrs = rs && rs.resource ? attrList(rs.resource.attributes) : [];
              const svcAttr = resAttrs.find((a) => a.key === 'service.name');
              const service = svcAttr ? anyValue(svcAttr.value)[1] : '';
              const sss = Array.isArray(rs.scopeSpans) ? rs.scopeSpans : Array.isArray(rs.instrumentationLibrarySpans) ?
                rs.instrumentationLibrarySpans : [];
              for (const ss of sss) {
                const scope = ss && (ss.scope || ss.instrumentationLibrary) || {};
                for (const sp of Array.isArray(ss.spans) ? ss.spans : []) {
                  if (!sp || typeof sp !== 'object') continue;
                  const start = nanos(sp.startTimeUnixNano);
                  const end = nanos(sp.endTimeUnixNano);
                  spans.push({ raw: sp, id: str(sp.spanId), parent: str(sp.parentSpanId), name: str(sp.name), service,
                    scope: str(scope.name) + (scope.version ? ' ' + str(scope.version) : ''), resAttrs, start,
                    end: end > start ? end : start, children: [], depth: 0 });
                }
              }
            }
            // Depth-first: children after their parent, siblings by start time; a missing parent makes a root.
            const first = new Map();
            spans.forEach((sp, i) => {
              if (sp.id && !first.has(sp.id)) first.set(sp.id, i);
            });
            const roots = [];
            spans.forEach((sp, i) => {
              const p = sp.parent ? first.get(sp.parent) : undefined;
              if (p === undefined || p === i) roots.push(i);
              else spans[p].children.push(i);
            });
            const byStart = (a, b) => (spans[a].start < spans[b].start ? -1 : spans[a].start > spans[b].start ? 1 :
              spans[a].name < spans[b].name ? -1 : spans[a].name > spans[b].name ? 1 : a - b);
            const order = [];
            const done = new Set();
            const walk = (i, depth) => {
              const stack = [[i, depth]];
              while (stack.length) {
                const [j, dj] = stack.pop();
                if (done.has(j)) continue;
                done.add(j);
                spans[j].depth = dj;
                order.push(spans[j]);
                const kids = spans[j].children.slice().sort(byStart);
                for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k], dj + 1]);
              }
            };
            roots.sort(byStart).forEach((i) => walk(i, 0));
            // Spans in a parent cycle: the earliest of what is left starts a new root.
            const left = spans.map((_, i) => i).filter((i) => !done.has(i)).sort(byStart);
            for (const i of left) walk(i, 0);
            return order;
          }

          function traceView(rawId) {
            if (!TRACE_ID.test(rawId)) {
              main.append(notFound('Invalid trace id', 'A trace id is 1 to 32 hexadecimal digits; this is not one: ' +
                rawId.slice(0, 200),
                h('p', null, h('a', { href: '/debug/tracez', text: 'Back to the trace search' }))));
              return null;
            }
            const id = rawId.toLowerCase();
            const head = h('div', { class: 'trace-head' });
            const body = h('div', { id: 'trace-body' });
            main.append(h('h1', null, 'Trace ', h('span', { class: 'mono', text: id })), head, body);
            let selected = null;
            let loaded = false;
            const p = poller(async () => {
              let d;
              try {
                d = await getJSON('/tempo/api/v2/traces/' + encodeURIComponent(id));
              } catch (e) {
                if (e instanceof HttpError && (e.status === 404 || e.status === 400)) {
                  head.replaceChildren();
                  body.replaceChildren(notFound(e.status === 404 ? 'Trace not found' : 'Invalid trace id',
                    e.status === 404 ? 'No trace with id ' + id + ' is in the trace store (it may have been ' +
                      'evicted, or not arrived yet).' : e.message,
                    h('p', null, h('button', { type: 'button', on: { click: () => p.now() }, text: 'Try again' }), ' ',
                      h('a', { href: '/debug/tracez', text: 'Back to the trace search' }))));
                  return false;
                }
                throw e;
              }
              const spans = flattenTrace(d);
              if (!spans.length && !loaded) {
                body.replaceChildren(notFound('Trace not found', 'The trace ' + id + ' has no spans.'));
                return false;
              }
              loaded = true;
              renderTrace(spans);
              return false;
            });
            function renderTrace(spans) {
              let t0 = spans[0].start;
              let t1 = spans[0].end;
              for (const sp of spans) {
                if (sp.start < t0) t0 = sp.start;
                if (sp.end > t1) t1 = sp.end;
              }
              const total = Number(t1 - t0) || 1;
              const services = Array.from(new Set(spans.map((sp) => sp.service)));
              const root = spans[0];
              head.replaceChildren(
                h('span', null, clip(root.service, 'svc-name'), ': ', clip(root.name, 'root-name')),
                h('span', { class: 'muted', text: spans.length + ' spans \u00b7 ' + services.length + ' service' +
                  (services.length === 1 ? '' : 's') + ' \u00b7 ' + fmtNanos(Number(t1 - t0)) + ' \u00b7 started ' +
                  fmtDate(Number(t0 / 1000000n)) }),
                h('span', { class: 'spacer' }),
                h('button', { id: 'refresh', type: 'button', on: { click: () => p.now() }, text: 'Refresh' }),
                h('a', { href: '/debug/tracez', text: 'Search' }));
              const ticks = h('div', { class: 'span-timeline ticks' });
              for (const f of [0, 0.25, 0.5, 0.75, 1]) {
                const tk = h('span', { class: 'tickmark', text: f ? fmtNanos(total * f) : '0' });
                tk.style.left = f * 100 + '%';
                if (f === 1) tk.classList.add('last');
                if (f === 0.25 || f === 0.75) tk.classList.add('minor');
                ticks.appendChild(tk);
              }
              const wf = h('div', { id: 'waterfall', role: 'list' },
                h('div', { class: 'wf-head' }, h('div', { class: 'span-label', text: 'Service \u00b7 span' }), ticks));
              const detail = h('div', { id: 'span-detail', hidden: true });
              const rows = [];
              for (const sp of spans) {
                const left = (Number(sp.start - t0) / total) * 100;
                const width = (Number(sp.end - sp.start) / total) * 100;
                const status = enumName(sp.raw.status ? sp.raw.status.code : 0, STATUSES, 'STATUS_CODE_');
                const color = 'svc' + (services.indexOf(sp.service) % 8);
                const bar = h('span', { class: 'span-bar ' + color + (status === 'error' ? ' error' : '') });
                bar.style.left = left.toFixed(3) + '%';
                bar.style.width = Math.max(width, 0.15).toFixed(3) + '%';
                const dur = h('span', { class: 'span-dur', text: fmtNanos(Number(sp.end - sp.start)) });
                if (left + width <= 78) dur.style.left = (left + width).toFixed(3) + '%';
                else if (left >= 12) dur.style.right = (100 - left).toFixed(3) + '%';
                else {
                  dur.style.left = left.toFixed(3) + '%';
                  dur.classList.add('inside');
                }
                const label = h('div', { class: 'span-label' },
                  h('span', { class: 'svc-tag ' + color, title: sp.service, text: sp.service }),
                  h('span', { class: 'span-name', title: sp.name.length > 24 ? sp.name : null, text: sp.name }));
                label.style.paddingLeft = 6 + Math.min(sp.depth, 30) * 14 + 'px';
                const row = h('div', { class: 'span-row' + (status === 'error' ? ' error' : ''), role: 'listitem',
                  tabindex: 0, 'data-span-id': sp.id, 'data-parent-id': sp.parent, 'data-depth': String(sp.depth) },
                label, h('div', { class: 'span-timeline' }, bar, dur));
                const pick = () => {
                  selected = sp.id;
                  for (const r of rows) r.classList.toggle('selected', r === row);
                  showDetail(detail, sp, t0);
                };
                row.addEventListener('click', pick);
                row.addEventListener('keydown', (ev) => {
                  if (ev.key === 'Enter' || ev.key === ' ') {
                    ev.preventDefault();
                    pick();
                  }
                });
                row.zpPick = pick;
                rows.push(row);
                wf.appendChild(row);
              }
              body.replaceChildren(h('section', { class: 'card' }, wf), detail);
              const again = rows.find((r) => r.getAttribute('data-span-id') === selected);
              if (again) again.zpPick();
            }
            return p;
          }

          function showDetail(detail, sp, t0) {
            const raw = sp.raw;
            const status = raw.status && typeof raw.status === 'object' ? raw.status : {};
            const statusText = enumName(status.code || 0, STATUSES, 'STATUS_CODE_') +
              (status.message ? ': ' + status.message : '');
            const summary = h('dl', { class: 'fields' });
            const add = (k, v) => summary.append(h('dt', { text: k }), h('dd', null, clip(v)));
            add('Span id', sp.id);
            add('Parent', sp.parent || '(root)');
            add('Service', sp.service);
            add('Scope', sp.scope);
            add('Kind', enumName(raw.kind || 0, KINDS, 'SPAN_KIND_'));
            add('Start', fmtDate(Number(sp.start / 1000000n)) + ' (+' + fmtNanos(Number(sp.start - t0)) + ')');
            add('Duration', fmtNanos(Number(sp.end - sp.start)));
            add('Status', statusText);
            if (raw.traceState) add('Trace state', raw.traceState);
            const events = table(null, 'grid events', ['Time', 'Name', 'Attributes']);
            const evs = (Array.isArray(raw.events) ? raw.events : []).filter((e) => e && typeof e === 'object');
            if (!evs.length) emptyRow(events.tBodies[0], 3, 'none');
            for (const e of evs) {
              const tr = h('tr');
              setCells(tr, ['+' + fmtNanos(Number(nanos(e.timeUnixNano) - sp.start)), { text: e.name, clip: true },
                { node: () => attrLines(e.attributes) }]);
              events.tBodies[0].appendChild(tr);
            }
            const links = table(null, 'grid links', ['Trace', 'Span', 'Attributes']);
            const lks = (Array.isArray(raw.links) ? raw.links : []).filter((l) => l && typeof l === 'object');
            if (!lks.length) emptyRow(links.tBodies[0], 3, 'none');
            for (const l of lks) {
              const tr = h('tr');
              const tid = str(l.traceId);
              const traceCell = TRACE_ID.test(tid) ? { text: tid, href: traceHref(tid), cls: 'mono' } :
                { text: tid, clip: true };
              setCells(tr, [traceCell,
                { text: l.spanId, cls: 'mono' }, { node: () => attrLines(l.attributes) }]);
              links.tBodies[0].appendChild(tr);
            }
            detail.replaceChildren(h('section', { class: 'card' },
              h('h2', null, clip(sp.name)),
              summary,
              h('h3', { text: 'Attributes' }), attrTable('attributes', raw.attributes),
              h('h3', { text: 'Events' }), events,
              h('h3', { text: 'Links' }), links,
              h('h3', { text: 'Resource' }), attrTable('resource-attributes', sp.resAttrs)));
            detail.hidden = false;
          }

          // ------------------------------------------------------------------ cardinality

          function labelsText(labels) {
            if (!labels || typeof labels !== 'object') return '{}';
            const esc = (v) => str(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
            return '{' + Object.entries(labels).map(([k, v]) => k + '="' + esc(v) + '"').join(', ') + '}';
          }

          function cardinalityPage() {
            const metric = params.get('metric');
            if (metric !== null) return seriesView(metric);
            const summary = h('dl', { class: 'fields' });
            const stores = table('stores-table', 'grid',
              ['Store', 'Series', 'Refused points', 'Max series per metric']);
            const metrics = table('metrics-table', 'grid', ['Metric', 'Type', 'Series', 'Share', 'Growth', 'Refused',
              'Top labels (distinct values)']);
            main.append(h('h1', { text: 'Cardinality' }),
              h('div', { class: 'cols' }, h('section', { class: 'card' }, h('h2', { text: 'Totals' }), summary),
                h('section', { class: 'card' }, h('h2', { text: 'Stores' }), h('div', { class: 'scroll' }, stores))),
              h('section', { class: 'card' }, h('h2', { text: 'Metrics by series' }),
                h('div', { class: 'scroll' }, metrics)));
            return async () => {
              const d = await getJSON('/api/v1/cardinality?limit=100&labels=5');
              summary.replaceChildren(h('dt', { text: 'Series' }),
                h('dd', { id: 'total-series', text: fmtInt(d.totalSeries) }),
                h('dt', { text: 'Growth window' }),
                h('dd', { text: fmtSeconds(d.growthWindowSeconds) }));
              const st = Array.isArray(d.stores) ? d.stores : [];
              if (!st.length) emptyRow(stores.tBodies[0], 4, 'no metric store');
              else syncKeyed(stores.tBodies[0], st, (x) => str(x.store), () => h('tr'), (tr, x) => setCells(tr, [
                { text: x.store, clip: true }, { text: fmtInt(x.series), cls: 'num' },
                { text: fmtInt(x.refusedPoints), cls: x.refusedPoints > 0 ? 'num bad' : 'num' },
                { text: num(x.maxSeriesPerMetric) ? fmtInt(x.maxSeriesPerMetric) : 'unlimited', cls: 'num' }]));
              const list = Array.isArray(d.metrics) ? d.metrics : [];
              const tbody = metrics.tBodies[0];
              if (!list.length) return emptyRow(tbody, 7, 'no series stored');
              const top = Math.max(1, ...list.map((m) => (num(m.series) ? m.series : 0)));
              syncKeyed(tbody, list, (m) => str(m.name), (m) => h('tr', { 'data-metric': str(m.name) }), (tr, m) => {
                const labels = (Array.isArray(m.labels) ? m.labels : [])
                  .map((l) => str(l && l.name) + ' (' + fmtInt(l && l.values) + ')');
                const share = num(m.series) ? m.series / top : 0;
                setCells(tr, [
                  { text: m.name, href: '/debug/cardinalityz?metric=' + encodeURIComponent(str(m.name)), clip: true,
                    cls: 'mono' },
                  { text: m.type, cls: 'muted' },
                  { text: fmtInt(m.series), cls: 'num' },
                  { key: share.toFixed(3), node: () => {
                    const bar = h('span', { class: 'fillbar' });
                    bar.style.width = (share * 100).toFixed(1) + '%';
                    return h('span', { class: 'meter wide' }, bar);
                  } },
                  { text: num(m.growth) ? (m.growth > 0 ? '+' : '') + fmtInt(m.growth) : '\u2013',
                    cls: m.growth > 0 ? 'num warn' : 'num' },
                  { text: fmtInt(m.refused), cls: m.refused > 0 ? 'num bad' : 'num' },
                  { text: labels.join(', '), clip: true },
                ]);
              });
            };
          }

          function seriesView(metric) {
            const PAGE = 100;
            const o0 = Number(params.get('offset'));
            let offset = Number.isInteger(o0) && o0 >= 0 ? Math.floor(o0 / PAGE) * PAGE : 0;
            const total = h('span', { id: 'series-total', text: '\u2013' });
            const type = h('span', { class: 'badge' });
            const info = h('span', { id: 'page-info', class: 'muted' });
            const prev = h('button', { id: 'prev-page', type: 'button', text: '\u2190 Previous', disabled: true });
            const next = h('button', { id: 'next-page', type: 'button', text: 'Next \u2192', disabled: true });
            const series = table('series-table', 'grid', ['#', 'Labels', 'Value']);
            const box = h('div', { id: 'series-view' },
              h('section', { class: 'card' },
                h('p', null, h('a', { href: '/debug/cardinalityz', text: '\u2190 All metrics' })),
                h('p', null, 'Series: ', total, ' ', type),
                h('div', { class: 'pager' }, prev, info, next),
                h('div', { class: 'scroll' }, series)));
            main.append(h('h1', null, 'Metric ', clip(metric, 'mono')), box);
            let lastTotal = 0;
            const p = poller(async () => {
              let d;
              try {
                d = await getJSON('/api/v1/series?metric=' + encodeURIComponent(metric) + '&offset=' + offset +
                  '&limit=' + PAGE);
              } catch (e) {
                if (e instanceof HttpError && (e.status === 404 || e.status === 400)) {
                  box.replaceChildren(notFound(e.status === 404 ? 'Metric not found' : 'Bad request', e.message,
                    h('p', null, h('a', { href: '/debug/cardinalityz', text: '\u2190 All metrics' }))));
                  return false;
                }
                throw e;
              }
              lastTotal = num(d.total) ? d.total : 0;
              total.textContent = String(lastTotal);
              type.textContent = str(d.type);
              const list = Array.isArray(d.series) ? d.series : [];
              const first = list.length ? offset + 1 : 0;
              info.textContent = first + '\u2013' + (offset + list.length) + ' of ' + lastTotal;
              prev.disabled = offset <= 0;
              next.disabled = offset + PAGE >= lastTotal;
              const tbody = series.tBodies[0];
              if (!list.length) return emptyRow(tbody, 3, offset > 0 ? 'no series on this page' : 'no series');
              for (const child of Array.from(tbody.children)) if (child.classList.contains('empty')) child.remove();
              while (tbody.children.length > list.length) tbody.lastChild.remove();
              list.forEach((x, i) => {
                let tr = tbody.children[i];
                if (!tr) tr = tbody.appendChild(h('tr'));
                setCells(tr, [{ text: String(offset + i + 1), cls: 'num muted idx' },
                  { text: labelsText(x.labels), clip: true, cls: 'mono' },
                  { text: fmtNum(x.value), title: num(x.value) ? String(x.value) : null, cls: 'num' }]);
              });
              return true;
            });
            const go = (o) => {
              offset = Math.max(0, o);
              const u = new URL(location.href);
              if (offset) u.searchParams.set('offset', String(offset)); else u.searchParams.delete('offset');
              history.replaceState(null, '', u.pathname + u.search);
              prev.disabled = true;
              next.disabled = true;
              p.now();
            };
            prev.addEventListener('click', () => go(offset - PAGE));
            next.addEventListener('click', () => {
              if (offset + PAGE < lastTotal) go(offset + PAGE);
            });
            return p;
          }

          // ------------------------------------------------------------------ start

          function start() {
            if (!main) return;
            const pages = new Map([['service', servicePage], ['pipelines', pipelinesPage],
              ['extensions', extensionsPage], ['engine', enginePage], ['traces', tracesPage],
              ['cardinality', cardinalityPage]]);
            const make = pages.get(main.getAttribute('data-page')) || servicePage;
            const r = make();
            if (typeof r === 'function') poller(r).now();
            else if (r && typeof r.now === 'function') r.now();
          }
          start();
        })();
        """#
}
