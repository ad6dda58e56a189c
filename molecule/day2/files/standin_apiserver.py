#!/usr/bin/env python3
"""Stand-in kube-apiserver for the day2 Molecule scenario (a test fixture, not part of
the collection): answers the few GETs the day-2 playbooks make before they change
anything, with what a real v1.35.6 cluster answered (tests/unit/fixtures/day2/), node
names mapped to the scenario's hosts. Every other request is refused and logged, so
verify can prove the guards wrote nothing."""
import argparse
import json
import os
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def load(args, name):
    with open(os.path.join(args.fixtures, name)) as handle:
        text = handle.read()
    for old, new in args.rename.items():
        text = text.replace('"%s"' % old, '"%s"' % new).replace("-%s\"" % old, "-%s\"" % new)
    data = json.loads(text)
    if "items" in data:
        data["items"] = [i for i in data["items"]
                         if i.get("metadata", {}).get("name") not in args.drop
                         and i.get("spec", {}).get("nodeName") not in args.drop]
    return data


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        args = self.server.args
        if url.path in ("/healthz", "/readyz", "/livez"):
            return self.reply(200, "ok")
        if url.path == "/api/v1/nodes":
            return self.reply(200, load(args, "nodes.json"))
        if url.path == "/api/v1/namespaces/kube-system/pods" and query.get("labelSelector") == ["component=kube-apiserver"]:
            return self.reply(200, load(args, "apiserver-pods.json"))
        return self.refuse()

    def refuse(self):
        with open(self.server.args.log, "a") as handle:
            handle.write("%s %s\n" % (self.command, self.path))
        return self.reply(405 if self.command != "GET" else 404,
                          {"kind": "Status", "status": "Failure", "message": "stand-in: not served", "code": 405})

    do_POST = do_PATCH = do_PUT = do_DELETE = refuse

    def log_message(self, fmt, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=6443)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--rename", default="", help="old=new,... node names")
    parser.add_argument("--drop", default="", help="node names (after renaming) the cluster does not have")
    parser.add_argument("--log", default="/var/log/standin-apiserver.log")
    args = parser.parse_args()
    args.rename = dict(pair.split("=", 1) for pair in args.rename.split(",") if pair)
    args.drop = set(x for x in args.drop.split(",") if x)
    server = ThreadingHTTPServer(("0.0.0.0", args.port), Handler)
    server.args = args
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
