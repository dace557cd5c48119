// The aidlink web UI: login, then each role's screens.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { currentLang, onLang, setLang, t } from './i18n.js';
import { Admin } from './admin.jsx';
import { DispatchDeliveries, DispatchNeeds, Match, NewRoute, Reports, RoutePage, Routes, Stock } from './dispatch.jsx';
import { LotPage, MyLots, NewLot } from './donor.jsx';
import { Deliveries, EditHousehold, Household, Households, NeedTable, Needs, NewHousehold, NewNeed } from './station.jsx';
import { DuplicateCase, DuplicateCases } from './duplicates.jsx';
import { ImportSheet } from './import.jsx';
import { MyRoutes, VolunteerRoute } from './volunteer.jsx';
import { DialogHost, Link, OfflineBanner, clearDrafts, errorText, navigate, useLocation } from './ui.jsx';
import './style.css';

const HOME = { station: '/station/households', dispatcher: '/dispatch/needs', donor: '/donor/lots', admin: '/admin', volunteer: '/volunteer/routes' };
const NAV = {
  station: [['/station/households', '住户'], ['/station/needs', '需求'], ['/station/deliveries', '配送'],
    ['/station/duplicates', '疑似重复登记']],
  dispatcher: [['/dispatch/needs', '需求'], ['/dispatch/stock', '库存'], ['/dispatch/match', '匹配'],
    ['/dispatch/routes', '路线'], ['/dispatch/deliveries', '配送'], ['/dispatch/duplicates', '疑似重复登记'],
    ['/dispatch/reports', '报表']],
  donor: [['/donor/lots', '我的捐赠']],
  volunteer: [['/volunteer/routes', '我的路线']],
  admin: [['/admin', '管理']],
};

// Path patterns per role → screen.
const ROUTES = {
  station: [
    [/^\/station\/households$/, (me) => <Households me={me} />],
    [/^\/station\/households\/new$/, (me) => <NewHousehold me={me} />],
    [/^\/station\/households\/(\d+)$/, (me, id) => <Household me={me} id={id} />],
    [/^\/station\/households\/(\d+)\/edit$/, (me, id) => <EditHousehold me={me} id={id} />],
    [/^\/station\/needs$/, (me) => <Needs me={me} />],
    [/^\/station\/needs\/new$/, (me) => <NewNeed me={me} />],
    [/^\/station\/import$/, (me) => <ImportSheet me={me} />],
    [/^\/station\/deliveries$/, (me) => <Deliveries me={me} />],
    [/^\/station\/duplicates$/, () => <DuplicateCases base="/station" />],
    [/^\/station\/duplicates\/(\d+)$/, (me, id) => <DuplicateCase id={id} base="/station" />],
  ],
  dispatcher: [
    [/^\/dispatch\/needs$/, () => <DispatchNeeds />],
    [/^\/dispatch\/stock$/, () => <Stock />],
    [/^\/dispatch\/match$/, () => <Match />],
    [/^\/dispatch\/routes$/, () => <Routes />],
    [/^\/dispatch\/routes\/new$/, () => <NewRoute />],
    [/^\/dispatch\/routes\/(\d+)$/, (me, id) => <RoutePage id={id} />],
    [/^\/dispatch\/deliveries$/, () => <DispatchDeliveries />],
    [/^\/dispatch\/reports$/, () => <Reports />],
    [/^\/dispatch\/duplicates$/, () => <DuplicateCases base="/dispatch" />],
    [/^\/dispatch\/duplicates\/(\d+)$/, (me, id) => <DuplicateCase id={id} base="/dispatch" />],
  ],
  donor: [
    [/^\/donor\/lots$/, (me) => <MyLots me={me} />],
    [/^\/donor\/lots\/new$/, (me) => <NewLot me={me} />],
    [/^\/donor\/lots\/(\d+)$/, (me, id) => <LotPage me={me} id={id} />],
  ],
  volunteer: [
    [/^\/volunteer\/routes$/, () => <MyRoutes />],
    [/^\/volunteer\/routes\/(\d+)$/, (me, id) => <VolunteerRoute id={id} />],
  ],
  admin: [[/^\/admin$/, () => <Admin />]],
};
void NeedTable;

function LangButton() {
  const en = currentLang() === 'en';
  return (
    <button class="lang" lang={en ? 'zh-CN' : 'en'} onClick={() => setLang(en ? 'zh-CN' : 'en')}>
      {en ? '中文' : 'English'}
    </button>
  );
}

function Login({ onLogin }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = `${t('登录')} · aidlink`;
  }, []);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api('POST', '/v1/sessions', { username, password });
      setPassword('');
      onLogin();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('用户名或密码错误'));
      else if (err instanceof ApiError && err.status === 429) setError(t('登录过于频繁，请稍后再试'));
      else setError(errorText(err));
    }
    setBusy(false);
  };
  return (
    <>
      <header class="top"><span class="brand">aidlink</span><LangButton /></header>
      <main id="main" class="login">
        <h1>{t('登录 aidlink')}</h1>
        <form class="form" onSubmit={submit}>
          <div class="field"><label for="login-user">{t('用户名')}</label>
            <input id="login-user" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required /></div>
          <div class="field"><label for="login-pass">{t('密码')}</label>
            <input id="login-pass" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required /></div>
          {error && <p class="error" role="alert">{error}</p>}
          <button type="submit" class="primary" disabled={busy}>{t('登录')}</button>
        </form>
      </main>
    </>
  );
}

function Shell({ me, onLogout }) {
  const { path } = useLocation();
  const routes = ROUTES[me.role] || [];
  let screen = null;
  for (const [re, make] of routes) {
    const m = path.match(re);
    if (m) screen = make(me, m[1]);
  }
  useEffect(() => {
    if (!screen) navigate(HOME[me.role] || '/', true);
  }, [path]);
  const logout = async () => {
    try {
      await api('DELETE', '/v1/sessions/current');
    } catch {
      // the session may be gone already
    }
    clearDrafts();
    onLogout();
  };
  return (
    <>
      <a class="skip" href="#main">{t('跳到正文')}</a>
      <header class="top">
        <span class="brand">aidlink</span>
        <span class="who">{me.display_name || me.username}</span>
        <LangButton />
        <button onClick={logout}>{t('退出')}</button>
      </header>
      <nav aria-label="aidlink">
        <ul>
          {(NAV[me.role] || []).map(([href, label]) => (
            <li><Link href={href} aria-current={path.startsWith(href) ? 'page' : undefined}>{t(label)}</Link></li>
          ))}
        </ul>
      </nav>
      <OfflineBanner />
      <main id="main">{screen}</main>
      <DialogHost />
    </>
  );
}

function App() {
  const [me, setMe] = useState(undefined);
  const [, setTick] = useState(0);
  useEffect(() => onLang(() => setTick((n) => n + 1)), []);
  const load = () =>
    api('GET', '/v1/me')
      .then((m) => {
        setMe(m);
        if (location.pathname === '/') navigate(HOME[m.role] || '/', true);
      })
      .catch(() => setMe(null));
  useEffect(() => {
    document.documentElement.lang = currentLang();
    load();
  }, []);
  if (me === undefined) return <main id="main"><p>{t('加载中…')}</p></main>;
  if (!me) return <Login onLogin={load} />;
  return <Shell me={me} onLogout={() => { setMe(null); navigate('/', true); }} />;
}

render(<App />, document.getElementById('app'));
