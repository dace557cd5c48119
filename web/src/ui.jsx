// Shared pieces: navigation, forms with one Idempotency-Key each, the
// offline banner, confirmation dialogs, paged lists.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, NetworkError, newKey } from './api.js';
import { t } from './i18n.js';

// ---- routing (history API; filters live in the query string)
const routeListeners = new Set();
export function navigate(url, replace) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  routeListeners.forEach((f) => f());
  window.scrollTo(0, 0);
}
window.addEventListener('popstate', () => routeListeners.forEach((f) => f()));
export function useLocation() {
  const [, set] = useState(0);
  useEffect(() => {
    const f = () => set((n) => n + 1);
    routeListeners.add(f);
    return () => routeListeners.delete(f);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}
export function Link({ href, children, ...rest }) {
  return (
    <a
      href={href}
      {...rest}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

// ---- online state
const onlineListeners = new Set();
let online = navigator.onLine;
export function setOnline(v) {
  online = v;
  onlineListeners.forEach((f) => f(v));
}
window.addEventListener('online', () => setOnline(true));
window.addEventListener('offline', () => setOnline(false));
export function useOnline() {
  const [v, set] = useState(online);
  useEffect(() => {
    onlineListeners.add(set);
    return () => onlineListeners.delete(set);
  }, []);
  return v;
}
export function whenOnline() {
  return new Promise((resolve) => {
    const f = (v) => {
      if (v) {
        onlineListeners.delete(f);
        resolve();
      }
    };
    onlineListeners.add(f);
    // A dropped request while the browser still believes it is online:
    // try again a little later.
    setTimeout(() => f(navigator.onLine), 5000);
  });
}
export function OfflineBanner() {
  const on = useOnline();
  if (on) return null;
  return (
    <div class="banner" role="status">
      {t('网络已断开，恢复后将自动重试')}
    </div>
  );
}

// The server's error in the user's language: its message with a summary.
export function errorText(e) {
  if (e instanceof ApiError) {
    const head = {
      400: '输入有误',
      403: '无权限',
      404: '未找到',
      409: '数据已被他人修改，请刷新后重试',
      422: '不能执行此操作',
    }[e.status] || (e.status >= 500 ? '服务器错误' : '服务器拒绝了请求');
    return `${t(head)}${e.message ? '：' + e.message : ''}`;
  }
  return t('操作失败');
}

// ---- forms: one Idempotency-Key per opened form, a draft in
// sessionStorage, the button disabled in flight, a network failure retried
// with the same key once the connection returns.
export function useForm(draftName, initial) {
  const keyRef = useRef(newKey());
  const storageKey = draftName ? 'aidlink_draft_' + draftName : null;
  const [values, setValues] = useState(() => {
    const saved = storageKey && sessionStorage.getItem(storageKey);
    return saved ? { ...initial, ...JSON.parse(saved) } : initial;
  });
  const [busy, setBusy] = useState(false);
  // Guards a second submit before the disabled button has rendered.
  const inFlight = useRef(false);
  const [error, setError] = useState('');
  const set = (name, v) =>
    setValues((old) => {
      const next = { ...old, [name]: v };
      if (storageKey) sessionStorage.setItem(storageKey, JSON.stringify(next));
      return next;
    });
  async function submit(method, path, body, onDone) {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError('');
    for (;;) {
      try {
        const r = await api(method, path, body, keyRef.current);
        if (storageKey) sessionStorage.removeItem(storageKey);
        inFlight.current = false;
        setBusy(false);
        onDone && onDone(r);
        return;
      } catch (e) {
        if (e instanceof NetworkError) {
          setOnline(false);
          await whenOnline();
          continue;
        }
        setError(errorText(e));
        inFlight.current = false;
        setBusy(false);
        return;
      }
    }
  }
  return { values, set, busy, error, setError, submit };
}

export function clearDrafts() {
  for (let i = sessionStorage.length - 1; i >= 0; i--) {
    const k = sessionStorage.key(i);
    if (k && k.startsWith('aidlink_')) sessionStorage.removeItem(k);
  }
}

let fieldSeq = 0;
export function Field({ label, children, hint }) {
  const id = useRef('f' + ++fieldSeq).current;
  const child = children(id);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {child}
      {hint && <small>{hint}</small>}
    </div>
  );
}
export function Text({ label, form, name, type = 'text', required, ...rest }) {
  return (
    <Field label={label}>
      {(id) => (
        <input
          id={id}
          name={name}
          type={type}
          required={required}
          value={form.values[name] ?? ''}
          onInput={(e) => form.set(name, e.currentTarget.value)}
          {...rest}
        />
      )}
    </Field>
  );
}
export function Select({ label, form, name, options, required }) {
  return (
    <Field label={label}>
      {(id) => (
        <select
          id={id}
          name={name}
          required={required}
          value={form.values[name] ?? ''}
          onChange={(e) => form.set(name, e.currentTarget.value)}
        >
          {options.map(([v, text]) => (
            <option value={v}>{text}</option>
          ))}
        </select>
      )}
    </Field>
  );
}
export function FormShell({ form, onSubmit, children, submitLabel }) {
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
      {form.error && (
        <p class="error" role="alert">
          {form.error}
        </p>
      )}
      <button type="submit" class="primary" disabled={form.busy} aria-busy={form.busy}>
        {submitLabel || t('保存')}
      </button>
    </form>
  );
}

// ---- confirmation dialog
let showDialog = null;
export function confirmDialog(message) {
  return new Promise((resolve) => showDialog && showDialog({ message, resolve }));
}
export function DialogHost() {
  const [d, setD] = useState(null);
  const okRef = useRef(null);
  showDialog = setD;
  useEffect(() => {
    if (d && okRef.current) okRef.current.focus();
  }, [d]);
  if (!d) return null;
  const close = (v) => {
    setD(null);
    d.resolve(v);
  };
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-msg">
        <p id="dialog-msg">{d.message}</p>
        <div class="row">
          <button ref={okRef} class="primary" onClick={() => close(true)}>
            {t('确认')}
          </button>
          <button onClick={() => close(false)}>{t('取消')}</button>
        </div>
      </div>
    </div>
  );
}

// ---- data loading
export function useData(path, deps = []) {
  const [state, setState] = useState({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api('GET', path)
      .then((data) => live && setState({ data }))
      .catch((error) => live && setState({ error }));
    return () => {
      live = false;
    };
  }, [path, n, ...deps]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

export function Loading({ state, children }) {
  if (state.error) {
    return (
      <p class="error" role="alert">
        {state.error.status === 404 ? t('未找到') : errorText(state.error)}
      </p>
    );
  }
  if (!state.data) return <p>{t('加载中…')}</p>;
  return children(state.data);
}

// A server-paged list: page_token in the URL.
export function Pager({ next }) {
  const { path, query } = useLocation();
  const cur = query.get('page_token');
  const go = (tok) => {
    const q = new URLSearchParams(query);
    if (tok) q.set('page_token', tok);
    else q.delete('page_token');
    navigate(path + (q.toString() ? '?' + q : ''));
  };
  return (
    <div class="row pager">
      {cur && <button onClick={() => go(null)}>{t('第一页')}</button>}
      {next && <button onClick={() => go(next)}>{t('下一页')}</button>}
    </div>
  );
}

// A server-paged list of cards: `card(item)` renders each <li>; 没有记录 when
// it is empty.
export function CardList({ state, card }) {
  return (
    <Loading state={state}>
      {(d) => (
        <>
          {d.items.length === 0 && <p>{t('没有记录')}</p>}
          <ul class="cards">{d.items.map(card)}</ul>
          <Pager next={d.next_page_token} />
        </>
      )}
    </Loading>
  );
}

// A wide table that scrolls by itself (keyboard-reachable) on a phone.
export function Scroll({ label, children }) {
  return (
    <div class="scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

export function Page({ title, children, actions }) {
  useEffect(() => {
    document.title = `${title} · aidlink`;
  }, [title]);
  return (
    <section>
      <div class="titlebar">
        <h1>{title}</h1>
        {actions}
      </div>
      {children}
    </section>
  );
}
