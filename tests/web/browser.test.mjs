// Browser tests of the web UI (issue 16): playwright-core drives Debian's
// chromium (nothing downloaded) against the real aidlink-server on an
// ephemeral port with a temporary database and the real web build.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const nodeModules = process.env.AIDLINK_NODE_MODULES;
const require = createRequire(path.join(nodeModules, 'x.js'));
const { chromium } = require('playwright-core');
const axeModule = require('@axe-core/playwright');
const AxeBuilder = axeModule.AxeBuilder || axeModule.default;

const PASSWORD = 'correct-horse-battery';
let dir, server, base, admin, dispatcher, browser;
const ids = {};
const axeReport = [];

async function call(method, p, body, token) {
  const res = await fetch(base + p, {
    method,
    headers: {
      'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}),
      ...(method === 'POST' ? { 'Idempotency-Key': crypto.randomUUID() } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function startServer() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidlink-web-'));
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  server = spawn(process.env.AIDLINK_SERVER_BIN, [
    '--db', path.join(dir, 'aidlink.db'), '--listen', '127.0.0.1:0', '--port-file', path.join(dir, 'port'),
    '--admin-token-file', path.join(dir, 'admin.token'), '--web-root', process.env.AIDLINK_WEB_ROOT,
  ], { stdio: ['ignore', log, log] });
  for (let i = 0; i < 200 && !fs.existsSync(path.join(dir, 'port')); i++) await new Promise((r) => setTimeout(r, 50));
  base = 'http://127.0.0.1:' + fs.readFileSync(path.join(dir, 'port'), 'utf8').trim();
  admin = fs.readFileSync(path.join(dir, 'admin.token'), 'utf8').trim();
}

async function seed() {
  dispatcher = (await call('POST', '/v1/tokens', { role: 'dispatcher', label: 'seed' }, admin)).token;
  ids.stationA = (await call('POST', '/v1/stations', { name: '江汉区民族街社工站', district: '江汉区' }, admin)).id;
  ids.stationB = (await call('POST', '/v1/stations', { name: '武昌区中华路社工站', district: '武昌区' }, admin)).id;
  ids.item = (await call('POST', '/v1/items', { code: 'RICE-5KG', name: '大米', category: 'food', unit: 'piece', pack_size: 1, perishable: false }, dispatcher)).id;
  ids.depot = (await call('POST', '/v1/depots', { name: '江汉区物资中转仓', address: '江汉区新华路100号', district: '江汉区' }, dispatcher)).id;
  ids.donor = (await call('POST', '/v1/donors', { name: '仁和大药房', kind: 'enterprise', phone: '02788886666', note: '' }, dispatcher)).id;
  await call('POST', '/v1/lots', { donor_id: ids.donor, item_id: ids.item, depot_id: ids.depot, quantity: 5000, note: '' }, dispatcher);
  ids.other = (await call('POST', '/v1/requesters', {
    station_id: ids.stationB, kind: 'household', name: '王阿姨', contact_name: '王明', phone: '13900002222',
    address: '武昌区和平里5幢101', district: '武昌区', household_size: 3, tags: [],
  }, dispatcher)).id;
  for (const [username, role, extra] of [
    ['station_a', 'station', { station_id: ids.stationA }], ['station_b', 'station', { station_id: ids.stationB }],
    ['desk', 'dispatcher', {}], ['donor1', 'donor', { donor_id: ids.donor }], ['root', 'admin', {}],
  ]) {
    await call('POST', '/v1/users', { username, password: PASSWORD, role, display_name: username, ...extra }, admin);
  }
}

before(async () => {
  await startServer();
  await seed();
  browser = await chromium.launch({ executablePath: process.env.AIDLINK_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  console.log('axe results: ' + JSON.stringify(axeReport));
  if (!process.env.AIDLINK_KEEP_TEST_DIR) fs.rmSync(dir, { recursive: true, force: true });
});

// A page in a fresh context (axe needs one made by browser.newContext()).
async function newPage(options) {
  return (await browser.newContext(options)).newPage();
}

async function login(page, username) {
  await page.goto(base + '/');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('button', { name: '退出' }).waitFor();
}

// No serious or critical WCAG 2 A/AA violation, in zh-CN and in English.
async function checkAxe(page, screen) {
  for (const lang of ['zh-CN', 'en']) {
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    axeReport.push({ screen, lang, violations: r.violations.length, serious_or_critical: bad.length });
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `${screen} (${lang})`);
  }
  await page.getByRole('button', { name: '中文' }).click();
}

// AIDLINK_SCREENSHOT_DIR=DIR keeps a full-page screenshot of some screens.
async function shot(page, name) {
  const d = process.env.AIDLINK_SCREENSHOT_DIR;
  if (d) await page.screenshot({ path: path.join(d, name + '.png'), fullPage: true });
}

async function noHorizontalScroll(page, screen) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 375, `${screen} is ${w}px wide at 375px`);
}

test('first load (HTML + JS + CSS, compressed) stays within 120 KB', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const responses = [];
  page.on('response', (r) => responses.push(r));
  await page.goto(base + '/');
  await page.getByLabel('用户名').waitFor();
  let bytes = 0;
  for (const r of responses) {
    if (new URL(r.url()).pathname.startsWith('/v1/')) continue;
    const sizes = await r.request().sizes();
    bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    assert.ok(['br', 'gzip'].includes(r.headers()['content-encoding']), r.url() + ' compressed');
  }
  console.log(`first load: ${bytes} bytes`);
  assert.ok(bytes > 0 && bytes <= 120 * 1024, `first load ${bytes} bytes`);
  await context.close();
});

test('login: a wrong password, then each role lands on its home', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  await checkAxe(page, 'login');
  await page.getByLabel('用户名').fill('desk');
  await page.getByLabel('密码').fill('wrong-password-123');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByText('用户名或密码错误').waitFor();
  for (const [user, heading] of [['station_a', '住户'], ['desk', '需求'], ['donor1', '我的捐赠'], ['root', '管理']]) {
    await login(page, user);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    if (process.env.AIDLINK_SCREENSHOT_DIR) {
      for (const [width, height, kind] of [[375, 740, 'phone'], [1280, 800, 'desk']]) {
        await page.setViewportSize({ width, height });
        await shot(page, `home-${user}-${kind}`);
      }
    }
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();
  }
  await page.context().close();
});

test("a station's day: register 金老伯, find him by phone, file one need, correct his address", async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await login(page, 'station_a');
  await page.getByRole('heading', { name: '住户', level: 1 }).waitFor();
  await checkAxe(page, 'station households');
  await noHorizontalScroll(page, 'households');

  await page.getByRole('link', { name: '新增住户' }).click();
  await page.getByLabel('名称').fill('金老伯');
  await page.getByLabel('类型').selectOption({ label: '住户' });
  await page.getByLabel('联系人').fill('金老伯本人');
  await page.getByLabel('电话').fill('13800001111');
  await page.getByLabel('地址').fill('江汉区幸福里3幢2单元501');
  await page.getByLabel('区', { exact: true }).fill('江汉区');
  await page.getByLabel('人数').fill('1');
  await page.getByLabel('独居老人').check();
  await page.getByLabel('慢性病').check();
  await checkAxe(page, 'new household');
  await noHorizontalScroll(page, 'new household');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { name: '金老伯', level: 1 }).waitFor();

  await page.getByRole('link', { name: '住户', exact: true }).click();
  await page.getByLabel('搜索').fill('138 0000 1111');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForURL(/q=/);
  await page.getByRole('link', { name: '金老伯' }).click();
  await page.getByRole('heading', { name: '金老伯', level: 1 }).waitFor();
  const id = new URL(page.url()).pathname.split('/').pop();
  await checkAxe(page, 'household');
  await noHorizontalScroll(page, 'household');

  await page.getByRole('link', { name: '新增需求' }).click();
  await assert.doesNotReject(page.getByLabel('住户').waitFor());
  await page.waitForFunction(() => document.querySelector('input[role=combobox]')?.value === '金老伯');
  await page.getByLabel('数量').fill('１,０00');
  await page.getByLabel('紧急程度').selectOption({ label: '紧急' });
  await checkAxe(page, 'new need');
  await noHorizontalScroll(page, 'new need');
  await page.getByRole('button', { name: '保存' }).dblclick();
  await page.getByRole('heading', { name: '金老伯', level: 1 }).waitFor();
  await page.getByText('待分配').first().waitFor();
  const needs = await call('GET', `/v1/needs?requester_id=${id}`, undefined, dispatcher);
  assert.equal(needs.items.length, 1, 'a double-clicked 保存 files one need');
  assert.equal(Number(needs.items[0].quantity), 1000);

  await page.getByRole('link', { name: '编辑' }).click();
  await page.getByLabel('地址').fill('江汉区幸福里3幢2单元502');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByText('江汉区幸福里3幢2单元502').waitFor();
  const r = await call('GET', `/v1/requesters/${id}`, undefined, dispatcher);
  assert.equal(r.address, '江汉区幸福里3幢2单元502');

  await page.getByRole('link', { name: '需求', exact: true }).click();
  await page.getByRole('heading', { name: '需求', level: 1 }).waitFor();
  await checkAxe(page, 'station needs');
  await noHorizontalScroll(page, 'station needs');
  await page.getByRole('link', { name: '配送', exact: true }).click();
  await page.getByRole('heading', { name: '配送', level: 1 }).waitFor();
  await checkAxe(page, 'station deliveries');
  await noHorizontalScroll(page, 'station deliveries');

  // Another station's household by URL: not found, nothing of it shown.
  await page.goto(`${base}/station/households/${ids.other}`);
  await page.getByText('未找到').waitFor();
  assert.ok(!(await page.content()).includes('王阿姨'));
  ids.jin = id;

  // Logout clears drafts and the session.
  await page.getByRole('button', { name: '退出' }).click();
  await page.getByLabel('用户名').waitFor();
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('aidlink_')).length), 0);
  await context.close();
});

