#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/.

Seeds are small, meaningful inputs: real API requests (with the tokens that
tests/fuzz/http_world.h knows), a valid body of every request message, CSV
files like the README's import examples, and manifests with Chinese text.
Re-run after changing a target's input format; the files are committed.
"""
import os
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"

ADMIN, DISPATCHER, STATION, DONOR = "fuzz-admin", "fuzz-dispatcher", "fuzz-station", "fuzz-donor"


def write(target, name, data):
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


# --- protobuf binary, hand-encoded (no python protobuf on Debian by default) ---

def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_int(field, n):
    return varint(field << 3) + varint(n)


def pb_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return varint((field << 3) | 2) + varint(len(data)) + data


def pb_double(field, x):
    return varint((field << 3) | 1) + struct.pack("<d", x)


# --- fuzz_http: loopback byte, then raw HTTP/1.1 ---

def request(method, target, token=None, body=None, content_type="application/json",
            extra=(), keep_alive=True):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines.extend(extra)
    if not keep_alive:
        lines.append("Connection: close")
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else body.encode()
        lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


HTTP = {
    "healthz": request("GET", "/healthz"),
    "metrics_loopback": request("GET", "/metrics"),
    "metrics_remote_admin": request("GET", "/metrics", ADMIN),
    "token_create": request("POST", "/v1/tokens", ADMIN,
                            '{"role":"station","station_id":1,"label":"民权街社工站"}'),
    "item_create": request("POST", "/v1/items", DISPATCHER,
                           '{"code":"PPE-MASK","name":"医用外科口罩","category":"ppe","unit":"piece",'
                           '"pack_size":50,"perishable":false}'),
    "item_list": request("GET", "/v1/items?page_size=1&page_token=1", STATION),
    "item_get": request("GET", "/v1/items/2", DONOR),
    "donor_create": request("POST", "/v1/donors", DISPATCHER,
                            '{"name":"爱心超市","kind":"charity","phone":"","note":"每周一次"}'),
    "donor_get_own": request("GET", "/v1/donors/1", DONOR),
    "donor_list": request("GET", "/v1/donors", DISPATCHER),
    "depot_create": request("POST", "/v1/depots", DISPATCHER,
                            '{"name":"城西仓","address":"汉西路1号","district":"硚口区"}'),
    "depot_list": request("GET", "/v1/depots", STATION),
    "station_create": request("POST", "/v1/stations", ADMIN,
                              '{"name":"汉兴街社工站","district":"江汉区"}'),
    "station_create_protobuf": request(
        "POST", "/v1/stations", ADMIN,
        pb_bytes(2, "汉兴街社工站") + pb_bytes(3, "江汉区"),
        content_type="application/x-protobuf", extra=["Accept: application/x-protobuf"]),
    "requester_create": request(
        "POST", "/v1/requesters", STATION,
        '{"kind":"household","name":"李阿姨","contact_name":"李阿姨","phone":"13900139000",'
        '"address":"幸福里12幢503","district":"江汉区","household_size":2,"tags":["quarantined"]}'),
    "requester_list": request("GET", "/v1/requesters?station_id=1", STATION),
    "requester_get": request("GET", "/v1/requesters/1", DISPATCHER),
    "lot_create": request(
        "POST", "/v1/lots", DONOR,
        '{"item_id":2,"depot_id":1,"quantity":"120","expires_on":"2026-12-01",'
        '"earmark":{"districts":["江汉区"],"requester_kinds":["household"],'
        '"tags":["elderly_alone"],"station_ids":[1]},"note":"冷藏"}'),
    "lot_list": request("GET", "/v1/lots?item_id=1&depot_id=1&donor_id=1&expiring_before=2031-01-01",
                        DISPATCHER),
    "lot_get": request("GET", "/v1/lots/1", DONOR),
    "lot_write_off": request("POST", "/v1/lots/1:write_off", DISPATCHER,
                             '{"quantity":1,"reason":"包装破损"}'),
    "lots_expire": request("POST", "/v1/lots:expire", DISPATCHER, '{"as_of":"2031-01-01"}'),
    "lot_receipt_txt": request("GET", "/v1/lots/1/receipt?format=txt&lang=en", DONOR),
    "lot_receipt_html": request("GET", "/v1/lots/2/receipt?format=html", DISPATCHER),
    "need_create": request(
        "POST", "/v1/needs", STATION,
        '{"requester_id":1,"item_id":2,"quantity":10,"urgency":"high","needed_by":"2026-11-30",'
        '"note":"家中有孕妇"}', extra=["Idempotency-Key: need-1"]),
    "need_list": request("GET", "/v1/needs?status=open&station_id=1&item_id=1&requester_id=1",
                         STATION),
    "need_get": request("GET", "/v1/needs/1", STATION),
    "need_cancel": request("POST", "/v1/needs/4:cancel", DISPATCHER, '{"reason":"已自行购买"}'),
    "match_dry_run": request("POST", "/v1/match/runs", DISPATCHER,
                             '{"dry_run":true,"as_of":"2026-11-22","item_ids":[1,2],"min_shelf_days":3}'),
    "match_commit": request("POST", "/v1/match/runs", DISPATCHER, '{"dry_run":false}'),
    "match_get": request("GET", "/v1/match/runs/1", DISPATCHER),
    "route_create": request("POST", "/v1/routes", DISPATCHER,
                            '{"depot_id":1,"date":"2026-11-24","driver":"王师傅","district":"江岸区",'
                            '"max_stops":5}'),
    "route_get": request("GET", "/v1/routes/1", DISPATCHER),
    "route_dispatch": request("POST", "/v1/routes/1:dispatch", DISPATCHER, "{}"),
    "manifest_txt": request("GET", "/v1/routes/1/manifest?format=txt&lang=en", DISPATCHER),
    "manifest_csv": request("GET", "/v1/routes/1/manifest?format=csv", DISPATCHER),
    "manifest_html": request("GET", "/v1/routes/1/manifest", DISPATCHER),
    "delivery_list": request("GET", "/v1/deliveries?route_id=1&status=planned&requester_id=1",
                             STATION),
    "delivery_get": request("GET", "/v1/deliveries/1", DISPATCHER),
    "delivery_dispatch": request("POST", "/v1/deliveries/3:dispatch", DISPATCHER, ""),
    "delivery_deliver": request("POST", "/v1/deliveries/1:deliver", STATION,
                                '{"received_by":"金老伯本人","note":"","lines":[{"item_id":1,"quantity":1}]}'),
    "delivery_fail": request("POST", "/v1/deliveries/2:fail", DISPATCHER, '{"reason":"不在家"}'),
    "delivery_cancel": request("POST", "/v1/deliveries/3:cancel", DISPATCHER, '{"reason":"重复"}'),
    "donor_trace": request("GET", "/v1/donors/1/trace", DONOR),
    "ledger": request("GET", "/v1/reports/ledger", DISPATCHER),
    "requester_patch": request("PATCH", "/v1/requesters/1", STATION,
                               '{"phone":"139 0013 9001","lat":null,"lon":null,"tags":[]}',
                               extra=["If-Match: 1"]),
    "requester_deactivate": request("POST", "/v1/requesters/2:deactivate", DISPATCHER,
                                    '{"reason":"moved_away","note":"随子女迁居"}'),
    "requester_search": request("GET", "/v1/requesters?q=138%200000%201111&active=true&kind=household",
                                STATION),
    "need_patch": request("PATCH", "/v1/needs/1", STATION,
                          '{"quantity":3,"urgency":"critical","needed_by":null}'),
    "lot_patch": request("PATCH", "/v1/lots/1", DISPATCHER,
                         '{"quantity":"130","earmark":{"districts":["江岸区"]}}',
                         extra=['If-Match: W/"1"']),
    "item_patch": request("PATCH", "/v1/items/1", DISPATCHER, '{"name":"N95口罩","unit":"box"}'),
    "route_list": request("GET", "/v1/routes?date=2026-11-23&depot_id=1&status=planned",
                          DISPATCHER),
    "match_list": request("GET", "/v1/match/runs?page_size=1", DISPATCHER),
    "need_filters": request("GET", "/v1/needs?urgency=high&needed_before=2026-12-01", STATION),
    "unauthenticated": request("GET", "/v1/needs", None),
    "pipelined": request("GET", "/healthz") + request("GET", "/v1/needs/1", STATION)
                 + request("POST", "/v1/needs/1:cancel", STATION, '{"reason":"x"}', keep_alive=False),
    "chunked": (b"POST /v1/stations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer fuzz-admin\r\n"
                b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                b"10\r\n{\"name\":\"chunk\",\r\n13\r\n\"district\":\"hello\"}\r\n0\r\n\r\n"),
}
for i, (name, data) in enumerate(sorted(HTTP.items())):
    # Mostly not loopback; /metrics seeds say which they are.
    loopback = name == "metrics_loopback" or i % 4 == 0
    write("http", name, bytes([1 if loopback else 0]) + data)

# --- fuzz_codec: byte (index * 2 + binary), then the body ---

CODEC = [
    # (index, name, json, binary)
    (0, "token", '{"role":"donor","donor_id":"1","label":"九州通"}',
     pb_bytes(2, "donor") + pb_int(4, 1) + pb_bytes(5, "九州通")),
    (1, "item", '{"code":"MED-BP","name":"降压药","category":"medicine","unit":"box","pack_size":1,'
                '"perishable":false}',
     pb_bytes(2, "MED-BP") + pb_bytes(3, "降压药") + pb_bytes(4, "medicine") + pb_bytes(5, "box")
     + pb_int(6, 1) + pb_int(7, 1)),
    (2, "donor", '{"name":"九州通医药","kind":"enterprise","phone":"027-88880000","note":"首批"}',
     pb_bytes(2, "九州通医药") + pb_bytes(3, "enterprise")),
    (3, "depot", '{"name":"城东物资仓","address":"东湖路88号","district":"江汉区","lat":30.58,"lon":114.27}',
     pb_bytes(2, "城东物资仓") + pb_bytes(4, "江汉区") + pb_double(5, 30.58) + pb_double(6, 114.27)),
    (4, "station", '{"name":"民权街社工站","district":"江汉区"}',
     pb_bytes(2, "民权街社工站") + pb_bytes(3, "江汉区")),
    (5, "requester", '{"station_id":1,"kind":"household","name":"金老伯","contact_name":"金老伯",'
                     '"phone":"13800001111","address":"幸福里3幢201","district":"江汉区",'
                     '"household_size":1,"lat":null,"tags":["elderly_alone","chronic_illness"]}',
     pb_int(2, 1) + pb_bytes(3, "household") + pb_bytes(4, "金老伯") + pb_int(11, 1)
     + pb_bytes(12, "elderly_alone") + pb_bytes(12, "chronic_illness")),
    (6, "lot", '{"donor_id":1,"item_id":2,"depot_id":1,"quantity":300,"expires_on":"2030-12-31",'
               '"earmark":{"districts":["江汉区"],"station_ids":["1",2]},"note":""}',
     pb_int(2, 1) + pb_int(3, 2) + pb_int(4, 1) + pb_int(5, 300)
     + pb_bytes(7, pb_bytes(1, "江汉区") + pb_int(4, 1))),
    (7, "need", '{"requester_id":1,"item_id":1,"quantity":2,"urgency":"critical",'
                '"needed_by":"2026-11-26","note":"药只够吃四天\\n请先电话"}',
     pb_int(2, 1) + pb_int(3, 1) + pb_int(4, 2) + pb_bytes(5, "critical")),
    (8, "write_off", '{"quantity":5,"reason":"过期"}', pb_int(1, 5) + pb_bytes(2, "过期")),
    (9, "cancel", '{"reason":"已自行购买"}', pb_bytes(1, "已自行购买")),
    (10, "match_run", '{"dry_run":true,"as_of":"2026-11-22","item_ids":[1,"2"],"min_shelf_days":0}',
     pb_int(1, 1) + pb_bytes(2, "2026-11-22") + pb_int(3, 1) + pb_int(4, 0)),
    (11, "route", '{"depot_id":1,"date":"2026-11-23","driver":"志愿者小刘","district":"江汉区","max_stops":8}',
     pb_int(1, 1) + pb_bytes(2, "2026-11-23") + pb_bytes(3, "志愿者小刘") + pb_int(5, 8)),
    (12, "deliver", '{"received_by":"物业王经理","note":"","lines":[{"item_id":2,"quantity":60}]}',
     pb_bytes(1, "物业王经理") + pb_bytes(3, pb_int(1, 2) + pb_int(2, 60))),
    (13, "fail", '{"reason":"不在家"}', pb_bytes(1, "不在家")),
    (14, "expire", '{"as_of":"2026-12-01"}', pb_bytes(1, "2026-12-01")),
]
for index, name, js, binary in CODEC:
    write("codec", f"{index:02d}_{name}_json", bytes([index * 2]) + js.encode())
    write("codec", f"{index:02d}_{name}_binary", bytes([index * 2 + 1]) + binary)

# --- fuzz_csv: the file itself ---

REQ_HEADER = "station_id,kind,name,contact_name,phone,address,district,lat,lon,household_size,tags"
CSV = {
    "requesters_lf": REQ_HEADER + "\n"
    "1,household,金老伯,金小华,13800000000,\"和平区南京路1号, 3幢201\",和平区,39.12,117.2,1,"
    "elderly_alone;chronic_illness\n"
    "1,community,阳光社区,赵主任,027-88886666,阳光路7号,和平区,,,300,\n",
    "requesters_bom_crlf": "\ufeffstation_id,kind,name,contact_name,phone,address,district,household_size\r\n"
    "2,household,\"李\"\"阿姨\"\"\",李阿姨,13900139000,\"幸福里\r\n北门\",江岸区,2\r\n"
    "2,household,李阿姨,李阿姨,13900139000,幸福里12幢503,江岸区,0\r\n",
    "requesters_bad_rows": REQ_HEADER + "\n"
    "1,Household,王伯,王伯,1,地址,区,91,0,1,pregnant|LOW_INCOME\n"
    "1,household,王伯,王伯,1,地址,区,,,1,unknown_tag\n"
    "1,household,\"王伯\"x,王伯,1,地址,区,,,1,\n"
    "1,household,王伯,王伯,1,地址,区,,,1\n"
    "1,household,王伯,王伯,1,地址,区,,,1,\n"
    "1,household,王伯,王伯,1,地址,区,,,1,\n",
    "needs_by_id": "requester_id,item_id,quantity,urgency,needed_by,note\n"
    "1,1,2,critical,2026-11-26,药只够吃四天\n"
    "1,2,30,high,,\"封控小区，\n放门岗\"\n"
    "2,1,0,urgent,2026-02-30,\n",
    "needs_by_code": "requester_id,item_code,quantity,urgency,note\r\n"
    "1,MED-BP,2,critical,\r\n1,FOOD-EGG,10,low,每周\r\n1,NOPE,1,low,\r\n",
    "header_errors": "station_id,kind,name,name\n1,2,3,4\n",
    "unterminated": "requester_id,item_id,quantity,urgency\n1,1,1,\"low\n",
}
for name, text in CSV.items():
    write("csv", name, text)

# --- fuzz_print: the Builder's format (fuzz_print.cc) ---
# Text: a length byte, then characters (ASCII bytes as themselves, 0x80 + i
# for kPalette[i]). Number: a byte below 0xC0 is that number. Count: a byte.
# Choice: a byte below 0xE0 picks a known value.

PALETTE = ["金", "老", "伯", "幸", "福", "里", "幢", "号", "（", "）", "，", "：", "；", "　"]


def text(s):
    out = bytearray()
    for ch in s:
        if ord(ch) < 0x80:
            out.append(ord(ch))
        elif ch in PALETTE:
            out.append(0x80 + PALETTE.index(ch))
        else:
            out.append(ord("?"))
    return bytes([len(out)]) + bytes(out)


def num(n):
    assert 0 <= n < 0xC0
    return bytes([n])


def manifest(stops, picks, lang=0):
    out = bytes([lang]) + num(17) + text("Depot 1") + text("幸福里 88号") + text("2026-11-23") \
        + text("Wang") + bytes([len(picks)])
    for name, unit, pack, qty in picks:
        out += text(name) + bytes([unit]) + num(pack) + num(qty)
    out += bytes([len(stops)])
    for seq, name, tags, lines, note in stops:
        out += num(seq) + num(100 + seq) + text(name) + text(name) + text("13800138000") \
            + text("幸福里3幢201") + text("East") + bytes([len(tags)]) + bytes(tags) + bytes([len(lines)])
        for item, unit, req, allot in lines:
            out += text(item) + bytes([unit]) + num(req) + num(allot)
        out += text(note)
    return out


def receipt():
    out = num(7) + text("Donor") + text("Masks") + bytes([0]) + num(120) + text("2026-11-20") \
        + text("") + text("Depot") + text("East") + text("note <b>&\"'") + num(10) + num(50) \
        + num(60) + num(0) + bytes([2])
    out += text("East") + bytes([0]) + num(10) + num(5) + num(3) + num(1)
    out += text("West") + bytes([1]) + num(40) + num(0) + num(0) + num(0)
    return out


write("print", "three_stops_zh",
      manifest([(1, "金老伯", [1, 0], [("masks", 0, 50, 50), ("pills", 1, 2, 2)], "call first"),
                (2, "Li, \"Auntie\"", [4], [("eggs", 0, 30, 20)], "line one\nline two\r\nthree"),
                (3, "Committee <b>", [], [], "")],
               [("masks", 0, 10, 125), ("eggs", 0, 10, 30)]) + receipt())
write("print", "en_long_text",
      manifest([(1, "A" * 60, [0, 1, 2, 3], [("x" * 50, 3, 1, 1)], "word " * 50)],
               [("y" * 50, 2, 1, 7)], lang=1) + receipt())
write("print", "empty", b"")
