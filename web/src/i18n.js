// The message catalog: zh-CN is the default and the key; en translates it.
const en = {
  '用户名': 'Username', '密码': 'Password', '登录': 'Log in', '退出': 'Log out',
  '用户名或密码错误': 'Wrong username or password', '登录过于频繁，请稍后再试': 'Too many attempts, try again later',
  '住户': 'Households', '需求': 'Needs', '配送': 'Deliveries', '库存': 'Stock', '匹配': 'Matching',
  '路线': 'Routes', '报表': 'Reports', '我的捐赠': 'My donations', '管理': 'Admin',
  '搜索': 'Search', '新增住户': 'New household', '名称': 'Name', '类型': 'Type', '联系人': 'Contact',
  '电话': 'Phone', '地址': 'Address', '区': 'District', '人数': 'People', '标签': 'Tags', '保存': 'Save',
  '编辑': 'Edit', '停用': 'Deactivate', '新增需求': 'New need', '物资': 'Item', '数量': 'Quantity',
  '紧急程度': 'Urgency', '需要日期': 'Needed by', '备注': 'Note', '状态': 'Status', '确认签收': 'Confirm receipt',
  '签收人': 'Received by', '确认': 'Confirm', '取消': 'Cancel', '试算': 'Dry run', '确认分配': 'Commit allocation',
  '新建路线': 'New route', '打印': 'Print', '发车': 'Dispatch', '送达': 'Delivered', '部分送达': 'Partly delivered',
  '未送达': 'Not delivered', '原因': 'Reason', '日期': 'Date', '仓库': 'Depot', '司机': 'Driver',
  '登记捐赠': 'Log a donation', '有效期': 'Expires on', '去向': 'Where it went', '打印收据': 'Print receipt',
  '站点': 'Stations', '用户': 'Users', '令牌': 'Tokens', '新增用户': 'New user', '新增站点': 'New station',
  '新增令牌': 'New token', '角色': 'Role', '显示名': 'Display name', '所属站点': 'Station', '所属捐赠方': 'Donor',
  '下一页': 'Next page', '第一页': 'First page', '加载中…': 'Loading…', '没有记录': 'Nothing here',
  '未找到': 'Not found', '网络已断开，恢复后将自动重试': 'Offline: will retry when the connection returns',
  '已保存': 'Saved', '提交中…': 'Saving…', '操作失败': 'Failed', '返回': 'Back', '需求与配送': 'Needs and deliveries',
  '已停用': 'Deactivated', '停用原因': 'Reason for deactivating', '统计': 'Stats', '未满足的需求': 'Unmet needs',
  '考虑的需求': 'Needs considered', '考虑的批次': 'Lots considered', '分配数量': 'Units allocated',
  '全部满足': 'Needs filled', '部分满足': 'Needs partly filled', '未满足': 'Needs unmet',
  '确认分配这些物资？': 'Commit this allocation?', '站点序号': 'Stop', '收件人': 'Recipient', '物品': 'Items',
  '可用': 'Available', '已分配': 'Allocated', '已送达': 'Delivered', '批次': 'Lot', '捐赠方': 'Donor',
  '账目核对': 'Ledger check', '账目一致': 'The ledger balances', '账目不一致': 'The ledger does not balance',
  '7 天内过期': 'Expiring within 7 days', '时间线': 'Timeline', '已登记': 'Logged', '配送中': 'Out for delivery',
  '按区和类型': 'By district and kind', '令牌（只显示一次）': 'Token (shown once)', '标记': 'Label',
  '全部': 'All', '需求编号': 'Need', '路线编号': 'Route', '站点数': 'Stops', '完成': 'Done',
  '登录 aidlink': 'Log in to aidlink', '跳到正文': 'Skip to content', '签收': 'Receipt', '筛选': 'Filter',
  '服务器拒绝了请求': 'The server refused the request', '数据已被他人修改，请刷新后重试': 'Changed by someone else; reload and try again',
  '不能执行此操作': 'This cannot be done now', '输入有误': 'Check the input', '无权限': 'Not allowed',
  '服务器错误': 'Server error',
  // stock received (issue 12)
  '确认入库': 'Confirm received', '实收数量': 'Quantity received', '认捐数量': 'Quantity pledged',
  '待入库': 'Pledged', '已入库': 'Received', '捐赠方认捐': 'Pledges from donors', '仓库中的批次': 'Lots in depots',
  // volunteers (issue 12)
  '我的路线': 'My routes', '志愿者': 'Volunteer',
  // import
  '导入表格': 'Import a spreadsheet', '导入表格（CSV 文件）': 'Import a spreadsheet (CSV file)',
  '从 Excel 粘贴': 'Paste from Excel', '检查': 'Check',
  '可导入 {n} 行': '{n} rows ready to import', '已导入 {n} 行': 'Imported {n} rows',
  '{n} 行有误，未写入任何数据': '{n} bad rows: nothing was written', '请先选择文件': 'Choose a file first',
  '第 {line} 行：{msg}': 'Line {line}: {msg}', '服务器：{msg}': 'server: {msg}',
  '文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8”': 'The file is not UTF-8: in Excel save it as "CSV UTF-8"',
  '表格没有数据行': 'The sheet has no data rows', '缺少列：{cols}': 'Missing columns: {cols}',
  '未知的列：{cols}': 'Unknown columns: {cols}', '重复的列：{cols}': 'Repeated columns: {cols}',
  '{col} 必填': '{col} is required', '{col} 须为 {min} 到 {max} 的整数（现为“{got}”）': '{col} must be a whole number from {min} to {max} (got "{got}")',
  '{col} 须为以下之一：{list}（现为“{got}”）': '{col} must be one of {list} (got "{got}")',
  '{col} 须为真实日期，格式 YYYY-MM-DD（现为“{got}”）': '{col} must be a real date written YYYY-MM-DD (got "{got}")',
  '{col} 超过 {max} 字': '{col} is longer than {max} characters', '未知的物资编码“{got}”': 'unknown item_code "{got}"',
  '没有登记名为“{name}”的住户': 'no requester "{name}" is registered',
  '没有登记名为“{name}”、电话为“{phone}”的住户': 'no requester "{name}" with phone "{phone}" is registered',
  '有 {n} 个名为“{name}”的住户（编号 {ids}），请填写 requester_id 或 requester_phone': 'ambiguous: {n} requesters "{name}" (ids {ids}); give requester_id or requester_phone',
  '引号未闭合': 'unterminated quoted field',
  '{col} 须为 {min} 到 {max} 的数（现为“{got}”）': '{col} must be a number from {min} to {max} (got "{got}")',
  'lat 与 lon 须同时填写或同时留空': 'lat and lon go together: give both or neither', '未知的标签“{got}”': 'unknown tag "{got}"',
  '引号后有多余文字（字段内的引号须写成两个：""）': 'unexpected text after a closing quote (a quote inside a quoted field must be doubled: "")',
  '有 {n} 个字段，表头有 {m} 个': 'has {n} fields, the header has {m}',
  // duplicates (issue 13)
  '疑似重复登记': 'Possible duplicates', '待处理': 'Open', '已处理': 'Resolved', '案件 {id}': 'Case {id}',
  '{likelihood}（依据：{basis}）：可能已在辖区其他站登记': '{likelihood} (basis: {basis}): may already be registered at another station',
  '可能已在辖区其他站登记': 'May already be registered at another station',
  '很可能重复': 'Likely duplicate', '可能重复': 'Possible duplicate', '姓名': 'Name',
  '同一户': 'Same household', '不同住户': 'Different households', '结论': 'Decision', '主登记': 'Primary registration',
  '说明': 'Reason', '处理': 'Resolve', '重新打开': 'Reopen', '可能性': 'Likelihood', '依据': 'Basis',
  '登记时间': 'Registered', '没有需求': 'No needs', '重复登记已取消': 'cancelled as a duplicate',
  '暂停分配至': 'Held until', '重新打开这个案件？已取消的需求将恢复。': 'Reopen this case? The needs it cancelled are restored.',
  '本期配额': 'Quotas this period', '上限': 'Cap', '已用': 'Used', '剩余': 'Left', '截止': 'Window ends',
  '软上限': 'soft cap', '防护用品': 'PPE', '食品': 'Food', '药品': 'Medicine', '卫生用品': 'Hygiene',
  '器材': 'Equipment',
  // vocabulary
  '小区': 'Community', '机构': 'Institution', '一线岗点': 'Frontline post', '住户类型': 'Household',
  '独居老人': 'Elderly, alone', '慢性病': 'Chronic illness', '残疾': 'Disability', '困境儿童': 'Child in difficulty', '留守儿童': 'Left-behind child',
  '隔离中': 'Quarantined', '孕妇': 'Pregnant', '低收入': 'Low income', '一线人员': 'Frontline worker',
  '紧急': 'Critical', '高': 'High', '普通': 'Normal', '低': 'Low',
  '待分配': 'Open', '部分分配': 'Partly allocated', '已取消': 'Cancelled', '待发车': 'Planned', '已发车': 'Dispatched', '已完成': 'Completed',
  '无库存': 'No stock', '本区域无库存': 'No stock in the area', '定向捐赠不适用': 'Excluded by earmark',
  '仅有临期库存': 'Only expiring stock', '更紧急的需求已用完库存': 'Used up by more urgent needs',
  '疑似重复': 'Held as possible duplicate', '已达配额': 'Quota reached',
  '已搬离': 'Moved away', '已故': 'Deceased', '重复登记': 'Duplicate registration', '其他': 'Other',
  '管理员': 'Admin', '调度员': 'Dispatcher', '社工站': 'Station', '捐赠方角色': 'Donor',
  '个': 'piece', '箱': 'box', '公斤': 'kg', '斤': 'jin', '份': 'portion', '瓶': 'bottle', '套': 'set', '副': 'pair',
};

