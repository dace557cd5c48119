// The station's screens: households, needs, deliveries.
import { useEffect, useState } from 'preact/hooks';
import { api, parseQuantity } from './api.js';
import { DuplicateNotice } from './duplicates.jsx';
import { CATEGORIES, DEACTIVATION, DELIVERY_STATUS, KINDS, NEED_STATUS, TAGS, URGENCIES, fmtDate, fmtNumber, t } from './i18n.js';
import {
  CardList, Field, FormShell, Link, Loading, Page, Pager, Scroll, Select, Text, confirmDialog, errorText,
  navigate, useData, useForm, useLocation,
} from './ui.jsx';

export function useItems() {
  const s = useData('/v1/items?page_size=100');
  const items = (s.data && s.data.items) || [];
  return { items, name: (id) => (items.find((i) => String(i.id) === String(id)) || {}).name || '#' + id };
}
export function useDepots() {
  const s = useData('/v1/depots?page_size=100');
  return (s.data && s.data.items) || [];
}

function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  return q.toString();
}

export function Households({ me }) {
  const { query } = useLocation();
  const q = query.get('q') || '';
  const [text, setText] = useState(q);
  const list = useData('/v1/requesters?' + qs({ station_id: me.station_id, q, page_size: 20, page_token: query.get('page_token') }));
  return (
    <Page title={t('住户')} actions={(
      <div class="row">
        <Link class="button primary" href="/station/households/new">{t('新增住户')}</Link>
        <Link class="button" href="/station/import">{t('导入表格')}</Link>
      </div>
    )}>
      <form role="search" class="row" onSubmit={(e) => { e.preventDefault(); navigate('/station/households' + (text ? '?' + qs({ q: text }) : '')); }}>
        <label for="hh-search" class="sr-only">{t('搜索')}</label>
        <input id="hh-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">{t('搜索')}</button>
      </form>
      <CardList state={list} card={(r) => (
        <li>
          <Link href={`/station/households/${r.id}`}>{r.name}</Link>
          <span>{t(KINDS[r.kind] || r.kind)} · {r.district} · {r.phone}</span>
          {r.active === false && <span class="tag">{t('已停用')}</span>}
        </li>
      )} />
    </Page>
  );
}

const householdFields = ['name', 'contact_name', 'phone', 'address', 'district'];

function HouseholdForm({ me, existing }) {
  const init = existing
    ? { ...existing, household_size: String(existing.household_size ?? 1), tags: existing.tags || [] }
    : { kind: 'household', household_size: '1', tags: [] };
  const form = useForm(existing ? null : 'household_new', init);
  const v = form.values;
  const toggle = (tag) => form.set('tags', v.tags.includes(tag) ? v.tags.filter((x) => x !== tag) : [...v.tags, tag]);
  const save = () => {
    const size = parseQuantity(v.household_size);
    if (isNaN(size)) return form.setError(t('输入有误') + '：' + t('人数'));
    const body = { household_size: size, tags: v.tags };
    for (const f of householdFields) body[f] = v[f] || '';
    if (existing) {
      return form.submit('PATCH', `/v1/requesters/${existing.id}`, body, () => navigate(`/station/households/${existing.id}`));
    }
    form.submit('POST', '/v1/requesters', { ...body, kind: v.kind, station_id: me.station_id },
      (r) => navigate(`/station/households/${r.id}`));
  };
  return (
    <FormShell form={form} onSubmit={save}>
      <Text label={t('名称')} form={form} name="name" required />
      {!existing && (
        <Select label={t('类型')} form={form} name="kind" options={Object.entries(KINDS).map(([k, z]) => [k, t(z)])} />
      )}
      <Text label={t('联系人')} form={form} name="contact_name" />
      <Text label={t('电话')} form={form} name="phone" type="tel" />
      <Text label={t('地址')} form={form} name="address" />
      <Text label={t('区')} form={form} name="district" />
      <Text label={t('人数')} form={form} name="household_size" inputMode="numeric" onFocus={(e) => e.currentTarget.select()} />
      <fieldset>
        <legend>{t('标签')}</legend>
        {Object.entries(TAGS).map(([k, z]) => (
          <label class="check">
            <input type="checkbox" checked={v.tags.includes(k)} onChange={() => toggle(k)} /> {t(z)}
          </label>
        ))}
      </fieldset>
    </FormShell>
  );
}

