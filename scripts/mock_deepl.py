#!/usr/bin/env python3
"""A local stand-in for DeepL's /v2/translate, for the throughput benchmark.

Answers every request after a fixed latency and enforces a concurrency limit: a
request beyond the limit gets 429, as a rate-limited service would. Standard library
only, loopback only. Prints its statistics as JSON on SIGTERM/SIGINT or at /stats.

Without a corpus every text comes back as "EN " + text (not a translation: run dich
with `[qa] enabled = false`). With CORPUS.json (written by gen_qa_articles.py) a text
` (bài số K)`-marked from the corpus comes back as its real translation with the
marker in the target language's form, so the QA gate passes it; any other text comes
back as "EN " + text.

usage: mock_deepl.py PORT LATENCY_MS MAX_CONCURRENCY [CORPUS.json]
"""
import asyncio
import json
import re
import signal
import sys

PORT, LATENCY, LIMIT = int(sys.argv[1]), int(sys.argv[2]) / 1000.0, int(sys.argv[3])
CORPUS = json.load(open(sys.argv[4], encoding="utf-8")) if len(sys.argv) > 4 else {}
MARKER = re.compile(r" \(bài số (\d+)\)(?=[.。!?！？]*$)")
FORMS = {"en": " (item {})", "ko": " ({}번)", "zh": "（第{}条）"}
stats = {"requests": 0, "rejected": 0, "texts": 0, "peak_concurrency": 0,
         "characters": 0, "unique_characters": 0}
# (target language, text) pairs answered so far: characters billed beyond the unique
# ones were paid twice (the shared-memory benchmark, scripts/bench-postgres.sh).
seen = set()
active = 0


def response(status, body, extra=""):
    data = json.dumps(body).encode()
    head = (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n{extra}\r\n")
    return head.encode() + data


def answer(text, target_lang):
    """The corpus translation of `text` with its marker, else "EN " + text."""
    lang = target_lang.lower().split("-")[0]
    found = MARKER.search(text)
    if found and lang in FORMS:
        base = text[:found.start()] + text[found.end():]
        translation = CORPUS.get(base, {}).get(lang)
        if translation:
            end = len(translation)
            while end > 0 and translation[end - 1] in ".。!?！？":
                end -= 1
            mark = FORMS[lang].format(found.group(1))
            return translation[:end] + mark + translation[end:]
    return "EN " + text


async def handle(reader, writer):
    global active
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            body = await reader.readexactly(length) if length else b""
            if path.startswith("/stats"):
                writer.write(response("200 OK", stats))
            elif path.startswith("/v3/languages"):
                langs = [{"lang": l, "usable_as_source": True, "usable_as_target": True,
                          "features": {}} for l in ["vi", "en", "ko", "zh-Hans"]]
                writer.write(response("200 OK", langs))
            elif active >= LIMIT:
                stats["rejected"] += 1
                writer.write(response("429 Too Many Requests", {"message": "Too many requests"}))
            else:
                active += 1
                stats["peak_concurrency"] = max(stats["peak_concurrency"], active)
                try:
                    await asyncio.sleep(LATENCY)
                    request = json.loads(body or b"{}")
                    texts = request.get("text", [])
                    stats["requests"] += 1
                    stats["texts"] += len(texts)
                    for t in texts:
                        stats["characters"] += len(t)
                        if (request.get("target_lang"), t) not in seen:
                            seen.add((request.get("target_lang"), t))
                            stats["unique_characters"] += len(t)
                    target = request.get("target_lang", "EN")
                    out = [{"detected_source_language": "VI", "text": answer(t, target)}
                           for t in texts]
                    writer.write(response("200 OK", {"translations": out}))
                finally:
                    active -= 1
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", PORT)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    print(json.dumps(stats), flush=True)


asyncio.run(main())
