# SPDX-License-Identifier: GPL-2.0-or-later
"""Builds the hostile and odd captures of tests/hostile: frames, TCP
conversations and DNS messages written byte by byte (independently of the
analyzer), pcap and pcapng containers with Decryption Secrets Blocks, and
each input the cases use. make_inputs.py writes the small ones into
inputs/; run_hostile.py makes the big ones at test time."""
import struct

CLIENT = bytes([192, 0, 2, 10])
AMT = bytes([192, 0, 2, 20])
DNS_SERVER = bytes([192, 0, 2, 53])


def ipv4(src, dst, proto, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                      src, dst)
    csum = 0
    for i in range(0, 20, 2):
        csum += hdr[i] << 8 | hdr[i + 1]
    while csum >> 16:
        csum = (csum & 0xFFFF) + (csum >> 16)
    return hdr[:10] + struct.pack("!H", ~csum & 0xFFFF) + hdr[12:] + payload


def ether(payload):
    return b"\x02\0\0\0\0\x14" + b"\x02\0\0\0\0\x0a" + b"\x08\x00" + payload


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                      flags, 64240, 0, 0)
    return ether(ipv4(src, dst, 6, tcp + payload))


def udp_frame(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    return ether(ipv4(src, dst, 17, udp + payload))


class Conversation:
    """One TCP connection from the console to AMT: handshake, data in
    segments, FIN."""

    def __init__(self, frames, sport, dport=16992):
        self.frames, self.sport, self.dport = frames, sport, dport
        self.seq = [1000, 50000]
        frames.append(tcp_frame(CLIENT, AMT, sport, dport, self.seq[0], 0, 0x02))
        frames.append(tcp_frame(AMT, CLIENT, dport, sport, self.seq[1], self.seq[0] + 1, 0x12))
        self.seq = [self.seq[0] + 1, self.seq[1] + 1]
        frames.append(tcp_frame(CLIENT, AMT, sport, dport, self.seq[0], self.seq[1], 0x10))

    def send(self, side, data, mss=1400):
        src, dst = (AMT, CLIENT) if side else (CLIENT, AMT)
        sport, dport = (self.dport, self.sport) if side else (self.sport, self.dport)
        for off in range(0, len(data), mss):
            chunk = data[off:off + mss]
            self.frames.append(tcp_frame(src, dst, sport, dport, self.seq[side],
                                         self.seq[1 - side], 0x18, chunk))
            self.seq[side] += len(chunk)

    def close(self):
        self.frames.append(tcp_frame(CLIENT, AMT, self.sport, self.dport, self.seq[0], self.seq[1],
                                     0x11))
        self.frames.append(tcp_frame(AMT, CLIENT, self.dport, self.sport, self.seq[1],
                                     self.seq[0] + 1, 0x11))


def dns_name(name):
    out = b""
    for label in name.split(b"."):
        out += bytes([len(label)]) + label
    return out + b"\0"


def dns_answer_a(qname, addr, txid=0x4242):
    q = dns_name(qname)
    msg = struct.pack("!HHHHHH", txid, 0x8180, 1, 1, 0, 0) + q + struct.pack("!HH", 1, 1)
    return msg + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + addr


def pcap(frames):
    # joined once: appending to bytes copies the whole file per frame
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)]
    for i, fr in enumerate(frames):
        out.append(struct.pack("<IIII", 1700000000 + i // 1000, i % 1000 * 1000, len(fr),
                               len(fr)))
        out.append(fr)
    return b"".join(out)


# ---- pcapng ----------------------------------------------------------------


def block(btype, body):
    pad = b"\0" * (-len(body) % 4)
    length = 12 + len(body) + len(pad)
    return struct.pack("<II", btype, length) + body + pad + struct.pack("<I", length)


def shb():
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(linktype=1):
    return block(1, struct.pack("<HHI", linktype, 0, 262144))


def epb(frame, i):
    ts = (1700000000 + i) * 1000000
    return block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame))
                 + frame)


def dsb(text):
    return block(0x0A, struct.pack("<II", 0x544C534B, len(text)) + text)


def pcapng_blocks(data):
    """The blocks of a little-endian pcapng: [(type, raw bytes)]."""
    out, off = [], 0
    while off + 8 <= len(data):
        btype, length = struct.unpack_from("<II", data, off)
        out.append((btype, data[off:off + length]))
        off += length
    return out


