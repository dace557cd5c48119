// RFC 4180 reading with line numbers (the line where a record starts,
// the header being line 1), as client/csv.cc does: a BOM is dropped, CRLF
// or LF, quoted fields may hold the separator, quotes ("") and line breaks.
// `sep` is ',' for a CSV file and '\t' for cells pasted from Excel.
export function parseCsv(text, sep = ',') {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields = [];
    let problem = '';
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (!closed) problem = '引号未闭合';
        else if (i < n && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') {
          problem = '引号后有多余文字（字段内的引号须写成两个：""）';
          while (i < n && text[i] !== '\n') i++;
        }
      } else {
        while (i < n && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      }
      fields.push(field.replace(/\r\n?/g, '\n'));
      if (i < n && text[i] === sep) {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    // A blank line is no record.
    if (fields.length === 1 && fields[0].trim() === '' && !problem) continue;
    records.push({ line: start, fields, problem });
  }
  return records;
}
