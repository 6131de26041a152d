"""The load client: N concurrent keep-alive HTTP/1.1 connections running a fixed list of requests.

It runs in the benchmark's own process, apart from the server's. It speaks just enough HTTP/1.1
over asyncio streams (on uvloop) to send pre-encoded requests and read Content-Length or chunked
answers: httpx, measured here against a trivial endpoint, managed a quarter of the rate wrk got
from the same server on these 2 cores, so it measured itself rather than the server. A run stops
at the request count or at a time cap, whichever comes first. A response counts as an error unless
it is 200 and, for GraphQL, carries no "errors" member.
"""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import uvloop

# (method, path, JSON body or None, query parameters or None)
Request = tuple[str, str, dict[str, Any] | None, dict[str, str] | None]


@dataclass
class Result:
    """One measured run against one endpoint."""

    name: str
    clients: int
    seconds: float = 0.0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    first_error: str | None = None

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Latency (seconds) at quantile q of the successful requests (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "clients": self.clients,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(0.50) * 1000, 2),
            "p99_ms": round(self.percentile(0.99) * 1000, 2),
        }


def encode(request: Request, host: str) -> bytes:
    """The bytes of one HTTP/1.1 keep-alive request."""
    method, path, body, params = request
    if params:
        path = f"{path}?{urlencode(params)}"
    payload = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    return (head + "\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, bytes(body)
            body += chunk[:-2]
    raise ValueError(f"response without a length: {head!r}")


def _failed(status: int, body: bytes, graphql: bool) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:300]!r}"
    if graphql and b'"errors"' in body:
        return body[:300].decode(errors="replace")
    return None


async def _run(
    base_url: str,
    name: str,
    make: Callable[[int], Request],
    *,
    clients: int,
    total: int,
    max_seconds: float,
    graphql: bool,
) -> Result:
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    payloads = [encode(make(i), f"{host}:{port}") for i in range(total)]
    result = Result(name=name, clients=clients)
    next_index = 0
    connections = [await asyncio.open_connection(host, port) for _ in range(clients)]
    started = time.perf_counter()
    deadline = started + max_seconds

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal next_index
        while next_index < total and time.perf_counter() < deadline:
            payload = payloads[next_index]
            next_index += 1
            t0 = time.perf_counter()
            writer.write(payload)
            status, body = await _read_response(reader)
            elapsed = time.perf_counter() - t0
            problem = _failed(status, body, graphql)
            if problem is None:
                result.latencies.append(elapsed)
            else:
                result.errors += 1
                result.first_error = result.first_error or problem

    try:
        await asyncio.gather(*(worker(r, w) for r, w in connections))
    finally:
        result.seconds = time.perf_counter() - started
        for _, writer in connections:
            writer.close()
    return result


def run(
    base_url: str,
    name: str,
    make: Callable[[int], Request],
    *,
    clients: int,
    total: int,
    max_seconds: float,
    graphql: bool,
) -> Result:
    """Send requests make(0) .. make(total - 1) over `clients` connections; time each one."""
    return uvloop.run(
        _run(
            base_url,
            name,
            make,
            clients=clients,
            total=total,
            max_seconds=max_seconds,
            graphql=graphql,
        )
    )
