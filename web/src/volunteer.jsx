// The volunteer's screens (phone first): its assigned routes and, at each
// stop, who and where, a tap to call or to open the map, the items, and
// 送达 / 部分送达 / 未送达 (the dispatcher's StopOutcome).
import { ROUTE_STATUS, UNITS, fmtDate, fmtNumber, t } from './i18n.js';
import { StopOutcome, lineName } from './dispatch.jsx';
import { qs } from './station.jsx';
import { Link, Loading, Page, Pager, useData, useLocation } from './ui.jsx';

// The phone's map app: geo: on Android; elsewhere (iOS, desktop) Amap's
// web link, which hands over to the app when it is installed.
export function mapHref(address) {
  const q = encodeURIComponent(address);
  return /Android/i.test(navigator.userAgent) ? `geo:0,0?q=${q}` : `https://uri.amap.com/search?keyword=${q}&callnative=1`;
}
export function telHref(phone) {
  return 'tel:' + String(phone).replace(/[^\d+]/g, '');
}

function RouteTitle({ r }) {
  return <>{t('路线编号')} {r.id} · {fmtDate(r.date)}</>;
}

// One route's stops in order, each with its outcome buttons.
function RouteStops({ id }) {
  const route = useData(`/v1/routes/${id}`);
  const dels = useData(`/v1/deliveries?route_id=${id}&page_size=100`);
  const byId = {};
  ((dels.data && dels.data.items) || []).forEach((d) => (byId[d.id] = d));
  return (
    <Loading state={route}>
      {(r) => (
        <ol class="cards stops">
          {[...(r.stops || [])].sort((a, b) => a.seq - b.seq).map((s) => (
            <li>
              <strong>{t('站点序号')} {s.seq} · {s.recipient || '#' + s.requester_id}</strong>
              <dl class="facts">
                {s.contact_name && <><dt>{t('联系人')}</dt><dd>{s.contact_name}</dd></>}
                {s.phone && <><dt>{t('电话')}</dt><dd><a href={telHref(s.phone)}>{s.phone}</a></dd></>}
                {s.address && <><dt>{t('地址')}</dt><dd><a href={mapHref(s.address)} target="_blank" rel="noreferrer">{s.address}</a></dd></>}
                {s.district && <><dt>{t('区')}</dt><dd>{s.district}</dd></>}
                {s.note && <><dt>{t('备注')}</dt><dd>{s.note}</dd></>}
              </dl>
              <ul class="lines">
                {(s.lines || []).map((l) => (
                  <li>{lineName(l, null)} ×{fmtNumber(l.quantity)}{l.unit ? ' ' + t(UNITS[l.unit] || l.unit) : ''}</li>
                ))}
              </ul>
              <StopOutcome stop={s} delivery={byId[s.delivery_id]} items={null} onDone={() => dels.reload()} />
            </li>
          ))}
        </ol>
      )}
    </Loading>
  );
}

export function MyRoutes() {
  const { query } = useLocation();
  const list = useData('/v1/routes?' + qs({ page_size: 20, page_token: query.get('page_token') }));
  return (
    <Page title={t('我的路线')}>
      <Loading state={list}>
        {(d) => {
          const open = d.items.filter((r) => r.status !== 'completed');
          const done = d.items.filter((r) => r.status === 'completed');
          return (
            <>
              {d.items.length === 0 && <p>{t('没有记录')}</p>}
              {open.map((r) => (
                <section>
                  <h2><Link href={`/volunteer/routes/${r.id}`}><RouteTitle r={r} /></Link></h2>
                  <p>{t(ROUTE_STATUS[r.status] || r.status || '')} · {t('站点数')} {fmtNumber(r.stop_count ?? 0)}</p>
                  <RouteStops id={r.id} />
                </section>
              ))}
              {done.length > 0 && (
                <ul class="cards">
                  {done.map((r) => (
                    <li><Link href={`/volunteer/routes/${r.id}`}><RouteTitle r={r} /></Link>
                      <span>{t(ROUTE_STATUS[r.status])} · {t('站点数')} {fmtNumber(r.stop_count ?? 0)}</span></li>
                  ))}
                </ul>
              )}
              <Pager next={d.next_page_token} />
            </>
          );
        }}
      </Loading>
    </Page>
  );
}

export function VolunteerRoute({ id }) {
  const route = useData(`/v1/routes/${id}`);
  return (
    <Loading state={route}>
      {(r) => (
        <Page title={`${t('路线编号')} ${r.id} · ${fmtDate(r.date)}`}>
          <p>{t(ROUTE_STATUS[r.status] || r.status || '')} · {r.driver}</p>
          <RouteStops id={id} />
        </Page>
      )}
    </Loading>
  );
}
