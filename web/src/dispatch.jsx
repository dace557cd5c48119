// The dispatcher's screens: needs, stock, matching, routes, deliveries, reports.
import { useState } from 'preact/hooks';
import { api, parseQuantity } from './api.js';
import { DELIVERY_STATUS, ROUTE_STATUS, UNMET, fmtDate, fmtNumber, t } from './i18n.js';
import { DeliveryList, Needs, qs, useDepots, useItems } from './station.jsx';
import {
  CardList, Field, FormShell, Link, Loading, Page, Pager, Scroll, Select, Text, confirmDialog, errorText,
  navigate, useData, useForm, useLocation,
} from './ui.jsx';

export function DispatchNeeds() {
  return <Needs me={{}} base="/dispatch" />;
}

function today(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return d.toISOString().slice(0, 10);
}

export function LotTable({ lots, items, depots }) {
  const depot = (id) => (depots.find((d) => String(d.id) === String(id)) || {}).name || '#' + id;
  if (!lots.length) return <p>{t('没有记录')}</p>;
  return (
    <Scroll label={t('库存')}>
      <table>
        <thead><tr><th>{t('批次')}</th><th>{t('物资')}</th><th>{t('仓库')}</th><th>{t('数量')}</th><th>{t('可用')}</th><th>{t('已分配')}</th><th>{t('有效期')}</th></tr></thead>
        <tbody>
          {lots.map((l) => (
            <tr>
              <td>{l.id}</td><td>{items.name(l.item_id)}</td><td>{depot(l.depot_id)}</td>
              <td>{fmtNumber(l.quantity)}</td><td>{fmtNumber(l.available ?? 0)}</td>
              <td>{fmtNumber(l.allocated ?? 0)}</td><td>{fmtDate(l.expires_on)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

// 确认入库: what actually reached the depot (default: the pledge) and a note.
function ReceiveLot({ lot, onDone }) {
  const form = useForm(null, { quantity_received: String(lot.quantity_pledged || lot.quantity), note: '' });
  const v = form.values;
  const save = () => {
    const q = parseQuantity(v.quantity_received);
    if (isNaN(q)) return form.setError(t('输入有误') + '：' + t('实收数量'));
    // Zero or above the pledge: the server's 400 says why.
    form.submit('POST', `/v1/lots/${lot.id}:receive`, { quantity_received: q, note: v.note || '' }, onDone);
  };
  return (
    <FormShell form={form} onSubmit={save}>
      <Text label={t('实收数量')} form={form} name="quantity_received" inputMode="numeric" onFocus={(e) => e.currentTarget.select()} />
      <Field label={t('备注')}>{(id) => <textarea id={id} value={v.note || ''} onInput={(e) => form.set('note', e.currentTarget.value)} />}</Field>
    </FormShell>
  );
}

function PledgedLots({ items, depots, onReceived }) {
  const pledged = useData('/v1/lots?' + qs({ status: 'pledged', page_size: 50 }));
  const donors = useData('/v1/donors?page_size=100');
  const [open, setOpen] = useState(null);
  // Lots received here stay in view, shown as 已入库 with the server's numbers.
  const [done, setDone] = useState({});
  const donor = (id) => ((donors.data && donors.data.items) || []).find((d) => String(d.id) === String(id))?.name || '#' + id;
  const depot = (id) => (depots.find((d) => String(d.id) === String(id)) || {}).name || '#' + id;
  return (
    <Loading state={pledged}>
      {(d) => {
        const lots = [...Object.values(done).filter((x) => !d.items.some((l) => l.id === x.id)), ...d.items];
        if (!lots.length) return <p>{t('没有记录')}</p>;
        return (
          <ul class="cards">
            {lots.map((l0) => {
              const l = done[l0.id] || l0;
              return (
                <li>
                  <strong>{t('批次')} {l.id} · {donor(l.donor_id)} · {items.name(l.item_id)} ×{fmtNumber(l.quantity_pledged || l.quantity)}</strong>
                  <span>{depot(l.depot_id)}{l.expires_on ? ' · ' + fmtDate(l.expires_on) : ''}</span>
                  {l.status === 'received' ? (
                    <span><span class="tag">{t('已入库')}</span> {t('认捐数量')} {fmtNumber(l.quantity_pledged)} · {t('实收数量')} {fmtNumber(l.quantity_received)}</span>
                  ) : (
                    <>
                      <span><span class="tag">{t('待入库')}</span></span>
                      <div><button aria-expanded={open === l.id} onClick={() => setOpen(open === l.id ? null : l.id)}>{t('确认入库')}</button></div>
                      {open === l.id && <ReceiveLot lot={l} onDone={(r) => { setOpen(null); setDone((m) => ({ ...m, [l.id]: r })); onReceived(); }} />}
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        );
      }}
    </Loading>
  );
}

export function Stock() {
  const { query } = useLocation();
  const items = useItems();
  const depots = useDepots();
  const list = useData('/v1/lots?' + qs({ status: 'received', page_size: 50, page_token: query.get('page_token') }));
  return (
    <Page title={t('库存')}>
      <h2>{t('捐赠方认捐')}</h2>
      <PledgedLots items={items} depots={depots} onReceived={list.reload} />
      <h2>{t('仓库中的批次')}</h2>
      <Loading state={list}>{(d) => <><LotTable lots={d.items} items={items} depots={depots} /><Pager next={d.next_page_token} /></>}</Loading>
    </Page>
  );
}

function Stats({ s }) {
  const rows = [
    ['考虑的需求', s.needs_considered], ['考虑的批次', s.lots_considered], ['分配数量', s.units_allocated],
    ['全部满足', s.needs_filled], ['部分满足', s.needs_partial], ['未满足', s.needs_unmet],
  ];
  return (
    <dl class="facts">
      {rows.map(([k, v]) => <><dt>{t(k)}</dt><dd>{fmtNumber(v || 0)}</dd></>)}
    </dl>
  );
}

export function Match() {
  const [run, setRun] = useState(null);
  const [done, setDone] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const go = async (dry) => {
    setBusy(true);
    setError('');
    try {
      const r = await api('POST', '/v1/match/runs', { dry_run: dry }, crypto.randomUUID ? crypto.randomUUID() : String(Math.random()));
      dry ? setRun(r) : (setDone(r), setRun(null));
    } catch (e) {
      setError(errorText(e));
    }
    setBusy(false);
  };
  const commit = async () => {
    const s = run.stats || {};
    const msg = `${t('确认分配这些物资？')} ${t('分配数量')} ${fmtNumber(s.units_allocated || 0)}，${t('全部满足')} ${fmtNumber(s.needs_filled || 0)}，${t('部分满足')} ${fmtNumber(s.needs_partial || 0)}`;
    if (await confirmDialog(msg)) go(false);
  };
  return (
    <Page title={t('匹配')}>
      <div class="row">
        <button class="primary" disabled={busy} onClick={() => go(true)}>{t('试算')}</button>
        {run && <button disabled={busy} onClick={commit}>{t('确认分配')}</button>}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {done && <p role="status">{t('已保存')} · #{done.id} · {t('分配数量')} {fmtNumber(done.stats.units_allocated || 0)}</p>}
      {run && (
        <>
          <h2>{t('统计')}</h2>
          <Stats s={run.stats || {}} />
          <h2>{t('未满足的需求')}</h2>
          {(run.unmet || []).length === 0 ? <p>{t('没有记录')}</p> : (
            <ul class="cards">
              {run.unmet.map((u) => <li>{t('需求编号')} {u.need_id} · {fmtNumber(u.outstanding)} · {t(UNMET[u.reason] || u.reason)}</li>)}
            </ul>
          )}
        </>
      )}
    </Page>
  );
}

export function Routes() {
  const { query } = useLocation();
  const date = query.get('date') || today();
  const list = useData('/v1/routes?' + qs({ date, page_size: 50, page_token: query.get('page_token') }));
  return (
    <Page title={t('路线')} actions={<Link class="button primary" href="/dispatch/routes/new">{t('新建路线')}</Link>}>
      <div class="row">
        <label for="route-date">{t('日期')}</label>
        <input id="route-date" type="date" value={date} onChange={(e) => navigate('/dispatch/routes?date=' + e.currentTarget.value)} />
      </div>
      <CardList state={list} card={(r) => (
        <li><Link href={`/dispatch/routes/${r.id}`}>{t('路线编号')} {r.id} · {r.driver}</Link>
          <span>{fmtDate(r.date)} · {t('站点数')} {fmtNumber(r.stop_count ?? 0)} · {t(ROUTE_STATUS[r.status] || r.status || '')}</span></li>
      )} />
    </Page>
  );
}

export function NewRoute() {
  const depots = useDepots();
  const form = useForm(null, { date: today(), driver: '' });
  const v = form.values;
  const depotId = v.depot_id || (depots[0] && String(depots[0].id)) || '';
  return (
    <Page title={t('新建路线')}>
      <FormShell form={form} onSubmit={() => form.submit('POST', '/v1/routes', { depot_id: depotId, date: v.date, driver: v.driver }, (r) => navigate(`/dispatch/routes/${r.id}`))}>
        <Select label={t('仓库')} form={{ ...form, values: { ...v, depot_id: depotId } }} name="depot_id" options={depots.map((d) => [String(d.id), d.name])} />
        <Text label={t('日期')} form={form} name="date" type="date" required />
        <Text label={t('司机')} form={form} name="driver" required />
      </FormShell>
    </Page>
  );
}

// A line's item: the stop carries its name; the item list otherwise.
export function lineName(l, items) {
  return l.item_name || (items ? items.name(l.item_id) : '#' + l.item_id);
}

// 送达 / 部分送达 / 未送达 at one stop (the dispatcher's route page and the
// volunteer's).
export function StopOutcome({ stop, delivery, items, onDone }) {
  const [mode, setMode] = useState(null);
  const form = useForm(null, { received_by: '', reason: '' });
  const lines = stop.lines || [];
  const v = form.values;
  const status = delivery && delivery.status;
  if (status && status !== 'dispatched' && status !== 'planned') {
    return <span class="tag">{t(DELIVERY_STATUS[status] || status)}</span>;
  }
  const deliver = (partial) => {
    const body = { received_by: v.received_by || t('签收人'), note: '' };
    if (partial) body.lines = lines.map((l) => ({ item_id: l.item_id, quantity: parseQuantity(v['q' + l.item_id] ?? l.quantity) || 0 }));
    form.submit('POST', `/v1/deliveries/${stop.delivery_id}:deliver`, body, onDone);
  };
  return (
    <div>
      <div class="row">
        <button onClick={() => setMode('full')}>{t('送达')}</button>
        <button onClick={() => setMode('partial')}>{t('部分送达')}</button>
        <button onClick={() => setMode('fail')}>{t('未送达')}</button>
      </div>
      {mode === 'full' && (
        <FormShell form={form} onSubmit={() => deliver(false)}>
          <Text label={t('签收人')} form={form} name="received_by" />
        </FormShell>
      )}
      {mode === 'partial' && (
        <FormShell form={form} onSubmit={() => deliver(true)}>
          <Text label={t('签收人')} form={form} name="received_by" />
          {lines.map((l) => <Text label={`${t('数量')}：${lineName(l, items)}`} form={form} name={'q' + l.item_id} inputMode="numeric" />)}
        </FormShell>
      )}
      {mode === 'fail' && (
        <FormShell form={form} onSubmit={() => form.submit('POST', `/v1/deliveries/${stop.delivery_id}:fail`, { reason: v.reason }, onDone)}>
          <Text label={t('原因')} form={form} name="reason" required />
        </FormShell>
      )}
    </div>
  );
}

export function RoutePage({ id }) {
  const route = useData(`/v1/routes/${id}`);
  const dels = useData(`/v1/deliveries?route_id=${id}&page_size=100`);
  const items = useItems();
  const [error, setError] = useState('');
  const byId = {};
  ((dels.data && dels.data.items) || []).forEach((d) => (byId[d.id] = d));
  const dispatch = async () => {
    if (!(await confirmDialog(`${t('发车')}：${t('路线编号')} ${id}？`))) return;
    try {
      await api('POST', `/v1/routes/${id}:dispatch`, {}, crypto.randomUUID());
      route.reload();
      dels.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Loading state={route}>
      {(r) => (
        <Page title={`${t('路线编号')} ${r.id} · ${r.driver}`}>
          <p>{fmtDate(r.date)} · {t(ROUTE_STATUS[r.status] || r.status || '')}</p>
          <div class="row">
            <a class="button" href={`/v1/routes/${r.id}/manifest?format=html&lang=${document.documentElement.lang === 'en' ? 'en' : 'zh'}`}>{t('打印')}</a>
            {r.status !== 'dispatched' && <button class="primary" onClick={dispatch}>{t('发车')}</button>}
          </div>
          {error && <p class="error" role="alert">{error}</p>}
          <ol class="cards">
            {(r.stops || []).map((s) => (
              <li>
                <strong>{t('站点序号')} {s.seq} · {s.recipient || s.requester_name || '#' + s.requester_id}</strong>
                <span>{(s.lines || []).map((l) => `${lineName(l, items)} ×${fmtNumber(l.quantity)}`).join('，')}</span>
                <StopOutcome stop={s} delivery={byId[s.delivery_id]} items={items} onDone={() => dels.reload()} />
              </li>
            ))}
          </ol>
        </Page>
      )}
    </Loading>
  );
}

export function DispatchDeliveries() {
  const { query } = useLocation();
  const items = useItems();
  const status = query.get('status') || '';
  const list = useData('/v1/deliveries?' + qs({ status, page_size: 50, page_token: query.get('page_token') }));
  return (
    <Page title={t('配送')}>
      <Loading state={list}>{(d) => <><DeliveryList list={d.items} items={items} /><Pager next={d.next_page_token} /></>}</Loading>
    </Page>
  );
}

export function Reports() {
  const ledger = useData('/v1/reports/ledger');
  const lots = useData('/v1/lots?' + qs({ expiring_before: today(7), page_size: 50 }));
  const items = useItems();
  const depots = useDepots();
  return (
    <Page title={t('报表')}>
      <h2>{t('账目核对')}</h2>
      <Loading state={ledger}>{(d) => <p class={d.ok ? 'ok' : 'error'}>{t(d.ok ? '账目一致' : '账目不一致')} · {t('批次')} {fmtNumber(d.lots_checked || 0)} · {t('需求')} {fmtNumber(d.needs_checked || 0)}</p>}</Loading>
      <h2>{t('7 天内过期')}</h2>
      <Loading state={lots}>{(d) => <LotTable lots={d.items} items={items} depots={depots} />}</Loading>
    </Page>
  );
}
