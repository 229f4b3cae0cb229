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
            if vendor == "livekit":
                put("webhook_livekit_event", c["inputs"]["body"])
    # LiveKit event bodies outside the fast reader's subset, and the 1 KiB bench body.
    for body in (
        '{"event":"egress_ended","egressInfo":{"egressId":"EG_1","roomName":"r","status":3,"startedAt":"1767225600000000000","endedAt":1767225700000000000,"error":""},"id":"EV_2"}',
        '{"event":"track_published","participant":{"identity":"a","kind":"AGENT","disconnect_reason":2},"track":{"sid":"TR_1","type":1,"source":"SCREEN_SHARE","mime_type":"video/vp8","muted":null,"width":1280,"height":"720","layers":[{"quality":"HIGH","width":1280}]}}',
        '{"event":"ingress_started","ingressInfo":{"ingressId":"IN_1","state":{"status":"ENDPOINT_PUBLISHING","error":null},"room_name":"r","participantIdentity":"p"}}',
        '{"event":"agent_job_started","job":{"id":"AJ_1","type":"JT_ROOM"},"createdAt":1.767e9}',
        '{"ev\\u0065nt":"room_started","room":{"name":"caf\\u00e9\\n"}}',
        '{"event":"room_started","event":"room_finished"}',
        '{"createdAt":"+17","numDropped":-0,"room":["RM_1"]}',
        " \t\r\n{}\n",
        '{"participant":{"attributes":{"k":"1","k":"2"},"state":-1}}',
        "[" * 40 + "]" * 40,
        '{"x":' + "[" * 40 + "]" * 40 + "}",
    ):
        put("webhook_livekit_event", body)
    head = (
        '{"event":"participant_joined","room":{"sid":"RM_hycBMAjmt6Ub","name":"demo-room","emptyTimeout":300,'
        '"departureTimeout":20,"creationTime":"1767225598","creationTimeMs":"1767225598123","numParticipants":2},'
        '"participant":{"sid":"PA_8KgMpXq2Wn7c","identity":"alice","state":"ACTIVE","joinedAt":"1767225599",'
        '"joinedAtMs":"1767225599456","name":"Alice","version":2,"permission":{"canSubscribe":true,'
        '"canPublish":true,"canPublishData":true},"region":"us-east","attributes":{"role":"host","team":"blue"},'
        '"metadata":"'
    )
    tail = '"},"id":"EV_Jn4Rt8Wq2Lm0","createdAt":"1767225600"}'
    put("webhook_livekit_event", head + "m" * (1024 - len(head) - len(tail)) + tail)


if __name__ == "__main__":
    main()
