// The classic Cloudbridge console (devices, events, dead letters, converter test) until the new UI
// (web/src) has those pages; it shares the session's token with it (sessionStorage).
const view = document.getElementById('view');
const tokenInput = document.getElementById('token');
let token = sessionStorage.getItem('cloudbridge-token') || '';
let timer = null;

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = tokenInput.value.trim();
  sessionStorage.setItem('cloudbridge-token', token);
  route();
});

async function api(path, options = {}) {
  const res = await fetch(`/api/v1${path}`, {
    ...options,
    headers: { authorization: `Bearer ${token}`, ...(options.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`);
  return body;
}

const esc = (v) => String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const time = (ms) => (ms ? new Date(ms).toLocaleString() : '—');

function table(headers, rows) {
  return `<table><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function lastErrorCell(s) {
  const e = s.lastError;
  if (!e) return '<td></td>';
  const when = `${time(e.at)}${e.resolvedAt ? `, resolved ${time(e.resolvedAt)}` : ''}`;
  const fix = !e.resolvedAt && e.fix ? `<div class="fix">Fix: ${esc(e.fix)}</div>` : '';
  const next = s.nextStartAt ? `<div>Next start attempt ${time(s.nextStartAt)}</div>` : '';
  return `<td class="${e.resolvedAt ? '' : 'error'}">${esc(`${e.code}: ${e.message}`)} (${esc(when)})${fix}${next}</td>`;
}

async function integrations() {
  const list = await api('/integrations');
  view.innerHTML = `<h2>Integrations</h2>${table(['Name', 'Type', 'State', 'Received', 'Stored', 'Dead-lettered', 'Duplicates', 'Overwritten', 'Last message', 'Last error', ''],
    list.map((i) => {
      const s = i.status || { state: i.enabled ? 'STARTING' : 'STOPPED', counters: {} };
      return `<tr><td>${esc(i.name)}</td><td>${esc(i.type)}</td><td class="state-${esc(s.state)}">${esc(s.state)}</td>
        <td>${s.counters.received ?? 0}</td><td>${s.counters.stored ?? 0}</td><td>${s.counters.deadLettered ?? 0}</td><td>${s.counters.duplicates ?? 0}</td><td>${s.counters.overwritten ?? 0}</td>
        <td>${time(s.lastMessageAt)}</td>${lastErrorCell(s)}
        <td>${i.enabled ? `<button data-restart="${esc(i.id)}">Restart</button>` : ''}</td></tr>`;
    }))}`;
  view.querySelectorAll('[data-restart]').forEach((b) => b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const s = await api(`/integrations/${encodeURIComponent(b.dataset.restart)}/restart`, { method: 'POST' });
      b.replaceWith(s.state);
    } catch (err) { b.replaceWith(String(err.message)); }
  }));
}

async function devices() {
  const page = await api('/devices?limit=200');
  view.innerHTML = `<h2>Devices (${page.total})</h2>${table(['Name', 'Type', 'Created'],
    page.items.map((d) => `<tr><td><a href="#device/${encodeURIComponent(d.name)}">${esc(d.name)}</a></td><td>${esc(d.type)}</td><td>${time(d.createdAt)}</td></tr>`))}`;
}

function chart(points) {
  const nums = points.filter((p) => typeof p.value === 'number').reverse();
  if (nums.length < 2) return '';
  const w = 600, h = 160;
  const xs = nums.map((p) => p.ts), ys = nums.map((p) => p.value);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => ((x - x0) / Math.max(1, x1 - x0)) * (w - 20) + 10;
  const sy = (y) => h - 10 - ((y - y0) / Math.max(1e-9, y1 - y0)) * (h - 20);
  const d = nums.map((p, i) => `${i ? 'L' : 'M'}${sx(p.ts).toFixed(1)},${sy(p.value).toFixed(1)}`).join(' ');
  return `<svg class="chart" width="${w}" height="${h}"><path d="${d}" fill="none" stroke="#1f6fb2" stroke-width="1.5"/></svg>
    <div>min ${y0} · max ${y1}</div>`;
}

async function device(name, chosenKey) {
  const [dev, latest, attrs] = await Promise.all([
    api(`/devices/${encodeURIComponent(name)}`), api(`/devices/${encodeURIComponent(name)}/telemetry/latest`), api(`/devices/${encodeURIComponent(name)}/attributes`),
  ]);
  const key = chosenKey && dev.telemetryKeys.includes(chosenKey) ? chosenKey : dev.telemetryKeys[0];
  const series = key ? await api(`/devices/${encodeURIComponent(name)}/telemetry?keys=${encodeURIComponent(key)}&limit=200`) : {};
  view.innerHTML = `<h2>${esc(dev.name)} <small>${esc(dev.type)}</small></h2>
    <h3>Latest telemetry</h3>${table(['Key', 'Value', 'Time'], Object.entries(latest).map(([k, v]) => `<tr><td><a href="#device/${encodeURIComponent(name)}/${encodeURIComponent(k)}">${esc(k)}</a></td><td>${esc(JSON.stringify(v.value))}</td><td>${time(v.ts)}</td></tr>`))}
    ${key ? `<h3>${esc(key)}</h3>${chart(series[key] || [])}` : ''}
    <h3>Attributes</h3>${table(['Scope', 'Key', 'Value'], attrs.map((a) => `<tr><td>${a.scope}</td><td>${esc(a.key)}</td><td>${esc(JSON.stringify(a.value))}</td></tr>`))}
    <h3>Send downlink</h3>
    <form id="downlink"><input name="msgType" value="RPC_CALL_FROM_SERVER_TO_DEVICE" size="36"> <textarea name="msg">{"method":"setInterval","params":{"seconds":5}}</textarea><button>Send</button></form>
    <pre id="downlink-result"></pre>`;
  document.getElementById('downlink').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const out = document.getElementById('downlink-result');
    try {
      out.textContent = JSON.stringify(await api(`/devices/${encodeURIComponent(name)}/downlink`, { method: 'POST', body: JSON.stringify({ msgType: f.get('msgType'), msg: JSON.parse(f.get('msg')) }) }), null, 2);
    } catch (err) { out.textContent = String(err.message); }
  });
}