test('an offline submit is retried with the same key once online', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await login(page, 'station_a');
  await page.goto(`${base}/station/needs/new?requester_id=${ids.jin}`);
  await page.waitForFunction(() => document.querySelector('input[role=combobox]')?.value === '金老伯');
  await page.getByLabel('数量').fill('3');
  await context.setOffline(true);
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByText('网络已断开，恢复后将自动重试').waitFor();
  assert.equal(await page.getByLabel('数量').inputValue(), '3');
  await context.setOffline(false);
  await page.getByRole('heading', { name: '金老伯', level: 1 }).waitFor();
  const needs = await call('GET', `/v1/needs?requester_id=${ids.jin}`, undefined, dispatcher);
  assert.equal(needs.items.filter((n) => Number(n.quantity) === 3).length, 1);
  await context.close();
});

test("a dispatcher's day: 试算, 确认分配, 新建路线, 打印 to PDF, 发车, 送达 and 未送达", async () => {
  const other = (await call('POST', '/v1/requesters', {
    station_id: ids.stationA, kind: 'household', name: '李奶奶', contact_name: '李奶奶', phone: '13800002222',
    address: '江汉区友谊路8号', district: '江汉区', household_size: 2, tags: [],
  }, dispatcher)).id;
  await call('POST', '/v1/needs', { requester_id: other, item_id: ids.item, quantity: 2, urgency: 'high', note: '' }, dispatcher);

  const page = await newPage({ viewport: { width: 1024, height: 800 } });
  await login(page, 'desk');
  await checkAxe(page, 'dispatcher needs');
  for (const [nav, screen] of [['库存', 'stock'], ['配送', 'deliveries'], ['报表', 'reports']]) {
    await page.getByRole('link', { name: nav, exact: true }).click();
    await page.getByRole('heading', { name: nav, level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    await checkAxe(page, 'dispatcher ' + screen);
  }
  await page.getByRole('link', { name: '匹配', exact: true }).click();
  await page.getByRole('button', { name: '试算' }).click();
  await page.getByRole('heading', { name: '统计' }).waitFor();
  await checkAxe(page, 'match dry run');
  await page.getByRole('button', { name: '确认分配' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '确认' }).click();
  await page.getByRole('status').filter({ hasText: '已保存' }).waitFor();

  await page.getByRole('link', { name: '路线', exact: true }).click();
  await page.getByRole('link', { name: '新建路线' }).click();
  await page.getByLabel('司机').fill('刘师傅');
  await checkAxe(page, 'new route');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { name: /刘师傅/ }).waitFor();
  const routeUrl = page.url();
  await checkAxe(page, 'route');

  const href = await page.getByRole('link', { name: '打印' }).getAttribute('href');
  await page.goto(base + href);
  const pdf = path.join(dir, 'manifest.pdf');
  await page.pdf({ path: pdf, format: 'A4' });
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  for (const name of ['金老伯', '李奶奶']) assert.ok(text.includes(name), `the printed manifest names ${name}`);

  await page.goto(routeUrl);
  await page.getByRole('button', { name: '发车' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '确认' }).click();
  await page.getByRole('button', { name: '发车' }).waitFor({ state: 'detached' });
  const stops = page.locator('ol.cards > li');
  await stops.nth(0).getByRole('button', { name: '送达', exact: true }).click();
  await stops.nth(0).getByLabel('签收人').fill('本人');
  await stops.nth(0).getByRole('button', { name: '保存' }).click();
  await stops.nth(0).getByText('已送达').waitFor();
  await stops.nth(1).getByRole('button', { name: '未送达' }).click();
  await stops.nth(1).getByLabel('原因').fill('家中无人');
  await stops.nth(1).getByRole('button', { name: '保存' }).click();
  await stops.nth(1).locator('.tag', { hasText: '未送达' }).waitFor();
  const routeId = routeUrl.split('/').pop();
  const dels = await call('GET', `/v1/deliveries?route_id=${routeId}`, undefined, dispatcher);
  assert.deepEqual(dels.items.map((d) => d.status).sort(), ['delivered', 'failed']);
  await page.context().close();
});

test("a donor's day: log a lot, see its trace without household data", async () => {
  const page = await newPage({ viewport: { width: 375, height: 740 } });
  await login(page, 'donor1');
  await checkAxe(page, 'donor lots');
  await page.getByRole('link', { name: '登记捐赠' }).click();
  await page.getByLabel('数量').fill('30');
  await page.getByLabel('有效期').fill('2027-06-30');
  await checkAxe(page, 'new lot');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { name: '去向' }).waitFor();
  await checkAxe(page, 'lot');
  await page.goto(base + '/donor/lots');
  await page.getByRole('link', { name: /批次 1 / }).click();
  await page.getByRole('heading', { name: '去向' }).waitFor();
  await page.getByRole('cell', { name: '江汉区' }).first().waitFor();
  const html = await page.content();
  for (const pii of ['金老伯', '李奶奶', '13800001111', '幸福里']) assert.ok(!html.includes(pii), `no ${pii}`);
  assert.ok(await page.getByRole('link', { name: '打印收据' }).isVisible());
  await page.context().close();
});