export function NewHousehold({ me }) {
  return <Page title={t('新增住户')}><HouseholdForm me={me} /></Page>;
}

export function EditHousehold({ me, id }) {
  const r = useData(`/v1/requesters/${id}`);
  return (
    <Page title={t('编辑')}>
      <Loading state={r}>{(d) => <HouseholdForm me={me} existing={d} />}</Loading>
    </Page>
  );
}

function Deactivate({ r, onDone }) {
  const form = useForm(null, { reason: 'moved_away' });
  const save = async () => {
    if (!(await confirmDialog(`${t('停用')}：${r.name}？`))) return;
    form.submit('POST', `/v1/requesters/${r.id}:deactivate`, { reason: form.values.reason }, onDone);
  };
  return (
    <FormShell form={form} onSubmit={save}>
      <Select label={t('停用原因')} form={form} name="reason" options={Object.entries(DEACTIVATION).map(([k, z]) => [k, t(z)])} />
    </FormShell>
  );
}

export function Household({ id, base = '/station' }) {
  const r = useData(`/v1/requesters/${id}`);
  const needs = useData(`/v1/needs?requester_id=${id}&page_size=50`);
  const deliveries = useData(`/v1/deliveries?requester_id=${id}&page_size=50`);
  const items = useItems();
  const [deact, setDeact] = useState(false);
  return (
    <Loading state={r}>
      {(h) => (
        <Page title={h.name}>
          <DuplicateNotice duplicate={h.duplicate} base={base} />
          <dl class="facts">
            <dt>{t('类型')}</dt><dd>{t(KINDS[h.kind] || h.kind)}</dd>
            <dt>{t('联系人')}</dt><dd>{h.contact_name}</dd>
            <dt>{t('电话')}</dt><dd>{h.phone}</dd>
            <dt>{t('地址')}</dt><dd>{h.address}</dd>
            <dt>{t('区')}</dt><dd>{h.district}</dd>
            <dt>{t('人数')}</dt><dd>{fmtNumber(h.household_size)}</dd>
            <dt>{t('标签')}</dt><dd>{(h.tags || []).map((x) => t(TAGS[x] || x)).join('、')}</dd>
          </dl>
          {h.active === false ? <p class="tag">{t('已停用')}</p> : (
            <div class="row">
              <Link class="button" href={`${base}/households/${id}/edit`}>{t('编辑')}</Link>
              <button onClick={() => setDeact(!deact)} aria-expanded={deact}>{t('停用')}</button>
              <Link class="button primary" href={`${base}/needs/new?requester_id=${id}`}>{t('新增需求')}</Link>
            </div>
          )}
          {deact && <Deactivate r={h} onDone={() => { setDeact(false); r.reload(); needs.reload(); }} />}
          <h2>{t('需求')}</h2>
          <Loading state={needs}>{(d) => <NeedTable needs={d.items} items={items} />}</Loading>
          <Entitlements id={id} items={items} />
          <h2>{t('配送')}</h2>
          <Loading state={deliveries}>{(d) => <DeliveryList list={d.items} items={items} />}</Loading>
        </Page>
      )}
    </Loading>
  );
}

