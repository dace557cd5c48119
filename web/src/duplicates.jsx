// Possible duplicates: the note on a household flagged by the server, and the
// cases a desk resolves (a station sees and resolves those of its own
// registrations; the server shows it only its own sides).
import { useState } from 'preact/hooks';
import { api } from './api.js';
import {
  DUPLICATE_BASIS, DUPLICATE_DECISION, DUPLICATE_LIKELIHOOD, NEED_STATUS, currentLang, fmtDate, fmtNumber, t, tf,
} from './i18n.js';
import { useItems } from './station.jsx';
import {
  CardList, FormShell, Link, Loading, Page, Scroll, Select, Text, confirmDialog, errorText, useData, useForm,
  useLocation,
} from './ui.jsx';

const apiLang = () => (currentLang() === 'en' ? 'en' : 'zh');
const basisText = (basis) => (basis || []).map((b) => t(DUPLICATE_BASIS[b] || b)).join(currentLang() === 'en' ? ', ' : '、');

// "很可能重复（依据：电话、地址）：可能已在辖区其他站登记 · 案件 7", or nothing.
export function DuplicateNotice({ duplicate, base }) {
  if (!duplicate || !duplicate.status || duplicate.status === 'none') return null;
  return (
    <p class="notice" role="status">
      {tf('{likelihood}（依据：{basis}）：可能已在辖区其他站登记', {
        likelihood: t(DUPLICATE_LIKELIHOOD[duplicate.status] || duplicate.status),
        basis: basisText(duplicate.basis),
      })}
      {duplicate.case_id ? <> · <Link href={`${base}/duplicates/${duplicate.case_id}`}>{tf('案件 {id}', { id: duplicate.case_id })}</Link></> : null}
    </p>
  );
}

export function DuplicateCases({ base }) {
  const { query } = useLocation();
  const status = query.get('status') === 'resolved' ? 'resolved' : 'open';
  const params = new URLSearchParams({ status, page_size: '20', lang: apiLang() });
  if (query.get('page_token')) params.set('page_token', query.get('page_token'));
  const list = useData('/v1/duplicates?' + params);
  return (
    <Page title={t('疑似重复登记')}>
      <nav aria-label={t('筛选')} class="row">
        <Link href={`${base}/duplicates`} aria-current={status === 'open' ? 'page' : undefined}>{t('待处理')}</Link>
        <Link href={`${base}/duplicates?status=resolved`} aria-current={status === 'resolved' ? 'page' : undefined}>{t('已处理')}</Link>
      </nav>
      <CardList state={list} card={(c) => (
        <li>
          <Link href={`${base}/duplicates/${c.id}`}>{tf('案件 {id}', { id: c.id })}</Link>
          <span>{t(DUPLICATE_LIKELIHOOD[c.likelihood] || c.likelihood)} · {basisText(c.basis)} · {fmtDate(c.created_at)}</span>
          <span>{(c.sides || []).map((s) => `${s.requester.name}（${s.station_name}）`).join(' / ')}</span>
        </li>
      )} />
    </Page>
  );
}

