// A station's 导入表格: the needs CSV of `aidlink import needs` (BOM or
// not; client/README.md), or cells pasted from Excel, checked in the
// browser; every bad row is shown with its line number and nothing is
// written until none is left; then 保存 creates the rows, each with its own
// Idempotency-Key (from the row's content, as the CLI's, so importing the
// same sheet again creates nothing twice).
import { useState } from 'preact/hooks';
import { api, NetworkError, newKey, parseQuantity } from './api.js';
import { parseCsv } from './csv.js';
import { KINDS, TAGS, URGENCIES, fmtNumber, t, tf } from './i18n.js';
import { qs } from './station.jsx';
import { Link, Page, errorText, setOnline, whenOnline } from './ui.jsx';

const NEED_COLUMNS = ['requester_id', 'requester_name', 'requester_phone', 'item_id', 'item_code', 'quantity', 'urgency', 'needed_by', 'note'];
const REQUESTER_COLUMNS = ['station_id', 'kind', 'name', 'contact_name', 'phone', 'address', 'district', 'household_size', 'lat', 'lon', 'tags'];
const MAX_QUANTITY = 1000000000;
const MAX_TEXT = 200;
const MAX_HOUSEHOLD = 100000;
const KIND_BY_LABEL = Object.fromEntries(Object.entries(KINDS).map(([k, z]) => [k === 'household' ? '住户' : z, k]));
const TAG_BY_LABEL = Object.fromEntries(Object.entries(TAGS).map(([k, z]) => [z, k]));
const MAX_NOTE = 2000;
// Stations' sheets often say 紧急 rather than critical.
const URGENCY_BY_LABEL = Object.fromEntries(Object.entries(URGENCIES).map(([k, z]) => [z, k]));

function phoneDigits(p) {
  let d = String(p || '').replace(/\D/g, '');
  if (d.length === 13 && d.startsWith('86')) d = d.slice(2);
  if (d.length === 15 && d.startsWith('0086')) d = d.slice(4);
  return d;
}
const short = (s) => (s.length > 30 ? s.slice(0, 30) + '…' : s);

async function allItems() {
  const out = [];
  let token = '';
  for (let i = 0; i < 20; i++) {
    const d = await api('GET', '/v1/items?' + qs({ page_size: 100, page_token: token }));
    out.push(...d.items);
    token = d.next_page_token;
    if (!token) break;
  }
  return out;
}

