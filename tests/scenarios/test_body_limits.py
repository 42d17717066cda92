"""Bodies over MAX_BODY (1 MiB) are refused with a 413 from their headers, before they are read: never
buffered, never written to disk, and the server keeps serving."""

import os
import time

from bot.slack.http.wsgi import MAX_BODY
from tests.helpers import alive, connect, status_line


def test_oversized_body_is_refused_unread(bot):
    """A Content-Length just over the limit is answered 413 from the headers alone. No byte of the body is
    sent: the server answers before reading any, and a client still sending 1 MiB when it closes would see
    the connection reset (ConnectionResetError) instead of the answer."""
    assert MAX_BODY == 1024 * 1024
    sock = connect(bot)
    try:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {MAX_BODY + 10}\r\n\r\n".encode()
        )
        status = status_line(sock)
    finally:
        sock.close()
    code = int(status.split()[1]) if status.startswith(b"HTTP/1.1 ") else None
    assert code == 413 and alive(bot.url)


def test_an_unsigned_20_mib_body_is_refused_from_its_content_length(bot):
    sock = connect(bot)
    try:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {20 * 1024 * 1024}\r\n\r\n".encode()
        )
        assert status_line(sock) == b"HTTP/1.1 413 Request Entity Too Large"  # not a byte of body sent
    finally:
        sock.close()
    assert alive(bot.url)


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(bot):
    sock = connect(bot)
    piece = b"x" * 65536
    try:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(MAX_BODY // len(piece) + 1):  # just past the limit; the final 0-chunk never comes
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        assert status_line(sock) == b"HTTP/1.1 413 Request Entity Too Large"
    finally:
        sock.close()
    assert alive(bot.url)


def _temp_files() -> set[str]:
    """Descriptors of this process (the server runs in it) open on deleted or temporary files."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "(deleted)" in target or target.startswith("/tmp/") or target.startswith("/var/tmp/"):
            found.add(f"{fd}:{target}")
    return found


def test_an_oversized_body_is_never_written_to_disk(bot):
    before = _temp_files()
    sockets = []
    try:
        for _ in range(5):
            sock = connect(bot)
            sock.sendall(
                b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {20 * 1024 * 1024}\r\n\r\n".encode()
            )
            try:
                for _ in range(24):  # 1.5 MiB of it, past what stays in memory before waitress spools
                    sock.sendall(b"x" * 65536)
            except OSError:
                pass  # refused and closed: what should happen
            sockets.append(sock)
        time.sleep(0.3)
        assert _temp_files() - before == set()
    finally:
        for sock in sockets:
            sock.close()
    assert alive(bot.url)
