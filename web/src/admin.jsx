// The admin's screens: stations, users, tokens.
import { useState } from 'preact/hooks';
import { ROLES, t } from './i18n.js';
import { FormShell, Loading, Page, Select, Text, useData, useForm } from './ui.jsx';

function NewStation({ onDone }) {
  const form = useForm(null, {});
  return (
    <FormShell form={form} onSubmit={() => form.submit('POST', '/v1/stations', { name: form.values.name, district: form.values.district }, onDone)}>
      <Text label={t('名称')} form={form} name="name" required />
      <Text label={t('区')} form={form} name="district" required />
    </FormShell>
  );
}

function NewUser({ stations, onDone }) {
  const form = useForm(null, { role: 'station' });
  const v = form.values;
  const save = () => {
    const body = { username: v.username, password: v.password, role: v.role, display_name: v.display_name || v.username };
    if (v.role === 'station') body.station_id = v.station_id || (stations[0] && stations[0].id);
    if (v.role === 'donor') body.donor_id = v.donor_id;
    form.submit('POST', '/v1/users', body, onDone);
  };
  return (
    <FormShell form={form} onSubmit={save}>
      <Text label={t('用户名')} form={form} name="username" required autocomplete="off" />
      <Text label={t('密码')} form={form} name="password" type="password" required autocomplete="new-password" />
      <Text label={t('显示名')} form={form} name="display_name" />
      <Select label={t('角色')} form={form} name="role" options={Object.entries(ROLES).map(([k, z]) => [k, t(z)])} />
      {v.role === 'station' && <Select label={t('所属站点')} form={form} name="station_id" options={stations.map((s) => [String(s.id), s.name])} />}
      {v.role === 'donor' && <Text label={t('所属捐赠方')} form={form} name="donor_id" inputMode="numeric" />}
    </FormShell>
  );
}

function NewToken() {
  const form = useForm(null, { role: 'dispatcher' });
  const [shown, setShown] = useState(null);
  const v = form.values;
  return (
    <>
      <FormShell form={form} onSubmit={() => form.submit('POST', '/v1/tokens', { role: v.role, label: v.label || '' }, setShown)}>
        <Select label={t('角色')} form={form} name="role" options={Object.entries(ROLES).map(([k, z]) => [k, t(z)])} />
        <Text label={t('标记')} form={form} name="label" />
      </FormShell>
      {shown && <p role="status">{t('令牌（只显示一次）')}：<code>{shown.token}</code></p>}
    </>
  );
}

export function Admin() {
  const stations = useData('/v1/stations?page_size=100');
  const users = useData('/v1/users?page_size=100');
  const [open, setOpen] = useState(null);
  const toggle = (k) => setOpen(open === k ? null : k);
  const list = (stations.data && stations.data.items) || [];
  return (
    <Page title={t('管理')}>
      <h2>{t('站点')}</h2>
      <Loading state={stations}>{(d) => <ul class="cards">{d.items.map((s) => <li>{s.name} · {s.district}</li>)}</ul>}</Loading>
      <button onClick={() => toggle('station')} aria-expanded={open === 'station'}>{t('新增站点')}</button>
      {open === 'station' && <NewStation onDone={() => { setOpen(null); stations.reload(); }} />}
      <h2>{t('用户')}</h2>
      <Loading state={users}>
        {(d) => <ul class="cards">{d.items.map((u) => <li>{u.username} · {u.display_name} · {t(ROLES[u.role] || u.role)}</li>)}</ul>}
      </Loading>
      <button onClick={() => toggle('user')} aria-expanded={open === 'user'}>{t('新增用户')}</button>
      {open === 'user' && <NewUser stations={list} onDone={() => { setOpen(null); users.reload(); }} />}
      <h2>{t('令牌')}</h2>
      <button onClick={() => toggle('token')} aria-expanded={open === 'token'}>{t('新增令牌')}</button>
      {open === 'token' && <NewToken />}
    </Page>
  );
}