async function rowKey(kind, body) {
  if (!crypto.subtle) return newKey();
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `import-${kind}-` + Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

// → { kind, problems: [{line, msgs: [[key, params]]}], rows: [{line, body, key}] }
// The sheet is the needs CSV when its header names quantity, else the
// requesters CSV (the two of `aidlink import`).
async function checkSheet(text, sep, me) {
  const records = parseCsv(text, sep);
  const problems = [];
  if (records.length === 0) return { kind: 'needs', problems: [{ line: 1, msgs: [['表格没有数据行', {}]] }], rows: [] };
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const kind = header.includes('quantity') || !header.includes('name') ? 'needs' : 'requesters';
  const known = kind === 'needs' ? NEED_COLUMNS : REQUESTER_COLUMNS;
  const cols = {};
  const unknown = [];
  const repeated = [];
  header.forEach((h, i) => {
    if (!known.includes(h)) unknown.push(h || '""');
    else if (h in cols) repeated.push(h);
    else cols[h] = i;
  });
  let missing;
  if (kind === 'needs') {
    missing = ['quantity', 'urgency'].filter((c) => !(c in cols));
    if (!('requester_id' in cols) && !('requester_name' in cols)) missing.push('requester_id / requester_name');
    if (!('item_id' in cols) && !('item_code' in cols)) missing.push('item_id / item_code');
  } else {
    // A station's own sheet may leave station_id out: its own station.
    missing = REQUESTER_COLUMNS.slice(1, 8).filter((c) => !(c in cols));
    if (!('station_id' in cols) && !me.station_id) missing.unshift('station_id');
  }
  const head = [];
  if (records[0].problem) head.push([records[0].problem, {}]);
  if (missing.length) head.push(['缺少列：{cols}', { cols: missing.join(', ') }]);
  if (unknown.length) head.push(['未知的列：{cols}', { cols: unknown.join(', ') }]);
  if (repeated.length) head.push(['重复的列：{cols}', { cols: repeated.join(', ') }]);
  if (head.length) return { kind, problems: [{ line: 1, msgs: head }], rows: [] };
  if (records.length === 1) return { kind, problems: [{ line: 1, msgs: [['表格没有数据行', {}]] }], rows: [] };
  if (kind === 'requesters') return checkRequesters(records.slice(1), header, cols, me);

  const items = 'item_code' in cols ? await allItems() : [];
  const byName = new Map();
  const lookup = async (name) => {
    if (!byName.has(name)) {
      const d = await api('GET', '/v1/requesters?' + qs({ station_id: me.station_id, q: name, page_size: 100 }));
      byName.set(name, d.items.filter((r) => r.active !== false && String(r.name).trim() === name));
    }
    return byName.get(name);
  };

  const rows = [];
  for (const rec of records.slice(1)) {
    const { msgs, cell, int } = rowReader(rec, header, cols);
    const body = {};
    // requester: by id, or by name (and phone) among the station's own
    if (cell('requester_id') || !('requester_name' in cols)) {
      body.requester_id = int('requester_id', 1, Number.MAX_SAFE_INTEGER);
    } else {
      const name = cell('requester_name');
      const phone = cell('requester_phone');
      if (!name) msgs.push(['{col} 必填', { col: 'requester_name' }]);
      else {
        const found = (await lookup(name)).filter((r) => !phone || phoneDigits(r.phone) === phoneDigits(phone));
        if (found.length === 1) body.requester_id = found[0].id;
        else if (found.length === 0) {
          msgs.push(phone ? ['没有登记名为“{name}”、电话为“{phone}”的住户', { name: short(name), phone: short(phone) }] : ['没有登记名为“{name}”的住户', { name: short(name) }]);
        } else {
          msgs.push(['有 {n} 个名为“{name}”的住户（编号 {ids}），请填写 requester_id 或 requester_phone', { n: found.length, name: short(name), ids: found.map((r) => r.id).join(', ') }]);
        }
      }
    }
    if (cell('item_id') || !('item_code' in cols)) {
      body.item_id = int('item_id', 1, Number.MAX_SAFE_INTEGER);
    } else {
      const code = cell('item_code');
      const it = items.find((i) => String(i.code).trim().toLowerCase() === code.toLowerCase());
      if (!code) msgs.push(['{col} 必填', { col: 'item_code' }]);
      else if (!it) msgs.push(['未知的物资编码“{got}”', { got: short(code) }]);
      else body.item_id = it.id;
    }
    body.quantity = int('quantity', 1, MAX_QUANTITY);
    const u = cell('urgency');
    const urgency = URGENCY_BY_LABEL[u] || u.toLowerCase();
    if (!u) msgs.push(['{col} 必填', { col: 'urgency' }]);
    else if (!(urgency in URGENCIES)) msgs.push(['{col} 须为以下之一：{list}（现为“{got}”）', { col: 'urgency', list: Object.keys(URGENCIES).join(', '), got: short(u) }]);
    body.urgency = urgency;
    const due = cell('needed_by');
    if (due) {
      const d = new Date(due + 'T00:00:00Z');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(due) || isNaN(d) || d.toISOString().slice(0, 10) !== due) {
        msgs.push(['{col} 须为真实日期，格式 YYYY-MM-DD（现为“{got}”）', { col: 'needed_by', got: short(due) }]);
      } else body.needed_by = due;
    }
    const note = cell('note');
    if ([...note].length > MAX_NOTE) msgs.push(['{col} 超过 {max} 字', { col: 'note', max: MAX_NOTE }]);
    body.note = note;
    if (msgs.length) problems.push({ line: rec.line, msgs });
    else rows.push({ line: rec.line, body, key: await rowKey('needs', body) });
  }
  return { kind, problems, rows };
}