let lang = localStorage.getItem('aidlink_lang') === 'en' ? 'en' : 'zh-CN';
const listeners = new Set();

// Keys whose Chinese text differs from the key (one word, two meanings).
const zh = { '住户类型': '住户', '捐赠方角色': '捐赠方' };

export function t(key) {
  return lang === 'en' ? en[key] || key : zh[key] || key;
}
// A message with {name} placeholders filled in.
export function tf(key, params) {
  return t(key).replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}
export function currentLang() {
  return lang;
}
export function setLang(l) {
  lang = l;
  localStorage.setItem('aidlink_lang', l);
  document.documentElement.lang = l;
  listeners.forEach((f) => f(l));
}
export function onLang(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}
export function fmtNumber(n) {
  return new Intl.NumberFormat(lang).format(n);
}
export function fmtDate(s) {
  if (!s) return '';
  const d = new Date(s.length === 10 ? s + 'T00:00:00' : s);
  if (isNaN(d)) return s;
  const opts = s.length === 10 ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' };
  return new Intl.DateTimeFormat(lang, opts).format(d);
}

// API vocabulary → its Chinese label (the catalog key).
export const KINDS = { household: '住户类型', community: '小区', institution: '机构', frontline_post: '一线岗点' };
export const TAGS = {
  elderly_alone: '独居老人', chronic_illness: '慢性病', disability: '残疾', child_in_difficulty: '困境儿童',
  quarantined: '隔离中', pregnant: '孕妇', low_income: '低收入', frontline_worker: '一线人员',
  left_behind_child: '留守儿童',
};
export const URGENCIES = { critical: '紧急', high: '高', normal: '普通', low: '低' };
export const NEED_STATUS = { open: '待分配', partial: '部分分配', allocated: '已分配', fulfilled: '已送达', cancelled: '已取消' };
export const DELIVERY_STATUS = { planned: '待发车', dispatched: '配送中', delivered: '已送达', failed: '未送达', cancelled: '已取消' };
export const ROUTE_STATUS = { planned: '待发车', dispatched: '已发车', completed: '已完成' };
export const UNMET = {
  no_stock: '无库存', out_of_area: '本区域无库存', excluded_by_earmark: '定向捐赠不适用',
  only_expiring_stock: '仅有临期库存', tier_exhausted: '更紧急的需求已用完库存',
  held_as_possible_duplicate: '疑似重复', quota_reached: '已达配额',
};
export const CATEGORIES = { ppe: '防护用品', food: '食品', medicine: '药品', hygiene: '卫生用品', equipment: '器材', other: '其他' };
export const DUPLICATE_LIKELIHOOD = { likely: '很可能重复', possible: '可能重复' };
export const DUPLICATE_BASIS = { phone: '电话', address: '地址', name: '姓名' };
export const DUPLICATE_DECISION = { same_household: '同一户', different_households: '不同住户' };
export const DEACTIVATION = { moved_away: '已搬离', deceased: '已故', duplicate: '重复登记', other: '其他' };
export const ROLES = { admin: '管理员', dispatcher: '调度员', station: '社工站', donor: '捐赠方角色', volunteer: '志愿者' };
export const LOT_STATUS = { pledged: '待入库', received: '已入库' };
export const UNITS = { piece: '个', box: '箱', kg: '公斤', jin: '斤', portion: '份', bottle: '瓶', set: '套', pair: '副' };