async function events() {
  const list = await api('/events?limit=100');
  view.innerHTML = `<h2>Events</h2>${table(['Time', 'Type', 'Body'], list.map((e) => `<tr><td>${time(e.ts)}</td><td>${esc(e.type)}</td><td><pre>${esc(JSON.stringify(e.body, null, 1))}</pre></td></tr>`))}`;
}

async function deadLetters() {
  const page = await api('/dead-letters?state=pending&limit=100');
  view.innerHTML = `<h2>Dead letters (${page.total} pending)</h2>${table(['Time', 'Stage', 'Error', 'Payload', ''],
    page.items.map((d) => `<tr><td>${time(d.createdAt)}</td><td>${esc(d.stage)}</td><td class="error">${esc(`${d.errorCode}: ${d.error}`)}</td>
      <td><pre>${esc(d.payloadText ?? d.payloadBase64)}</pre></td><td><button data-replay="${esc(d.id)}">Replay</button></td></tr>`))}`;
  view.querySelectorAll('[data-replay]').forEach((b) => b.addEventListener('click', async () => {
    try {
      const r = await api(`/dead-letters/${b.dataset.replay}/replay`, { method: 'POST' });
      b.replaceWith(r.ok ? 'replayed' : `failed: ${r.error.code}: ${r.error.message}`);
    } catch (err) { b.replaceWith(String(err.message)); }
  }));
}

function converterTest() {
  view.innerHTML = `<h2>Converter test</h2>
    <form id="ct"><label>Decoder body</label><textarea name="script">var data = decodeToJson(payload);
return { deviceName: data.deviceName, deviceType: data.deviceType, telemetry: { temperature: data.temperature } };</textarea>
    <label>Payload</label><textarea name="payload">{"deviceName":"Thermometer","deviceType":"thermostat","serialNumber":"SN-12345","temperature":25.5}</textarea>
    <label>Metadata (JSON)</label><textarea name="metadata">{"integrationName":"Test integration"}</textarea><button>Run</button></form><pre id="ct-out"></pre>`;
  document.getElementById('ct').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const out = document.getElementById('ct-out');
    try {
      out.textContent = JSON.stringify(await api('/converters/test', { method: 'POST', body: JSON.stringify({ type: 'uplink', script: f.get('script'), payload: f.get('payload'), metadata: JSON.parse(f.get('metadata')) }) }), null, 2);
    } catch (err) { out.textContent = String(err.message); }
  });
}

async function route() {
  clearInterval(timer);
  tokenInput.value = token;
  if (!token) return;
  const hash = location.hash.slice(1) || 'integrations';
  const render = async () => {
    try {
      if (hash === 'integrations') await integrations();
      else if (hash === 'devices') await devices();
      else if (hash.startsWith('device/')) {
        const [devName, key] = hash.slice(7).split('/');
        await device(decodeURIComponent(devName), key ? decodeURIComponent(key) : undefined);
      }
      else if (hash === 'events') await events();
      else if (hash === 'dead-letters') await deadLetters();
      else if (hash === 'converter-test') converterTest();
    } catch (err) {
      view.innerHTML = `<p class="error">${esc(err.message)}</p>`;
    }
  };
  await render();
  if (hash === 'integrations' || hash.startsWith('device/')) timer = setInterval(render, 3000);
}

window.addEventListener('hashchange', route);
route();
