#!/usr/bin/env python3
"""A local stand-in for DeepL's /v2/translate, for the throughput benchmark.

Answers every request after a fixed latency and enforces a concurrency limit: a
request beyond the limit gets 429, as a rate-limited service would. Standard library
only, loopback only. Prints its statistics as JSON on SIGTERM/SIGINT or at /stats.

usage: mock_deepl.py PORT LATENCY_MS MAX_CONCURRENCY
"""
import asyncio
import json
import signal
import sys

PORT, LATENCY, LIMIT = int(sys.argv[1]), int(sys.argv[2]) / 1000.0, int(sys.argv[3])
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
                    out = [{"detected_source_language": "VI", "text": "EN " + t} for t in texts]
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
