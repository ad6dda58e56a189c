#!/usr/bin/env python3
"""Pull an image through containerd's CRI API (what kubelet does), standard library only.

    cri_pull.py IMAGE [SOCKET]

The nodes have no crictl (no registry or GitHub release is reachable from the test
machines), so this speaks the one gRPC call it needs, runtime.v1.ImageService/PullImage,
over HTTP/2 on the containerd socket. Exit 0 and print the image id when containerd
answered with one; exit 1 otherwise (containerd's journal says why).
"""
import socket
import struct
import sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY = 0, 1, 3, 4, 6, 7
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def hpack_literal(name, value):
    # literal header field without indexing, new name, no Huffman coding (RFC 7541 6.2.2)
    out = b"\x00"
    for s in (name.encode(), value.encode()):
        assert len(s) < 127
        out += bytes([len(s)]) + s
    return out


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(number, payload):  # length-delimited protobuf field
    return bytes([(number << 3) | 2]) + varint(len(payload)) + payload


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("containerd closed the connection")
        buf += chunk
    return buf


def pull(image, path):
    request = field(1, field(1, image.encode()))  # PullImageRequest{image: ImageSpec{image}}
    headers = b"".join(hpack_literal(k, v) for k, v in [
        (":method", "POST"), (":scheme", "http"), (":path", "/runtime.v1.ImageService/PullImage"),
        (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers")])
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(180)
    sock.connect(path)
    sock.sendall(PREFACE + frame(SETTINGS, 0, 0) + frame(HEADERS, END_HEADERS, 1, headers)
                 + frame(DATA, END_STREAM, 1, b"\x00" + struct.pack(">I", len(request)) + request))
    body = b""
    while True:
        head = read_exact(sock, 9)
        length = struct.unpack(">I", b"\x00" + head[:3])[0]
        ftype, flags, stream = head[3], head[4], struct.unpack(">I", head[5:9])[0] & 0x7FFFFFFF
        payload = read_exact(sock, length)
        if ftype == SETTINGS and not flags & ACK:
            sock.sendall(frame(SETTINGS, ACK, 0))
        elif ftype == PING and not flags & ACK:
            sock.sendall(frame(PING, ACK, 0, payload))
        elif ftype in (RST_STREAM, GOAWAY):
            raise RuntimeError("containerd ended the call (frame type %d: %s)" % (ftype, payload.hex()))
        elif stream == 1 and ftype == DATA:
            body += payload
        if stream == 1 and ftype in (DATA, HEADERS) and flags & END_STREAM:
            break
    sock.close()
    if len(body) < 5:
        return None
    message = body[5:5 + struct.unpack(">I", body[1:5])[0]]
    # PullImageResponse{image_ref = 1}
    if not message or message[0] != 0x0A:
        return None
    return message[2:].decode(errors="replace")


def main():
    image = sys.argv[1]
    path = sys.argv[2] if len(sys.argv) > 2 else "/run/containerd/containerd.sock"
    ref = pull(image, path)
    if not ref:
        print("CRI PullImage of %s returned no image (see journalctl -u containerd)" % image, file=sys.stderr)
        return 1
    print(ref)
    return 0


if __name__ == "__main__":
    sys.exit(main())
