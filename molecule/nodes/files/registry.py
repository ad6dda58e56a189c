#!/usr/bin/env python3
"""A read-only registry mirror serving one image from a docker-archive, standard library only.

    registry.py ARCHIVE PORT LOG

Serves the OCI Distribution API paths containerd uses for pulls (/v2/, manifests by tag
or digest, blobs) for any repository name, answering with the archive's image as an OCI
manifest with uncompressed layers. Every request line goes to LOG, so a test can see
that containerd came here (and with which ?ns= upstream registry).
"""
import hashlib
import http.server
import json
import sys
import tarfile


def load(archive):
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))[0]
        config = tar.extractfile(manifest["Config"]).read()
        layers = [tar.extractfile(name).read() for name in manifest["Layers"]]
    blobs = {}

    def add(data, media_type):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    oci = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": add(config, "application/vnd.oci.image.config.v1+json"),
        "layers": [add(layer, "application/vnd.oci.image.layer.v1.tar") for layer in layers],
    }
    body = json.dumps(oci).encode()
    return body, "sha256:" + hashlib.sha256(body).hexdigest(), blobs


class Handler(http.server.BaseHTTPRequestHandler):
    manifest = digest = blobs = log = None

    def answer(self, status, body=b"", content_type="application/json", digest=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def do_GET(self):
        with open(self.log, "a") as log:
            log.write("%s %s\n" % (self.command, self.path))
        path = self.path.split("?", 1)[0]
        if path in ("/v2", "/v2/"):
            return self.answer(200, b"{}")
        if "/manifests/" in path:
            return self.answer(200, self.manifest, "application/vnd.oci.image.manifest.v1+json", self.digest)
        if "/blobs/" in path:
            digest = path.rsplit("/", 1)[1]
            if digest in self.blobs:
                return self.answer(200, self.blobs[digest], "application/octet-stream", digest)
        return self.answer(404, b'{"errors":[{"code":"NOT_FOUND"}]}')

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


def main():
    archive, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    Handler.manifest, Handler.digest, Handler.blobs = load(archive)
    Handler.log = log
    http.server.ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
