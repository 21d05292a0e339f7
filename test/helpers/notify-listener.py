#!/usr/bin/env python3
# A stand-in for systemd's notify socket in tests: binds an AF_UNIX datagram socket (Node has no datagram unix
# sockets), prints each message on one line as JSON ({"t": monotonic seconds, "msg": "READY=1\nSTATUS=..."})
# and closes any file descriptor passed with it, which is how systemd-notify's BARRIER=1 learns that the
# manager has read everything before it. Usage: notify-listener.py SOCKET_PATH (mode 0666; prints LISTENING).
import array, json, os, socket, sys, time

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
print("LISTENING", flush=True)
while True:
    msg, anc, _flags, _addr = s.recvmsg(65536, socket.CMSG_SPACE(64 * 4))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            for fd in fds:
                os.close(fd)
    print(json.dumps({"t": time.monotonic(), "msg": msg.decode("utf-8", "replace")}), flush=True)