# ---- the inputs --------------------------------------------------------------


def http_request(method, target, headers, body=b""):
    head = b"%s %s HTTP/1.1\r\n" % (method, target)
    for name, value in headers:
        head += name + b": " + value + b"\r\n"
    if body:
        head += b"Content-Length: %d\r\n" % len(body)
    return head + b"\r\n" + body


def http_response(status, reason, headers, body=b""):
    head = b"HTTP/1.1 %d %s\r\n" % (status, reason)
    for name, value in headers:
        head += name + b": " + value + b"\r\n"
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


def soap(body_xml, action=b"http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse"):
    return (b'<?xml version="1.0" encoding="UTF-8"?><a:Envelope '
            b'xmlns:a="http://www.w3.org/2003/05/soap-envelope" '
            b'xmlns:b="http://schemas.xmlsoap.org/ws/2004/08/addressing"><a:Header><b:Action>'
            + action + b"</b:Action></a:Header><a:Body>" + body_xml + b"</a:Body></a:Envelope>")


ESC = b"\x1b"
CONTROL_USER = b"adm" + ESC + b"]0;pwned" + b"\x07in"
CONTROL_URI = b"/wsman" + ESC + b"[2J" + ESC + b"[31m"
CONTROL_FAULT = b"Access " + ESC + b"[2J denied \xc2\x9b31m \x7f done"
CONTROL_DNS = b"amt" + ESC + b"[5m.example.com"


def control_characters():
    """Control characters where the capture puts names: the Digest user
    name and uri, a SOAP fault, a DNS name."""
    frames = [udp_frame(DNS_SERVER, CLIENT, 53, 53000, dns_answer_a(CONTROL_DNS, AMT))]
    c = Conversation(frames, 50001)
    auth = (b'Digest username="' + CONTROL_USER + b'", realm="Digest:00000000000000000000000000000000",'
            b' nonce="abc", uri="' + CONTROL_URI + b'", response="0123", qop=auth, nc=00000001,'
            b' cnonce="x"')
    c.send(0, http_request(b"POST", b"/wsman", [(b"Host", b"192.0.2.20:16992"),
                                                  (b"Authorization", auth),
                                                  (b"Content-Type", b"application/soap+xml")],
                           soap(b"<x/>")))
    fault = soap(b"<a:Fault><a:Code><a:Value>a:Sender</a:Value><a:Subcode><a:Value>"
                 b"b:AccessDenied</a:Value></a:Subcode></a:Code><a:Reason><a:Text>" + CONTROL_FAULT
                 + b"</a:Text></a:Reason></a:Fault>",
                 b"http://schemas.xmlsoap.org/ws/2004/08/addressing/fault")
    c.send(1, http_response(400, b"Bad Request", [(b"Content-Type", b"application/soap+xml")], fault))
    c.close()
    return pcap(frames)


def latin1_header():
    """One Latin-1 byte in an HTTP header: JSON must stay valid UTF-8."""
    frames = []
    c = Conversation(frames, 50002)
    c.send(0, http_request(b"GET", b"/index.htm", [(b"Host", b"192.0.2.20:16992")]))
    c.send(1, http_response(200, b"OK", [(b"Server", b"Caf\xe9 AMT \xff\xfe"),
                                         (b"Content-Type", b"text/html")], b"<html/>"))
    c.close()
    return pcap(frames)


BASIC_PASSWORD = b"Hunter2-Basic-Secret"


def basic_credentials():
    """Basic credentials after a TAB, in lower case, and in
    Proxy-Authorization."""
    import base64
    cred = base64.b64encode(b"admin:" + BASIC_PASSWORD)
    frames = []
    c = Conversation(frames, 50003)
    for header, value in ((b"Authorization", b"Basic\t" + cred),
                          (b"Authorization", b"basic  " + cred),
                          (b"Proxy-Authorization", b"Basic " + cred)):
        c.send(0, http_request(b"GET", b"/index.htm", [(b"Host", b"192.0.2.20:16992"),
                                                       (header, value)]))
        c.send(1, http_response(401, b"Unauthorized", [(b"Content-Type", b"text/html")], b"no"))
    c.close()
    return pcap(frames)


def corrupt_first_block():
    """A pcapng whose first block after the section header is corrupt: no
    frame can be read."""
    return shb() + struct.pack("<II", 1, 13) + b"\0" * 5