// What the city's quotas still allow this household (rule 9), when one applies.
function Entitlements({ id, items }) {
  const state = useData(`/v1/requesters/${id}/entitlements`);
  if (!state.data || !(state.data.items || []).length) return null;
  return (
    <>
      <h2>{t('本期配额')}</h2>
      <Scroll label={t('本期配额')}>
        <table>
          <thead><tr><th scope="col">{t('物资')}</th><th scope="col">{t('上限')}</th><th scope="col">{t('已用')}</th><th scope="col">{t('剩余')}</th><th scope="col">{t('截止')}</th></tr></thead>
          <tbody>
            {state.data.items.map((e) => (
              <tr>
                <td>{e.item_id ? items.name(e.item_id) : t(CATEGORIES[e.category] || e.category)}{e.enforcement === 'soft' && ` · ${t('软上限')}`}</td>
                <td>{fmtNumber(e.cap)}</td>
                <td>{fmtNumber(e.used)}</td>
                <td>{fmtNumber(e.remaining)}</td>
                <td>{fmtDate(e.window_end)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
    </>
  );
}

export function NeedTable({ needs, items, names }) {
  if (!needs.length) return <p>{t('没有记录')}</p>;
  return (
    <Scroll label={t('需求')}>
      <table>
        <thead><tr><th>{t('需求编号')}</th>{names && <th>{t('住户')}</th>}<th>{t('物资')}</th><th>{t('数量')}</th><th>{t('紧急程度')}</th><th>{t('状态')}</th><th>{t('需要日期')}</th></tr></thead>
        <tbody>
          {needs.map((n) => (
            <tr>
              <td>{n.id}</td>
              {names && <td>{names(n.requester_id)}</td>}
              <td>{items.name(n.item_id)}</td>
              <td>{fmtNumber(n.quantity)}</td>
              <td>{t(URGENCIES[n.urgency] || n.urgency)}</td>
              <td>{t(NEED_STATUS[n.status] || n.status)}</td>
              <td>{fmtDate(n.needed_by)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

export function Needs({ me, base = '/station' }) {
  const { path, query } = useLocation();
  const status = query.get('status') || '';
  const items = useItems();
  const list = useData('/v1/needs?' + qs({ station_id: me.station_id, status, page_size: 50, page_token: query.get('page_token') }));
  return (
    <Page title={t('需求')} actions={base === '/station' && (
      <div class="row">
        <Link class="button primary" href="/station/needs/new">{t('新增需求')}</Link>
        <Link class="button" href="/station/import">{t('导入表格')}</Link>
      </div>
    )}>
      <div class="row">
        <label for="need-status">{t('状态')}</label>
        <select id="need-status" value={status} onChange={(e) => navigate(path + (e.currentTarget.value ? '?status=' + e.currentTarget.value : ''))}>
          <option value="">{t('全部')}</option>
          {Object.entries(NEED_STATUS).map(([k, z]) => <option value={k}>{t(z)}</option>)}
        </select>
      </div>
      <Loading state={list}>{(d) => <><NeedTable needs={d.items} items={items} /><Pager next={d.next_page_token} /></>}</Loading>
    </Page>
  );
}

// 住户 as a search box with its matches as options.
function HouseholdPicker({ form, me }) {
  const [text, setText] = useState('');
  const [matches, setMatches] = useState([]);
  const chosen = form.values.requester;
  useEffect(() => {
    if (!text.trim()) return setMatches([]);
    const h = setTimeout(() => {
      api('GET', '/v1/requesters?' + qs({ station_id: me.station_id, q: text.trim(), page_size: 8 }))
        .then((d) => setMatches(d.items.filter((r) => r.active !== false)))
        .catch(() => setMatches([]));
    }, 200);
    return () => clearTimeout(h);
  }, [text]);
  return (
    <Field label={t('住户')}>
      {(id) => (
        <div>
          <input id={id} type="search" role="combobox" aria-expanded={!chosen && matches.length > 0}
            aria-controls={!chosen && matches.length > 0 ? id + '-list' : undefined}
            autocomplete="off" value={chosen ? chosen.name : text}
            onInput={(e) => { form.set('requester', null); setText(e.currentTarget.value); }} />
          {!chosen && matches.length > 0 && (
            <ul id={id + '-list'} role="listbox" class="options" aria-label={t('住户')}>
              {matches.map((r) => (
                <li role="option" aria-selected="false" tabIndex={0}
                  onClick={() => { form.set('requester', { id: r.id, name: r.name }); setMatches([]); }}
                  onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); form.set('requester', { id: r.id, name: r.name }); setMatches([]); } }}>
                  {r.name} · {r.phone}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Field>
  );
}

export function NewNeed({ me }) {
  const { query } = useLocation();
  const rid = query.get('requester_id');
  const items = useItems();
  const pre = useData(rid ? `/v1/requesters/${rid}` : null);
  const form = useForm(null, { urgency: 'normal', quantity: '1', item_id: '' });
  useEffect(() => {
    if (pre.data) form.set('requester', { id: pre.data.id, name: pre.data.name });
  }, [pre.data]);
  useEffect(() => {
    if (!form.values.item_id && items.items.length) form.set('item_id', String(items.items[0].id));
  }, [items.items.length]);
  const v = form.values;
  const save = () => {
    if (!v.requester) return form.setError(t('输入有误') + '：' + t('住户'));
    const q = parseQuantity(v.quantity);
    if (isNaN(q) || q <= 0) return form.setError(t('输入有误') + '：' + t('数量'));
    const body = { requester_id: v.requester.id, item_id: v.item_id, quantity: q, urgency: v.urgency, note: v.note || '' };
    if (v.needed_by) body.needed_by = v.needed_by;
    form.submit('POST', '/v1/needs', body, () => navigate(`/station/households/${v.requester.id}`));
  };
  return (
    <Page title={t('新增需求')}>
      <FormShell form={form} onSubmit={save}>
        <HouseholdPicker form={form} me={me} />
        <Select label={t('物资')} form={form} name="item_id" options={items.items.map((i) => [String(i.id), i.name])} />
        <Text label={t('数量')} form={form} name="quantity" inputMode="numeric" onFocus={(e) => e.currentTarget.select()} />
        <Select label={t('紧急程度')} form={form} name="urgency" options={Object.entries(URGENCIES).map(([k, z]) => [k, t(z)])} />
        <Text label={t('需要日期')} form={form} name="needed_by" type="date" />
        <Field label={t('备注')}>{(id) => <textarea id={id} value={v.note || ''} onInput={(e) => form.set('note', e.currentTarget.value)} />}</Field>
      </FormShell>
    </Page>
  );
}

function Receive({ d, onDone }) {
  const form = useForm(null, { received_by: '' });
  return (
    <FormShell form={form} onSubmit={() => form.submit('POST', `/v1/deliveries/${d.id}:deliver`, { received_by: form.values.received_by, note: '' }, onDone)}>
      <Text label={t('签收人')} form={form} name="received_by" required />
    </FormShell>
  );
}

export function DeliveryList({ list, items, canReceive, onChange }) {
  const [open, setOpen] = useState(null);
  if (!list.length) return <p>{t('没有记录')}</p>;
  return (
    <ul class="cards">
      {list.map((d) => (
        <li>
          <strong>#{d.id} · {t(DELIVERY_STATUS[d.status] || d.status)}</strong>
          <span>{(d.lines || []).map((l) => `${items.name(l.item_id)} ×${fmtNumber(l.quantity)}`).join('，')}</span>
          {canReceive && (d.status === 'dispatched' || d.status === 'planned') && (
            open === d.id ? <Receive d={d} onDone={() => { setOpen(null); onChange(); }} />
              : <button onClick={() => setOpen(d.id)}>{t('确认签收')}</button>
          )}
        </li>
      ))}
    </ul>
  );
}

export function Deliveries({ me }) {
  const { query } = useLocation();
  const items = useItems();
  const list = useData('/v1/deliveries?' + qs({ station_id: me.station_id, page_size: 50, page_token: query.get('page_token') }));
  return (
    <Page title={t('配送')}>
      <Loading state={list}>{(d) => <><DeliveryList list={d.items} items={items} canReceive onChange={list.reload} /><Pager next={d.next_page_token} /></>}</Loading>
    </Page>
  );
}
export { errorText, qs };