test("an admin's day: add a station user", async () => {
  const page = await newPage();
  await login(page, 'root');
  await page.waitForLoadState('networkidle');
  await checkAxe(page, 'admin');
  await page.getByRole('button', { name: '新增用户' }).click();
  await page.getByLabel('用户名').fill('station_c');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByLabel('显示名').fill('新站点社工');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByText('station_c · 新站点社工').waitFor();
  await page.context().close();
});

test('a dispatcher receives a pledged lot through 确认入库; the donor sees 待入库, then pledged vs received', async () => {
  const donorPage = await newPage({ viewport: { width: 375, height: 740 } });
  await login(donorPage, 'donor1');
  const res = await donorPage.request.post(base + '/v1/lots', {
    headers: { 'X-Aidlink-CSRF': '1', 'Idempotency-Key': crypto.randomUUID() },
    data: { donor_id: ids.donor, item_id: ids.item, depot_id: ids.depot, quantity: 200, note: '' },
  });
  assert.ok(res.ok(), await res.text());
  const lot = await res.json();
  assert.equal(lot.status, 'pledged');
  await donorPage.goto(base + '/donor/lots');
  const mine = donorPage.locator('ul.cards > li').filter({ hasText: `批次 ${lot.id} ` });
  await mine.getByText('待入库').waitFor();
  await checkAxe(donorPage, 'donor lots with a pledge');

  const page = await newPage({ viewport: { width: 1024, height: 800 } });
  await login(page, 'desk');
  await page.getByRole('link', { name: '库存', exact: true }).click();
  await page.getByRole('heading', { name: '库存', level: 1 }).waitFor();
  const card = page.locator('ul.cards > li').filter({ hasText: `批次 ${lot.id} ` });
  await card.getByRole('button', { name: '确认入库' }).click();
  assert.equal(await card.getByLabel('实收数量').inputValue(), '200', 'defaults to the pledge');
  await page.waitForLoadState('networkidle');
  await checkAxe(page, 'dispatcher stock: 确认入库');
  await shot(page, 'dispatcher-receive');
  // More than was pledged: the server's 400, nothing received.
  await card.getByLabel('实收数量').fill('300');
  await card.getByRole('button', { name: '保存' }).click();
  await card.getByRole('alert').filter({ hasText: '输入有误' }).waitFor();
  assert.equal((await call('GET', `/v1/lots/${lot.id}`, undefined, dispatcher)).status, 'pledged');
  await card.getByLabel('实收数量').fill('180');
  await card.getByLabel('备注').fill('少20箱');
  await card.getByRole('button', { name: '保存' }).click();
  await card.getByText('已入库').waitFor();
  const got = await call('GET', `/v1/lots/${lot.id}`, undefined, dispatcher);
  assert.equal(got.status, 'received');
  assert.equal(Number(got.quantity_received), 180);
  assert.equal(Number(got.available), 180);
  await page.context().close();

  await donorPage.reload();
  await mine.getByText('已入库').waitFor();
  const text = await mine.textContent();
  assert.match(text, /认捐数量 200/);
  assert.match(text, /实收数量 180/);
  await shot(donorPage, 'donor-received');
  await donorPage.context().close();
});