// A row's cells by column name, and its problems.
function rowReader(rec, header, cols) {
  const msgs = [];
  const cell = (c) => (c in cols ? String(rec.fields[cols[c]] ?? '').trim() : '');
  const int = (c, min, max) => {
    const v = cell(c);
    if (!v) return msgs.push(['{col} 必填', { col: c }]), 0;
    const n = parseQuantity(v);
    if (isNaN(n) || n < min || n > max) return msgs.push(['{col} 须为 {min} 到 {max} 的整数（现为“{got}”）', { col: c, min, max, got: short(v) }]), 0;
    return n;
  };
  if (rec.problem) msgs.push([rec.problem, {}]);
  if (rec.fields.length > header.length) msgs.push(['有 {n} 个字段，表头有 {m} 个', { n: rec.fields.length, m: header.length }]);
  return { msgs, cell, int };
}

async function checkRequesters(records, header, cols, me) {
  const problems = [];
  const rows = [];
  for (const rec of records) {
    const { msgs, cell, int } = rowReader(rec, header, cols);
    const body = {};
    body.station_id = cell('station_id') ? int('station_id', 1, Number.MAX_SAFE_INTEGER) : me.station_id;
    if (!body.station_id) msgs.push(['{col} 必填', { col: 'station_id' }]);
    const k = cell('kind');
    body.kind = KIND_BY_LABEL[k] || k.toLowerCase();
    if (!k) msgs.push(['{col} 必填', { col: 'kind' }]);
    else if (!(body.kind in KINDS)) msgs.push(['{col} 须为以下之一：{list}（现为“{got}”）', { col: 'kind', list: Object.keys(KINDS).join(', '), got: short(k) }]);
    for (const c of ['name', 'contact_name', 'phone', 'address', 'district']) {
      // A line break inside a cell (Alt+Enter) was meant as a space.
      const v = cell(c).replace(/[\n\t]+/g, ' ').trim();
      if (!v) msgs.push(['{col} 必填', { col: c }]);
      else if ([...v].length > MAX_TEXT) msgs.push(['{col} 超过 {max} 字', { col: c, max: MAX_TEXT }]);
      body[c] = v;
    }
    body.household_size = int('household_size', 1, MAX_HOUSEHOLD);
    const coord = (c, lim) => {
      const v = cell(c);
      if (!v) return undefined;
      const n = Number(v);
      if (!isFinite(n) || Math.abs(n) > lim) msgs.push(['{col} 须为 {min} 到 {max} 的数（现为“{got}”）', { col: c, min: -lim, max: lim, got: short(v) }]);
      return n;
    };
    const lat = coord('lat', 90);
    const lon = coord('lon', 180);
    if ((lat === undefined) !== (lon === undefined)) msgs.push(['lat 与 lon 须同时填写或同时留空', {}]);
    else if (lat !== undefined) Object.assign(body, { lat, lon });
    const tags = new Set();
    for (const raw of cell('tags').split(/[;|；]/)) {
      const tag = raw.trim();
      if (!tag) continue;
      const code = TAG_BY_LABEL[tag] || tag.toLowerCase();
      if (code in TAGS) tags.add(code);
      else msgs.push(['未知的标签“{got}”', { got: short(tag) }]);
    }
    body.tags = [...tags].sort();
    if (msgs.length) problems.push({ line: rec.line, msgs });
    else rows.push({ line: rec.line, body, key: await rowKey('requesters', body) });
  }
  return { kind: 'requesters', problems, rows };
}

function Problems({ problems }) {
  const rows = problems.filter((p) => p.line > 1).length || problems.length;
  return (
    <div role="alert">
      <p class="error">{tf('{n} 行有误，未写入任何数据', { n: fmtNumber(rows) })}</p>
      <ul class="problems error">
        {problems.map((p) => (
          <li>{tf('第 {line} 行：{msg}', { line: p.line, msg: p.msgs.map(([k, params]) => tf(k, params)).join('；') })}</li>
        ))}
      </ul>
    </div>
  );
}

