#!/usr/bin/env python3
"""Small, dependency-free probes for scripts/integration/run.sh.

Independent of mxprobe on purpose: these check the real servers themselves (DNS via a
hand-built RFC 1035 query, IMAP via imaplib with STARTTLS and EXAMINE so no flag
changes), and pull fields out of mxprobe's JSON so the shell script can assert on them.
Every network call has a timeout; every loop is bounded.
"""
import imaplib
import json
import os
import random
import socket
import ssl
import struct
import sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def _name(msg, off, depth=0):
    """Decode a (possibly compressed) domain name; returns (name, next offset)."""
    labels, jumped, end = [], False, off
    for _ in range(128):
        if off >= len(msg):
            raise ValueError("name runs past the message")
        n = msg[off]
        if n == 0:
            off += 1
            break
        if n & 0xC0 == 0xC0:
            if depth > 16:
                raise ValueError("compression loop")
            ptr = struct.unpack("!H", msg[off:off + 2])[0] & 0x3FFF
            if not jumped:
                end = off + 2
            sub, _ = _name(msg, ptr, depth + 1)
            labels.append(sub)
            jumped = True
            break
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    if not jumped:
        end = off
    return ".".join(l for l in labels if l), end


def dns(server, name, qtype):
    """dns SERVER NAME TYPE -> prints 'RCODE answer...' (one line)."""
    host, _, port = server.partition(":")
    qid = random.randrange(65536)
    q = struct.pack("!HHHHHH", qid, 0x0000, 1, 0, 0, 0)  # RD=0: ask the authority
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", TYPES[qtype], 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(q, (host, int(port or 53)))
    msg, _ = s.recvfrom(65535)
    rid, flags, qd, an, _, _ = struct.unpack("!HHHHHH", msg[:12])
    if rid != qid:
        raise SystemExit("dns: id mismatch")
    off = 12
    for _ in range(qd):
        _, off = _name(msg, off)
        off += 4
    out = []
    for _ in range(an):
        _, off = _name(msg, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        rd = msg[off:off + rdlen]
        if rtype == 1:
            out.append(socket.inet_ntoa(rd))
        elif rtype in (2, 5, 12):
            out.append(_name(msg, off)[0])
        elif rtype == 15:
            out.append("%d:%s" % (struct.unpack("!H", rd[:2])[0], _name(msg, off + 2)[0]))
        elif rtype == 16:
            parts, i = [], 0
            while i < len(rd):
                parts.append(rd[i + 1:i + 1 + rd[i]].decode("utf-8", "replace"))
                i += 1 + rd[i]
            out.append("".join(parts))
        off += rdlen
    print(" ".join([RCODES.get(flags & 0xF, str(flags & 0xF))] + out))


def _imap(server, user, password, tls=True):
    """IMAP with STARTTLS, verified against $IT_CA (the run's CA) when set."""
    host, _, port = server.partition(":")
    c = imaplib.IMAP4(host, int(port or 143), timeout=5)
    if tls:
        c.starttls(ssl_context=ssl.create_default_context(cafile=os.environ.get("IT_CA") or None))
    c.login(user, password)
    return c


def imap_plain(server, user, password):
    """imap-plain SERVER USER PASS -> exit 0 only if LOGIN without TLS succeeds."""
    _imap(server, user, password, tls=False).logout()
    print("plaintext login accepted")


def imap_folders(server, user, password):
    """imap-folders SERVER USER PASS -> JSON {folder: {"flags": [...], "count": n}}."""
    c = _imap(server, user, password)
    res = {}
    typ, lines = c.list()
    for line in (lines or [])[:200]:
        line = line.decode()
        flags = line[line.index("(") + 1:line.index(")")].split()
        name = line.rsplit(" ", 1)[1].strip('"')
        typ, data = c.select('"%s"' % name, readonly=True)  # EXAMINE
        res[name] = {"flags": flags, "count": int(data[0]) if typ == "OK" else -1}
    c.logout()
    print(json.dumps(res, sort_keys=True))


def imap_find(server, user, password, needle):
    """imap-find SERVER USER PASS NEEDLE -> the folders whose headers contain NEEDLE."""
    c = _imap(server, user, password)
    found = []
    typ, lines = c.list()
    for line in (lines or [])[:200]:
        name = line.decode().rsplit(" ", 1)[1].strip('"')
        c.select('"%s"' % name, readonly=True)
        typ, data = c.search(None, "TEXT", '"%s"' % needle)
        if typ == "OK" and data and data[0].split():
            found.append(name)
    c.logout()
    print(" ".join(found))


def findings(path):
    """findings FILE -> 'verdict=V ids=a,b,c' for every JSON object (NDJSON-tolerant)."""
    with open(path, encoding="utf-8") as f:
        text = f.read(16 << 20)
    dec, i, n = json.JSONDecoder(), 0, 0
    while i < len(text) and n < 10000:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        obj, i = dec.raw_decode(text, i)
        n += 1
        ids = sorted({f.get("id", "") for f in obj.get("findings") or []})
        print("verdict=%s ids=%s" % (obj.get("verdict", ""), ",".join(ids)))


def jget(path, *keys):
    """jget FILE KEY... -> the value at that path (dotted or separate keys), JSON-encoded."""
    with open(path, encoding="utf-8") as f:
        v = json.load(f)
    for k in keys:
        for part in k.split("."):
            if isinstance(v, list):
                v = v[int(part)]
            elif isinstance(v, dict):
                v = v.get(part)
            else:
                v = None
    print(v if isinstance(v, str) else json.dumps(v))


def states(path):
    """states FILE -> 'TOKEN STATE[/CONFIDENCE] ROLE' per probe of a confirm/show/list JSON."""
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    probes = d.get("probes") or ([d["verdict"]] if isinstance(d.get("verdict"), dict) else [])
    for p in probes[:1000]:
        st = p.get("state", "?")
        if p.get("confidence"):
            st += "/" + p["confidence"]
        print(p.get("token", "?"), st, p.get("role", "?"))


def deliveries(path):
    """deliveries FILE -> 'TO STATUS CODE ENHANCED RELAY_IP TOKEN' per logscan NDJSON delivery."""
    with open(path, encoding="utf-8") as f:
        for line in f.readlines()[:100000]:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("type") == "delivery":
                print(r.get("to"), r.get("status"), r.get("code"), r.get("enhanced"),
                      r.get("relay_ip") or "-", r.get("probe_token") or "-")
            elif r.get("type") == "summary":
                print("summary", json.dumps(r.get("totals"), sort_keys=True),
                      json.dumps(r.get("probe_states") or {}, sort_keys=True))


if __name__ == "__main__":
    cmds = {"dns": dns, "imap-folders": imap_folders, "imap-find": imap_find, "imap-plain": imap_plain,
            "findings": findings, "jget": jget, "states": states, "deliveries": deliveries}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        raise SystemExit("usage: ithelper.py %s ..." % "|".join(cmds))
    cmds[sys.argv[1]](*sys.argv[2:])
