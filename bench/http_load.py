"""A small HTTP/1.1 load generator for the collector benchmark: keep-alive connections on asyncio
with uvloop, requests serialized once per body, so the client costs as little of the machine's
two cores as it can (the collector and its client share them, as a load test on one box must).

Two modes: closed loop (each connection sends its next request when the last is answered: the
most the server sustains) and open loop at a fixed rate (requests start on a schedule whatever
the answers, and latency counts from the scheduled start, so a stall is not hidden)."""

import asyncio
import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvloop


@dataclass
class LoadResult:
    seconds: float
    statuses: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)  # the request numbers answered 200

    def ok(self) -> int:
        return self.statuses.get(200, 0)


def request_bytes(host: str, port: int, path: str, key: str, body: bytes) -> bytes:
    auth = base64.b64encode(f"{key}:".encode()).decode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Basic {auth}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


def closed_loop(
    host: str, port: int, make: Callable[[int], bytes], connections: int, seconds: float
) -> LoadResult:
    return uvloop.run(_closed_loop(host, port, make, connections, seconds))


async def _closed_loop(host, port, make, connections, seconds) -> LoadResult:
    result = LoadResult(seconds=seconds)
    counter = iter(range(10**12))
    deadline = time.perf_counter() + seconds

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        while time.perf_counter() < deadline:
            number = next(counter)
            started = time.perf_counter()
            status = await _exchange(reader, writer, make(number))
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.acknowledged.append(number)
        writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return result


def open_loop(host: str, port: int, make: Callable[[int], bytes], rate: float, seconds: float) -> LoadResult:
    return uvloop.run(_open_loop(host, port, make, rate, seconds))


async def _open_loop(host, port, make, rate, seconds) -> LoadResult:
    result = LoadResult(seconds=seconds)
    idle: asyncio.Queue = asyncio.Queue()
    for _ in range(64):
        idle.put_nowait(await asyncio.open_connection(host, port))
    start = time.perf_counter()
    total = int(rate * seconds)

    async def one(number: int, scheduled: float) -> None:
        reader, writer = await idle.get()
        status = await _exchange(reader, writer, make(number))
        result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status == 200:
            result.acknowledged.append(number)
        idle.put_nowait((reader, writer))

    tasks = []
    for number in range(total):
        scheduled = start + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number, scheduled)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait()[1].close()
    return result