export function ImportSheet({ me }) {
  const [sheet, setSheet] = useState(null); // {problems, rows}
  const [checking, setChecking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [paste, setPaste] = useState('');
  const [saved, setSaved] = useState(null); // {done, failed: [{line, text}]}
  const [error, setError] = useState('');

  const check = async (text, sep) => {
    setChecking(true);
    setSaved(null);
    setError('');
    try {
      setSheet(await checkSheet(text, sep, me));
    } catch (e) {
      setSheet(null);
      setError(errorText(e));
    }
    setChecking(false);
  };
  const onFile = async (e) => {
    const file = e.currentTarget.files && e.currentTarget.files[0];
    if (!file) return;
    let text;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
    } catch {
      setSaved(null);
      setSheet({ problems: [{ line: 1, msgs: [['文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8”', {}]] }], rows: [] });
      return;
    }
    check(text, ',');
  };
  const save = async () => {
    if (busy || checking) return;
    if (!sheet) return setError(t('请先选择文件'));
    if (sheet.problems.length) return; // the list of bad rows is shown; nothing is written
    setBusy(true);
    setError('');
    let done = 0;
    const failed = [];
    for (const row of sheet.rows) {
      for (;;) {
        try {
          await api('POST', sheet.kind === 'requesters' ? '/v1/requesters' : '/v1/needs', row.body, row.key);
          done++;
          break;
        } catch (e) {
          if (e instanceof NetworkError) {
            setOnline(false);
            await whenOnline();
            continue;
          }
          failed.push({ line: row.line, msgs: [['服务器：{msg}', { msg: errorText(e) }]] });
          break;
        }
      }
    }
    setSaved({ done, failed });
    setBusy(false);
  };
  return (
    <Page title={t('导入表格')}>
      <p>{t('需求')}：<code>requester_name, requester_phone, item_code, quantity, urgency, needed_by, note</code></p>
      <p>{t('住户')}：<code>kind, name, contact_name, phone, address, district, household_size, tags</code></p>
      <div class="field">
        <label for="import-file">{t('导入表格（CSV 文件）')}</label>
        <input id="import-file" type="file" accept=".csv,text/csv" onChange={onFile} />
      </div>
      <div class="field">
        <label for="import-paste">{t('从 Excel 粘贴')}</label>
        <textarea id="import-paste" class="grid-paste" value={paste} onInput={(e) => setPaste(e.currentTarget.value)} />
      </div>
      <div class="row">
        <button disabled={!paste.trim() || checking} onClick={() => check(paste, '\t')}>{t('检查')}</button>
      </div>
      {checking && <p role="status">{t('加载中…')}</p>}
      {!checking && sheet && sheet.problems.length > 0 && <Problems problems={sheet.problems} />}
      {!checking && sheet && sheet.problems.length === 0 && !saved && (
        <p role="status">{tf('可导入 {n} 行', { n: fmtNumber(sheet.rows.length) })}</p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="row">
        <button class="primary" onClick={save} disabled={busy} aria-busy={busy}>{t('保存')}</button>
      </div>
      {saved && (
        <>
          <p role="status" class="ok">{tf('已导入 {n} 行', { n: fmtNumber(saved.done) })}</p>
          {saved.failed.length > 0 && (
            <ul class="problems error">
              {saved.failed.map((p) => <li>{tf('第 {line} 行：{msg}', { line: p.line, msg: p.msgs.map(([k, params]) => tf(k, params)).join('；') })}</li>)}
            </ul>
          )}
          <Link href={sheet.kind === 'requesters' ? '/station/households' : '/station/needs'}>{t(sheet.kind === 'requesters' ? '住户' : '需求')}</Link>
        </>
      )}
    </Page>
  );
}