test("a volunteer's day: 我的路线 at 375 px, one stop 送达 and one 未送达", async () => {
  const names = ['赵大爷', '孙阿婆'];
  for (const [i, name] of names.entries()) {
    const r = (await call('POST', '/v1/requesters', {
      station_id: ids.stationA, kind: 'household', name, contact_name: name + '家属', phone: `1380000444${i}`,
      address: `江汉区解放大道${100 + i}号`, district: '江汉区', household_size: 1, tags: [],
    }, dispatcher)).id;
    await call('POST', '/v1/needs', { requester_id: r, item_id: ids.item, quantity: 4 + i, urgency: 'critical', note: '请先电话联系' }, dispatcher);
  }
  await call('POST', '/v1/match/runs', { dry_run: false }, dispatcher);
  const date = new Date().toISOString().slice(0, 10);
  const route = await call('POST', '/v1/routes', { depot_id: ids.depot, date, driver: '志愿车队' }, dispatcher);
  for (const name of names) assert.ok(route.stops.some((s) => s.recipient === name), `${name} is on the route`);
  await call('POST', `/v1/routes/${route.id}:dispatch`, {}, dispatcher);
  const vol = await call('POST', '/v1/users', { username: 'vol1', password: PASSWORD, role: 'volunteer', display_name: '志愿者小张' }, dispatcher);
  await call('POST', `/v1/routes/${route.id}:assign`, { user_id: vol.id }, dispatcher);

  const page = await newPage({ viewport: { width: 375, height: 740 } });
  await login(page, 'vol1');
  await page.getByRole('heading', { name: '我的路线', level: 1 }).waitFor();
  assert.ok(await page.getByRole('link', { name: '我的路线' }).isVisible());
  const stop = (name) => page.locator('ol.stops > li').filter({ hasText: name });
  await stop(names[1]).getByText('请先电话联系').waitFor();
  await checkAxe(page, 'volunteer routes');
  await noHorizontalScroll(page, 'volunteer routes');
  await shot(page, 'volunteer-routes');
  assert.equal(await stop(names[0]).getByRole('link', { name: '13800004440' }).getAttribute('href'), 'tel:13800004440');
  const map = await stop(names[0]).getByRole('link', { name: '江汉区解放大道100号' }).getAttribute('href');
  assert.match(map, /^(geo:0,0\?q=|https:\/\/)/);
  assert.ok(map.includes(encodeURIComponent('江汉区解放大道100号')));
  await stop(names[0]).getByText('大米 ×4').waitFor();

  await stop(names[0]).getByRole('button', { name: '送达', exact: true }).click();
  await stop(names[0]).getByLabel('签收人').fill('赵大爷本人');
  await noHorizontalScroll(page, 'volunteer 送达 form');
  await stop(names[0]).getByRole('button', { name: '保存' }).click();
  await stop(names[0]).locator('.tag', { hasText: '已送达' }).waitFor();
  await stop(names[1]).getByRole('button', { name: '未送达' }).click();
  await stop(names[1]).getByLabel('原因').fill('电话无人接听');
  await checkAxe(page, 'volunteer 未送达 form');
  await stop(names[1]).getByRole('button', { name: '保存' }).click();
  await stop(names[1]).locator('.tag', { hasText: '未送达' }).waitFor();
  const dels = await call('GET', `/v1/deliveries?route_id=${route.id}`, undefined, dispatcher);
  const byName = Object.fromEntries(route.stops.map((s) => [s.recipient, dels.items.find((d) => d.id === s.delivery_id).status]));
  assert.equal(byName[names[0]], 'delivered');
  assert.equal(byName[names[1]], 'failed');

  await page.getByRole('link', { name: new RegExp(`路线编号 ${route.id} `) }).click();
  await page.getByRole('heading', { name: new RegExp(`路线编号 ${route.id}`), level: 1 }).waitFor();
  await page.locator('ol.stops > li').first().waitFor();
  await checkAxe(page, 'volunteer route');
  await noHorizontalScroll(page, 'volunteer route');
  await page.context().close();
});

