"""Stands in for systemd's notification socket in end-to-end tests.

Binds a unix datagram socket at PATH (or the abstract name after '@'), prints "bound", then
prints every datagram it receives on one line, its newlines shown as '|', until it has been
idle for IDLE seconds.

Usage: notify_receiver.py PATH IDLE
"""

import socket
import sys

path, idle = sys.argv[1], float(sys.argv[2])
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind('\0' + path[1:] if path.startswith('@') else path)
receiver.settimeout(idle)
print('bound', flush=True)
try:
    while True:
        print(receiver.recv(4096).decode().replace('\n', '|'), flush=True)
except socket.timeout:
    pass