def bad_status_lines(size):
    """A response stream, about size bytes, where each good response is
    followed by a 60 KB line full of "HTTP/1.1 200 " that is never a status
    line (a control byte ends it): finding the next status line must stay
    linear within each line."""
    good = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    unit = good + b"HTTP/1.1 200 " * 4600 + b"\x01\r\n"
    frames = []
    c = Conversation(frames, 50004)
    c.send(0, http_request(b"GET", b"/index.htm", [(b"Host", b"192.0.2.20:16992")]))
    c.send(1, unit * (size // len(unit)), mss=8000)
    c.close()
    return pcap(frames)


def secrets_then(capture, junk_blocks, junk_size, corrupt_tail):
    """A pcapng that carries its key log in a DSB (taken from capture),
    then junk_blocks DSBs of junk_size bytes each, then the packets, and
    optionally a corrupt block at the end."""
    blocks = pcapng_blocks(capture)
    out = b""
    for btype, raw in blocks:
        out += raw
        if btype == 0x0A:  # the real key log: the junk follows it
            for _ in range(junk_blocks):
                out += dsb(b"A" * junk_size)
    if corrupt_tail:
        out += struct.pack("<II", 6, 1 << 30) + b"\0" * 16
    return out


# ---- identifying values, for --redact ---------------------------------------

USER = b"ACME\\o'brien&<co>\"\xc3\xbc"
LONG_USER = b"long-user-" + b"x\xc3\xa9y" * 100
REALM = b"Digest:1A2B3C4D5E6F708192A3B4C5D6E7F809"
LONG_NONCE = b"n0nce-" + b"0123456789abcdef" * 20
OPAQUE1 = b"opaque-first-7f3a9e"
CNONCE = b"cnonce-a1b2c3d4e5f6"
RESPONSE = b"0123456789abcdef0123456789abcdef"
NONCE2 = b"second-nonce-c0ffee1234"
OPAQUE2 = b"second-opaque-beefcafe"
HOST = b"amt-17.o'brien&co.example.com"
DOMAIN = b"corp.o'brien&co.example"
SOAP_HOST = b"amt-\xc3\xbcmlaut-17"
TRUSTED_CN = [b"trusted-one.acme-\xc3\xa9.example", b"trusted-two.o'brien.example"]
DNS_CONSOLE = b"console-7.o-brien.example"
FQDN = b"fqdn-secret.acme.example"
HOSTS_NAME = b"console-from-hosts.acme.example"
SITE_DIR = "acme-site-o'brien&co"
ADDRESSES = [b"192.0.2.10", b"192.0.2.20", b"192.0.2.53"]


def quoted(value):
    """value as an HTTP quoted-string's content."""
    return value.replace(b"\\", b"\\\\").replace(b'"', b'\\"')


def xml(value):
    return (value.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b"'", b"&apos;")
            .replace(b'"', b"&quot;"))


def identifying():
    """A capture full of identifying values: user names with quotes,
    ampersands, backslashes, non-ASCII and over 255 bytes, a realm, nonces
    (one over 255 bytes), a second WWW-Authenticate header, AMT's domain
    and host names and TrustedCN list in SOAP, a Host header and a DNS
    answer. (The command line adds --trusted-fqdn, --hosts and
    --trusted-root in directories that name the site.)"""
    frames = [udp_frame(DNS_SERVER, CLIENT, 53, 53000, dns_answer_a(DNS_CONSOLE, CLIENT))]
    c = Conversation(frames, 50010)
    host = [(b"Host", HOST + b":16992"), (b"Content-Type", b"application/soap+xml")]
    get = soap(b"", b"http://schemas.xmlsoap.org/ws/2004/09/transfer/Get")
    c.send(0, http_request(b"POST", b"/wsman", host, get))
    challenges = [(b"WWW-Authenticate", b'Digest realm="' + REALM + b'", nonce="' + LONG_NONCE
                   + b'", opaque="' + OPAQUE1 + b'", qop="auth"'),
                  (b"WWW-Authenticate", b'Digest realm="' + REALM + b'", nonce="' + NONCE2
                   + b'", opaque="' + OPAQUE2 + b'", qop="auth"')]
    c.send(1, http_response(401, b"Unauthorized", challenges + [(b"Content-Type", b"text/html")],
                            b"<html/>"))
    for user in (USER, LONG_USER):
        auth = (b'Digest username="' + quoted(user) + b'", realm="' + REALM + b'", nonce="'
                + LONG_NONCE + b'", uri="/wsman", response="' + RESPONSE + b'", qop=auth, '
                b'nc=00000001, cnonce="' + CNONCE + b'", opaque="' + OPAQUE1 + b'"')
        c.send(0, http_request(b"POST", b"/wsman", host + [(b"Authorization", auth)], get))
        body = soap(b'<h:AMT_GeneralSettings xmlns:h="http://intel.com/wbem/wscim/1/amt-schema/1/'
                    b'AMT_GeneralSettings"><h:DomainName>' + xml(DOMAIN) + b"</h:DomainName>"
                    b"<h:HostName>" + xml(SOAP_HOST) + b"</h:HostName></h:AMT_GeneralSettings>")
        c.send(1, http_response(200, b"OK", [(b"Content-Type", b"application/soap+xml")], body))
    items = b"".join(b"<h:TrustedCN>" + xml(cn) + b"</h:TrustedCN>" for cn in TRUSTED_CN)
    pull = soap(b'<g:PullResponse xmlns:g="http://schemas.xmlsoap.org/ws/2004/09/enumeration">'
                b'<g:Items><h:AMT_TLSSettingData xmlns:h="http://intel.com/wbem/wscim/1/'
                b'amt-schema/1/AMT_TLSSettingData">' + items + b"</h:AMT_TLSSettingData></g:Items>"
                b"</g:PullResponse>",
                b"http://schemas.xmlsoap.org/ws/2004/09/enumeration/PullResponse")
    c.send(0, http_request(b"POST", b"/wsman", host, get))
    c.send(1, http_response(200, b"OK", [(b"Content-Type", b"application/soap+xml")], pull))
    c.close()
    return pcap(frames)


def identifying_values():
    """Every value identifying() and its command line carry."""
    return ([USER, LONG_USER, REALM, LONG_NONCE, OPAQUE1, CNONCE, RESPONSE, NONCE2, OPAQUE2, HOST,
             DOMAIN, SOAP_HOST, DNS_CONSOLE, FQDN, HOSTS_NAME, SITE_DIR.encode()]
            + TRUSTED_CN + ADDRESSES)


KDC = bytes([192, 0, 2, 88])


def kerberos(records, datagrams):
    """Port 88 at its worst: garbage and a cut AS-REQ over UDP; over TCP a
    record mark of 2 GiB, and a connection of `records` small records whose
    segments come in reverse order (delivered at once, as one buffer);
    then `datagrams` UDP messages (past the analyzer's bound)."""
    frames = []
    frames.append(udp_frame(CLIENT, KDC, 5000, 88, b"\xff" * 40))
    # [APPLICATION 10] SEQUENCE, its length past the end
    frames.append(udp_frame(CLIENT, KDC, 5001, 88, b"\x6a\x82\x10\x00\x30\x82\x0f\xfc\xa1\x03"))
    seq = [7000, 9000]
    frames.append(tcp_frame(CLIENT, KDC, 6000, 88, seq[0], 0, 0x02))
    frames.append(tcp_frame(KDC, CLIENT, 88, 6000, seq[1], seq[0] + 1, 0x12))
    frames.append(tcp_frame(CLIENT, KDC, 6000, 88, seq[0] + 1, seq[1] + 1, 0x18,
                            b"\x7f\xff\xff\xff" + b"\x6a" * 100))
    # many small records: a KRB-ERROR-like start, not a whole message
    record = struct.pack("!I", 36) + b"\x7e\x22\x30\x20" + b"\x00" * 32
    data = record * records
    seq = [20000, 30000]
    frames.append(tcp_frame(CLIENT, KDC, 6001, 88, seq[0], 0, 0x02))
    frames.append(tcp_frame(KDC, CLIENT, 88, 6001, seq[1], seq[0] + 1, 0x12))
    chunks = [(off, data[off:off + 1400]) for off in range(0, len(data), 1400)]
    for off, chunk in reversed(chunks):
        frames.append(tcp_frame(CLIENT, KDC, 6001, 88, seq[0] + 1 + off, seq[1] + 1, 0x18, chunk))
    for i in range(datagrams):
        frames.append(udp_frame(CLIENT, KDC, 10000 + i % 50000, 88, record[4:]))
    return pcap(frames)
