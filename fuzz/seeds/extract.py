#!/usr/bin/env python3
"""Writes fuzz seeds from the shared vectors (tests/vectors/ copies): every token string, filed
by target. File names are the first 16 hex digits of the SHA-1 of the content (libFuzzer-style).

Run from fuzz/: python3 seeds/extract.py
"""
import base64, hashlib, json, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors"
OUT = pathlib.Path(__file__).resolve().parent


def tokens(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "token" and isinstance(v, str):
                yield v
            else:
                yield from tokens(v)
    elif isinstance(x, list):
        for v in x:
            yield from tokens(v)


def zego_mode(tok):
    try:
        b = base64.b64decode(tok[2:], validate=True)
    except Exception:
        return None
    if len(b) < 10:
        return None
    ivlen = int.from_bytes(b[8:10], "big")
    rest = b[10 + ivlen:]
    if len(rest) < 2:
        return None
    ctlen = int.from_bytes(rest[:2], "big")
    tail = rest[2 + ctlen:]
    return "gcm" if tail == b"\x01" else "cbc"


def put(target, data):
    d = OUT / target
    d.mkdir(exist_ok=True)
    raw = data.encode()
    (d / hashlib.sha1(raw).hexdigest()[:16]).write_bytes(raw)


def main():
    for path in sorted(ROOT.rglob("*.json")):
        for t in tokens(json.load(open(path, encoding="utf-8"))):
            put("decode_any", t)
            if t.startswith("007"):
                put("agora_007", t)
            elif t.startswith("006"):
                put("agora_006", t)
            elif t.startswith("04") or path.parent.name == "zego":
                mode = zego_mode(t) if t.startswith("04") else None
                for m in ([mode] if mode else ["cbc", "gcm"]):
                    put("zego_" + m, t)
    # Mint material for the zego targets: `user_id NUL payload`.
    for m in ("cbc", "gcm"):
        put("zego_" + m, "user1\0")
        put("zego_" + m, 'user1\0{"room_id":"room1","privilege":{"1":1,"2":0},"stream_id_list":null}')
        put("zego_" + m, '用户\0{"room_id":"\\u623f","privilege":{"1":1,"2":1},"stream_id_list":["s1"]}')
    # Webhook deliveries: `header value \n body` (the header each vendor's verifier is fed).
    header_of = {"livekit": "authorization", "agora": "agora-signature-v2", "zego": "content-type"}
    for path in sorted((ROOT / "webhooks").glob("*.json")):
        vendor = path.name.split("_")[0]
        for c in json.load(open(path, encoding="utf-8"))["cases"]:
            hs = {k.lower(): v for k, v in c["inputs"]["headers"].items()}
            put("webhook", hs.get(header_of[vendor], "") + "\n" + c["inputs"]["body"])


if __name__ == "__main__":
    main()