test('a station imports a needs CSV: a bad row is shown by line number and nothing is written; fixed, it imports', async () => {
  const count = async () => (await call('GET', `/v1/needs?requester_id=${ids.jin}&page_size=100`, undefined, dispatcher)).items.length;
  const before = await count();
  const header = 'requester_name,requester_phone,item_code,quantity,urgency,needed_by,note\r\n';
  const rows = (q) => [
    '金老伯,138 0000 1111,rice-5kg,5,high,,',
    `金老伯,+86 13800001111,RICE-5KG,${q},normal,2027-01-15,"降压药, 请先电话"`,
    '"金老伯",13800001111,RICE-5KG,2,紧急,,"多行\r\n备注"',
  ].join('\r\n') + '\r\n';
  const file = (q) => ({ name: 'needs.csv', mimeType: 'text/csv', buffer: Buffer.from('\ufeff' + header + rows(q), 'utf8') });

  const page = await newPage({ viewport: { width: 375, height: 740 } });
  await login(page, 'station_a');
  await page.getByRole('link', { name: '需求', exact: true }).click();
  await page.getByRole('link', { name: '导入表格' }).click();
  await page.getByRole('heading', { name: '导入表格', level: 1 }).waitFor();
  await checkAxe(page, 'station import');
  await noHorizontalScroll(page, 'station import');

  await page.getByLabel('导入表格').setInputFiles(file('0'));
  await page.getByRole('alert').getByText(/第 3 行：quantity/).waitFor();
  assert.equal(await page.getByRole('alert').locator('li').count(), 1, 'one bad row');
  await checkAxe(page, 'station import with a bad row');
  await shot(page, 'station-import-bad-row');
  await noHorizontalScroll(page, 'station import with a bad row');
  await page.getByRole('button', { name: '保存' }).click();
  await page.waitForTimeout(300);
  assert.equal(await count(), before, 'nothing written while a row is bad');

  await page.getByLabel('导入表格').setInputFiles(file('7'));
  await page.getByText('可导入 3 行').waitFor();
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByText('已导入 3 行').waitFor();
  const needs = (await call('GET', `/v1/needs?requester_id=${ids.jin}&page_size=100`, undefined, dispatcher)).items;
  assert.equal(needs.length, before + 3);
  assert.ok(needs.some((n) => n.note === '降压药, 请先电话' && n.needed_by === '2027-01-15' && Number(n.quantity) === 7));
  assert.ok(needs.some((n) => n.urgency === 'critical' && Number(n.quantity) === 2));
  // The same sheet again creates nothing twice (a key per row, from its content).
  const replays = [];
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && r.url().endsWith('/v1/needs')) replays.push(r.headers()['idempotent-replayed']);
  });
  await page.getByRole('button', { name: '保存' }).click();
  await page.waitForFunction(() => document.querySelector('button[aria-busy]')?.getAttribute('aria-busy') !== 'true');
  for (let i = 0; i < 100 && replays.length < 3; i++) await page.waitForTimeout(50);
  assert.deepEqual(replays, ['true', 'true', 'true'], 'each row answered from its first import');
  await page.getByText('已导入 3 行').waitFor();
  assert.equal(await count(), before + 3);

  // Cells pasted from Excel (tab-separated), checked the same way.
  await page.getByLabel('从 Excel 粘贴').fill('requester_name\titem_code\tquantity\turgency\n金老伯\tNOPE\t1\tlow\n');
  await page.getByRole('button', { name: '检查' }).click();
  await page.getByRole('alert').getByText(/第 2 行：.*NOPE/).waitFor();

  // The requesters CSV of `aidlink import requesters`, from 住户 (station_id may be left out).
  await page.getByRole('link', { name: '住户', exact: true }).click();
  await page.getByRole('link', { name: '导入表格' }).click();
  const households = (size) => ({
    name: 'households.csv', mimeType: 'text/csv', buffer: Buffer.from([
      'kind,name,contact_name,phone,address,district,household_size,tags',
      'household,周奶奶,周奶奶,13800005555,江汉区花楼街1号,江汉区,1,elderly_alone;chronic_illness',
      `住户,吴爷爷,吴小明,13800006666,江汉区花楼街2号,江汉区,${size},独居老人`,
    ].join('\n') + '\n', 'utf8'),
  });
  await page.getByLabel('导入表格').setInputFiles(households('0'));
  await page.getByRole('alert').getByText(/第 3 行：household_size/).waitFor();
  await page.getByRole('button', { name: '保存' }).click();
  const found = async () => {
    let n = 0;
    for (const name of ['周奶奶', '吴爷爷']) n += (await call('GET', `/v1/requesters?station_id=${ids.stationA}&q=${encodeURIComponent(name)}`, undefined, dispatcher)).items.length;
    return n;
  };
  assert.equal(await found(), 0, 'no household written while a row is bad');
  await page.getByLabel('导入表格').setInputFiles(households('2'));
  await page.getByText('可导入 2 行').waitFor();
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByText('已导入 2 行').waitFor();
  assert.equal(await found(), 2);
  await page.context().close();
});

