#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aiinfra.k8s contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST FIXTURE of molecule/lb_failover, not part of the collection.

Stands in for kube-apiserver on a "master" container: HTTPS (self-signed certificate
made in prepare) on :6443, `GET /healthz` answers 200 "ok" like the API server (what
haproxy's health check asks), `GET /whoami` answers this backend's name so the client
can see which backend its request reached through the VIP.
"""
from __future__ import annotations

import argparse
import http.server
import ssl


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", required=True)
    parser.add_argument("--port", type=int, default=6443)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):  # noqa: N802 - http.server's naming
            body = {"/healthz": "ok", "/whoami": args.name}.get(self.path)
            status = 200 if body is not None else 404
            data = (body or "not found").encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Backend", args.name)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_):  # health checks every 2 s: keep the journal quiet
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server = http.server.ThreadingHTTPServer(("0.0.0.0", args.port), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
