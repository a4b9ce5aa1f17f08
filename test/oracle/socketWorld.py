#!/usr/bin/env python3
# Builds, inside a fresh network namespace (run under `unshare --net`), the sockets a scenario's "network" section
# lists, then prints each pinned iterator given after the scenario, separated by "==== <path>" lines.
# TCP: listeners; a connection for each socket whose remote is a listener (its accepted end is the listed peer
# entry); time_wait: such a connection closed by the connecting side (the accepted end goes to close_wait).
# UDP: bound, connected when a remote is given. unix: listening/bound pathname and abstract sockets, socketpair()
# for two entries naming each other as peers. netlink: bound with the listed port id and groups.
import json, socket, subprocess, sys, time

subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
net = json.load(open(sys.argv[1])).get('network', {})
socks = net.get('sockets', [])
keep = []

def endpoint(text):
    host, port = text.rsplit(':', 1)
    return (host.strip('[]'), int(port))

def family(text):
    return socket.AF_INET6 if text.startswith('[') else socket.AF_INET

listeners = {}
for s in socks:
    if s['protocol'] == 'tcp' and s.get('state') == 'listen':
        l = socket.socket(family(s['local']), socket.SOCK_STREAM)
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(endpoint(s['local']))
        l.listen(s.get('backlog', 128))
        listeners[s['local']] = l
        keep.append(l)
for s in socks:
    if s['protocol'] == 'tcp' and s.get('remote') in listeners and s.get('state') in ('established', 'time_wait'):
        c = socket.socket(family(s['local']), socket.SOCK_STREAM)
        c.bind(endpoint(s['local']))
        c.connect(endpoint(s['remote']))
        a, _ = listeners[s['remote']].accept()
        keep.append(a)
        if s['state'] == 'time_wait':
            c.close()
        else:
            keep.append(c)
    elif s['protocol'] == 'udp':
        u = socket.socket(family(s['local']), socket.SOCK_DGRAM)
        u.bind(endpoint(s['local']))
        if s.get('remote'):
            u.connect(endpoint(s['remote']))
        keep.append(u)
paired = set()
for i, s in enumerate(socks):
    if s['protocol'] == 'unix':
        kind = {'stream': socket.SOCK_STREAM, 'dgram': socket.SOCK_DGRAM, 'seqpacket': socket.SOCK_SEQPACKET}[s.get('type', 'stream')]
        if 'peer' in s:
            if i not in paired:
                keep.extend(socket.socketpair(socket.AF_UNIX, kind))
                paired.update((i, s['peer']))
            continue
        u = socket.socket(socket.AF_UNIX, kind)
        if 'path' in s:
            u.bind('\0' + s['path'][1:] if s['path'].startswith('@') else s['path'])
        if s.get('state') == 'listen':
            u.listen(16)
        keep.append(u)
    elif s['protocol'] == 'netlink':
        n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, s.get('family', 0))
        n.bind((s.get('portid', 0), s.get('groups', 0)))
        keep.append(n)
time.sleep(0.1)
for pin in sys.argv[2:]:
    sys.stdout.write('==== %s\n' % pin)
    sys.stdout.write(open(pin).read())
sys.stdout.flush()