test('two stations register 金老伯: the second sees 很可能重复 but nothing of the first; the desk resolves 同一户 and reopens', async () => {
  assert.ok(ids.jin, "runs after the station's day registered 金老伯 at station A");
  // Station B registers him again, spelled otherwise.
  const b = await call('POST', '/v1/requesters', {
    station_id: ids.stationB, kind: 'household', name: '金老伯', contact_name: '金小华', phone: '+86 138 0000 1111',
    address: '江汉区幸福里3号楼2单元502室', district: '江汉区', household_size: 1, tags: ['elderly_alone'],
  }, dispatcher);
  assert.equal(b.duplicate.status, 'likely');
  const caseId = b.duplicate.case_id;

  // A city cap: 2 bags of rice per household per week; the household page shows what is left.
  await call('POST', '/v1/quotas', { item_id: ids.item, per: 'household', amount: 2, window: 'calendar_week', enforcement: 'hard' }, dispatcher);

  const station = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const sp = await station.newPage();
  await login(sp, 'station_b');
  await sp.goto(`${base}/station/households/${b.id}`);
  await sp.getByRole('heading', { name: '金老伯', level: 1 }).waitFor();
  await sp.getByRole('status').getByText(/很可能重复（依据：.*电话.*）：可能已在辖区其他站登记/).waitFor();
  const quotaRow = sp.getByRole('region', { name: '本期配额' }).getByRole('row', { name: /大米/ });
  await quotaRow.waitFor();
  assert.deepEqual((await quotaRow.getByRole('cell').allTextContents()).slice(0, 4), ['大米', '2', '0', '2']);
  await checkAxe(sp, 'household with a duplicate flag and a quota');
  await noHorizontalScroll(sp, 'household with a duplicate flag and a quota');
  await sp.getByRole('link', { name: `案件 ${caseId}` }).click();
  await sp.getByRole('heading', { name: `案件 ${caseId}`, level: 1 }).waitFor();
  await sp.getByRole('article', { name: /金老伯 · 武昌区中华路社工站/ }).waitFor();
  const seen = await sp.content();
  for (const other of ['江汉区民族街社工站', '幸福里3幢2单元502', '金老伯本人']) {
    assert.ok(!seen.includes(other), `station B must not see "${other}" of station A's registration`);
  }
  assert.equal(await sp.getByRole('article').count(), 1, 'a station sees only its own side');
  assert.equal(await sp.getByRole('button', { name: '处理' }).count(), 0, 'nor may it decide the case');
  await checkAxe(sp, 'duplicate case (station)');
  await noHorizontalScroll(sp, 'duplicate case (station)');
  await station.close();

  const desk = await newPage();
  await login(desk, 'desk');
  await desk.getByRole('link', { name: '疑似重复登记' }).click();
  await desk.getByRole('heading', { name: '疑似重复登记', level: 1 }).waitFor();
  await checkAxe(desk, 'duplicate cases');
  await desk.getByRole('link', { name: `案件 ${caseId}` }).click();
  await desk.getByRole('heading', { name: `案件 ${caseId}`, level: 1 }).waitFor();
  await desk.getByRole('article', { name: /金老伯 · 江汉区民族街社工站/ }).getByText('江汉区幸福里3幢2单元502').waitFor();
  assert.equal(await desk.getByRole('article').count(), 2, 'the desk sees both sides');
  await checkAxe(desk, 'duplicate case (desk)');
  await desk.getByLabel('结论').selectOption({ label: '同一户' });
  await desk.getByLabel('主登记').selectOption({ label: '金老伯 · 江汉区民族街社工站' });
  await desk.getByLabel('说明').fill('同一电话、同一地址，家属代为登记');
  await desk.getByRole('button', { name: '处理' }).click();
  await desk.getByRole('button', { name: '重新打开' }).waitFor();
  let c = await call('GET', `/v1/duplicates/${caseId}`, undefined, dispatcher);
  assert.equal(c.status, 'resolved');
  assert.equal(c.decision, 'same_household');
  assert.equal(Number(c.primary_id), Number(ids.jin));

  await desk.getByRole('button', { name: '重新打开' }).click();
  await desk.getByRole('dialog').getByRole('button', { name: '确认' }).click();
  await desk.getByRole('heading', { name: '处理', level: 2 }).waitFor();
  c = await call('GET', `/v1/duplicates/${caseId}`, undefined, dispatcher);
  assert.equal(c.status, 'open');
  await desk.context().close();
});