function SideCard({ side, items }) {
  const r = side.requester;
  return (
    <article class="side" aria-label={`${r.name} · ${side.station_name}`}>
      <h3>{r.name}{side.primary && <span class="tag">{t('主登记')}</span>}</h3>
      <dl class="facts">
        <dt>{t('所属站点')}</dt><dd>{side.station_name}</dd>
        <dt>{t('联系人')}</dt><dd>{r.contact_name}</dd>
        <dt>{t('电话')}</dt><dd>{r.phone}</dd>
        <dt>{t('地址')}</dt><dd>{r.address}</dd>
        <dt>{t('区')}</dt><dd>{r.district}</dd>
        <dt>{t('人数')}</dt><dd>{fmtNumber(r.household_size)}</dd>
        <dt>{t('登记时间')}</dt><dd>{fmtDate(r.created_at)}</dd>
      </dl>
      {(side.needs || []).length === 0 ? <p>{t('没有需求')}</p> : (
        <Scroll label={`${t('需求')} · ${r.name}`}>
          <table>
            <thead><tr><th scope="col">{t('物资')}</th><th scope="col">{t('数量')}</th><th scope="col">{t('状态')}</th></tr></thead>
            <tbody>
              {side.needs.map((n) => (
                <tr>
                  <td>{items.name(n.item_id)}</td>
                  <td>{fmtNumber(n.quantity)}</td>
                  <td>{t(NEED_STATUS[n.status] || n.status)}{n.cancel_reason === 'duplicate_household' && ` · ${t('重复登记已取消')}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </article>
  );
}

function ResolveForm({ c, onDone }) {
  const sides = c.sides || [];
  const form = useForm(null, { decision: 'same_household', primary_id: String(sides[0] ? sides[0].requester.id : ''), reason: '' });
  const v = form.values;
  const save = () => {
    const body = { decision: v.decision, reason: v.reason || '' };
    if (v.decision === 'same_household') body.primary_id = Number(v.primary_id);
    form.submit('POST', `/v1/duplicates/${c.id}:resolve`, body, onDone);
  };
  return (
    <FormShell form={form} onSubmit={save} submitLabel={t('处理')}>
      <Select label={t('结论')} form={form} name="decision"
        options={Object.entries(DUPLICATE_DECISION).map(([k, z]) => [k, t(z)])} />
      {v.decision === 'same_household' && (
        <Select label={t('主登记')} form={form} name="primary_id"
          options={sides.map((s) => [String(s.requester.id), `${s.requester.name} · ${s.station_name}`])} />
      )}
      <Text label={t('说明')} form={form} name="reason" />
    </FormShell>
  );
}

export function DuplicateCase({ id, base }) {
  const state = useData(`/v1/duplicates/${id}?lang=${apiLang()}`);
  const items = useItems();
  const [error, setError] = useState('');
  const reopen = async (c) => {
    if (!(await confirmDialog(t('重新打开这个案件？已取消的需求将恢复。')))) return;
    setError('');
    try {
      await api('POST', `/v1/duplicates/${c.id}:reopen`, { reason: '' });
      state.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Page title={tf('案件 {id}', { id })} actions={<Link class="button" href={`${base}/duplicates`}>{t('返回')}</Link>}>
      <Loading state={state}>
        {(c) => (
          <>
            <dl class="facts">
              <dt>{t('状态')}</dt><dd>{t(c.status === 'open' ? '待处理' : '已处理')}</dd>
              <dt>{t('可能性')}</dt><dd>{t(DUPLICATE_LIKELIHOOD[c.likelihood] || c.likelihood)}</dd>
              <dt>{t('依据')}</dt><dd>{basisText(c.basis)}</dd>
              {c.decision && <><dt>{t('结论')}</dt><dd>{t(DUPLICATE_DECISION[c.decision] || c.decision)}</dd></>}
              {c.reason && <><dt>{t('说明')}</dt><dd>{c.reason}</dd></>}
              {c.hold_until && c.status === 'open' && <><dt>{t('暂停分配至')}</dt><dd>{fmtDate(c.hold_until)}</dd></>}
            </dl>
            {c.other_sides_hidden && <p class="notice" role="status">{c.note || t('可能已在辖区其他站登记')}</p>}
            <div class="sides">
              {(c.sides || []).map((s) => <SideCard side={s} items={items} />)}
            </div>
            {/* A station may decide only a case whose every side is its own. */}
            {c.other_sides_hidden ? null : c.status === 'open'
              ? <><h2>{t('处理')}</h2><ResolveForm c={c} onDone={() => state.reload()} /></>
              : <button onClick={() => reopen(c)}>{t('重新打开')}</button>}
            {error && <p class="error" role="alert">{error}</p>}
          </>
        )}
      </Loading>
    </Page>
  );
}
