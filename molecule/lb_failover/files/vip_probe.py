#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST FIXTURE of molecule/lb_failover, not part of the collection.

Client side of the failover measurement. Requests https://HOST:PORT/whoami every
--interval seconds, each attempt bounded by --attempt-timeout, and prints one JSON line.

Default mode: stop at the first answer (is the VIP serving?).
--count N: make N requests, each on a new connection, and list who answered each
(null for a failed one): shows how haproxy spreads them over the backends.
--outage mode, started just before a fault is injected on an lb node: wait for the
first failed request (the outage; at most --outage-wait seconds), then for the first
answer after it (at most --timeout seconds). The JSON carries Unix timestamps; all
containers share the host's clock, so verify subtracts the moment of the fault taken
on the lb node. No failed request within --outage-wait means the handover was faster
than one --interval: reported as outage false.
Exit status 1 when no answer came.
"""
from __future__ import annotations

import argparse
import http.client
import json
import ssl
import sys
import time


def attempt(host, port, timeout):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    try:
        conn.request("GET", "/whoami")
        response = conn.getresponse()
        body = response.read().decode().strip()
        return body if response.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--outage", action="store_true")
    parser.add_argument("--outage-wait", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--attempt-timeout", type=float, default=0.5)
    args = parser.parse_args()

    if args.count:
        backends = [attempt(args.host, args.port, args.attempt_timeout) for _ in range(args.count)]
        print(json.dumps({"backends": backends}))
        return 0 if all(backends) else 1

    result = {"started_at": time.time(), "outage": False, "failed_at": None, "failed_attempts": 0}
    if args.outage:
        deadline = time.time() + args.outage_wait
        while time.time() < deadline:
            if attempt(args.host, args.port, args.attempt_timeout) is None:
                result.update(outage=True, failed_at=time.time(), failed_attempts=1)
                break
            time.sleep(args.interval)
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        backend = attempt(args.host, args.port, args.attempt_timeout)
        if backend:
            result.update(answered=True, answered_at=time.time(), backend=backend)
            print(json.dumps(result))
            return 0
        result["failed_attempts"] += 1
        time.sleep(args.interval)
    result.update(answered=False)
    print(json.dumps(result))
    return 1


if __name__ == "__main__":
    sys.exit(main())
