#!/usr/bin/python3
"""Small helpers for deploy/sandbox.sh (Python standard library only; run with Debian's /usr/bin/python3).

  sandbox-helper.py ports-free tcp:15222 udp:15060 ...     exit 1 (naming the ports) if any is in use
  sandbox-helper.py sip-options HOST PORT                   one SIP OPTIONS over UDP; exit 0 on any SIP reply
  sandbox-helper.py synapse-register URL SECRET USER PASSWORD [admin]
        shared-secret registration (Synapse admin API /_synapse/admin/v1/register, HMAC-SHA1 over
        nonce NUL user NUL password NUL admin|notadmin); prints the new user id
"""
import hashlib
import hmac
import json
import os
import socket
import sys
import urllib.error
import urllib.request


def ports_free(specs):
    busy = []
    for spec in specs:
        proto, port = spec.split(":")
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        s = socket.socket(socket.AF_INET, kind)
        try:
            if proto == "tcp":
                # SO_REUSEADDR: a port in TIME_WAIT from a previous run is free for a listener.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", int(port)))
        except OSError:
            busy.append(spec)
        finally:
            s.close()
    if busy:
        print(" ".join(busy))
        return 1
    return 0


def sip_options(host, port, timeout=1.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lport = s.getsockname()[1]
    branch = "z9hG4bK" + os.urandom(6).hex()
    msg = (f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch={branch};rport\r\n"
           f"Max-Forwards: 70\r\n"
           f"From: <sip:probe@127.0.0.1>;tag={os.urandom(4).hex()}\r\n"
           f"To: <sip:{host}:{port}>\r\n"
           f"Call-ID: {os.urandom(8).hex()}@127.0.0.1\r\n"
           f"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
    s.settimeout(timeout)
    try:
        s.sendto(msg.encode(), (host, int(port)))
        data, _ = s.recvfrom(65535)
        return 0 if data.startswith(b"SIP/2.0 ") else 1
    except OSError:
        return 1
    finally:
        s.close()


def synapse_register(url, secret, user, password, admin=False):
    endpoint = url.rstrip("/") + "/_synapse/admin/v1/register"
    with urllib.request.urlopen(endpoint, timeout=10) as r:
        nonce = json.load(r)["nonce"]
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    for part in (nonce, user, password, "admin" if admin else "notadmin"):
        mac.update(part.encode())
        if part != ("admin" if admin else "notadmin"):
            mac.update(b"\x00")
    body = json.dumps({"nonce": nonce, "username": user, "password": password, "admin": admin,
                       "mac": mac.hexdigest()}).encode()
    req = urllib.request.Request(endpoint, data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            print(json.load(r)["user_id"])
            return 0
    except urllib.error.HTTPError as e:
        print(f"registration of {user} failed: HTTP {e.code} {e.read(500).decode(errors='replace')}",
              file=sys.stderr)
        return 1


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "ports-free":
        return ports_free(args)
    if cmd == "sip-options" and len(args) == 2:
        return sip_options(args[0], args[1])
    if cmd == "synapse-register" and len(args) in (4, 5):
        return synapse_register(args[0], args[1], args[2], args[3], len(args) == 5 and args[4] == "admin")
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
