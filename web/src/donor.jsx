// The donor's screens: my donations, logging one, a lot's timeline and trace.
import { parseQuantity } from './api.js';
import { KINDS, LOT_STATUS, fmtDate, fmtNumber, t } from './i18n.js';
import { qs, useDepots, useItems } from './station.jsx';
import { Field, FormShell, Link, Loading, Page, Pager, Scroll, Select, Text, navigate, useData, useForm, useLocation } from './ui.jsx';

export function MyLots({ me }) {
  const { query } = useLocation();
  const items = useItems();
  const list = useData('/v1/lots?' + qs({ donor_id: me.donor_id, page_size: 50, page_token: query.get('page_token') }));
  return (
    <Page title={t('我的捐赠')} actions={<Link class="button primary" href="/donor/lots/new">{t('登记捐赠')}</Link>}>
      <Loading state={list}>
        {(d) => (
          <>
            <ul class="cards">
              {d.items.map((l) => (
                <li><Link href={`/donor/lots/${l.id}`}>{t('批次')} {l.id} · {items.name(l.item_id)} ×{fmtNumber(l.quantity_pledged || l.quantity)}</Link>
                  <Received l={l} />
                  {l.expires_on && <span>{t('有效期')} {fmtDate(l.expires_on)}</span>}</li>
              ))}
            </ul>
            {d.items.length === 0 && <p>{t('没有记录')}</p>}
            <Pager next={d.next_page_token} />
          </>
        )}
      </Loading>
    </Page>
  );
}

// 待入库 while pledged; once the depot counted it, pledged next to received.
function Received({ l }) {
  if (l.status === 'pledged') return <span><span class="tag">{t('待入库')}</span></span>;
  if (l.status !== 'received') return null;
  return (
    <span>
      <span class="tag">{t('已入库')}</span> {t('认捐数量')} {fmtNumber(l.quantity_pledged ?? l.quantity)} · {t('实收数量')} {fmtNumber(l.quantity_received ?? l.quantity)}
      {l.receive_note ? ' · ' + l.receive_note : ''}
    </span>
  );
}

export function NewLot({ me }) {
  const items = useItems();
  const depots = useDepots();
  const form = useForm('lot_new', { quantity: '1' });
  const v = form.values;
  const itemId = v.item_id || (items.items[0] && String(items.items[0].id)) || '';
  const depotId = v.depot_id || (depots[0] && String(depots[0].id)) || '';
  const shown = { ...form, values: { ...v, item_id: itemId, depot_id: depotId } };
  const save = () => {
    const q = parseQuantity(v.quantity);
    if (isNaN(q) || q <= 0) return form.setError(t('输入有误') + '：' + t('数量'));
    const body = { donor_id: me.donor_id, item_id: itemId, depot_id: depotId, quantity: q, note: v.note || '' };
    if (v.expires_on) body.expires_on = v.expires_on;
    form.submit('POST', '/v1/lots', body, (r) => navigate(`/donor/lots/${r.id}`));
  };
  return (
    <Page title={t('登记捐赠')}>
      <FormShell form={form} onSubmit={save}>
        <Select label={t('物资')} form={shown} name="item_id" options={items.items.map((i) => [String(i.id), i.name])} />
        <Select label={t('仓库')} form={shown} name="depot_id" options={depots.map((d) => [String(d.id), d.name])} />
        <Text label={t('数量')} form={form} name="quantity" inputMode="numeric" onFocus={(e) => e.currentTarget.select()} />
        <Text label={t('有效期')} form={form} name="expires_on" type="date" />
        <Field label={t('备注')}>{(id) => <textarea id={id} value={v.note || ''} onInput={(e) => form.set('note', e.currentTarget.value)} />}</Field>
      </FormShell>
    </Page>
  );
}

export function LotPage({ me, id }) {
  const lot = useData(`/v1/lots/${id}`);
  const trace = useData(me.donor_id ? `/v1/donors/${me.donor_id}/trace` : null);
  const items = useItems();
  return (
    <Loading state={lot}>
      {(l) => {
        const mine = trace.data && (trace.data.lots || []).find((x) => String(x.lot_id) === String(id));
        const sent = (mine && (mine.dispatched || 0)) + (l.delivered || 0);
        const steps = [
          ['已登记', true], ['已分配', (l.allocated || 0) + (l.delivered || 0) > 0],
          ['配送中', sent > 0], ['已送达', (l.delivered || 0) > 0],
        ];
        return (
          <Page title={`${t('批次')} ${l.id} · ${items.name(l.item_id)}`}>
            <h2>{t('时间线')}</h2>
            <ol class="timeline">
              {steps.map(([k, on]) => <li class={on ? 'done' : ''}>{t(k)}{on ? ' ✓' : ''}</li>)}
            </ol>
            <dl class="facts">
              <dt>{t('状态')}</dt><dd>{t(LOT_STATUS[l.status] || l.status || '')}</dd>
              <dt>{t('认捐数量')}</dt><dd>{fmtNumber(l.quantity_pledged ?? l.quantity)}</dd>
              {l.status !== 'pledged' && <><dt>{t('实收数量')}</dt><dd>{fmtNumber(l.quantity_received ?? l.quantity)}</dd></>}
              <dt>{t('可用')}</dt><dd>{fmtNumber(l.available || 0)}</dd>
              <dt>{t('已分配')}</dt><dd>{fmtNumber(l.allocated || 0)}</dd>
              <dt>{t('已送达')}</dt><dd>{fmtNumber(l.delivered || 0)}</dd>
              <dt>{t('有效期')}</dt><dd>{fmtDate(l.expires_on)}</dd>
            </dl>
            <h2>{t('去向')}</h2>
            <Trace lot={mine} />
            <a class="button" href={`/v1/lots/${l.id}/receipt?format=html`}>{t('打印收据')}</a>
          </Page>
        );
      }}
    </Loading>
  );
}

function Trace({ lot }) {
  if (!lot) return <p>{t('没有记录')}</p>;
  const rows = lot.breakdown || [];
  if (!rows.length) return <p>{t('没有记录')}</p>;
  return (
    <Scroll label={t('去向')}>
      <table>
        <thead><tr><th>{t('区')}</th><th>{t('类型')}</th><th>{t('已分配')}</th><th>{t('已送达')}</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr><td>{r.district}</td><td>{t(KINDS[r.requester_kind] || r.requester_kind || '')}</td>
              <td>{fmtNumber(r.allocated || 0)}</td><td>{fmtNumber(r.delivered || 0)}</td></tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}
