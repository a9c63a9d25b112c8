"""An SMTP server for end-to-end tests that records every message it accepts.

Built on aiosmtpd, extended with BDAT (RFC 3030 CHUNKING), which aiosmtpd does not have:
a chunk is read as exactly the number of octets its BDAT command announces, whatever bytes
it holds. Each accepted message is written to its own file in the messages folder (written
aside, then renamed, so a reader never sees half a message). Every command line received is
logged (aiosmtpd's own log, on stdout), so a test can also tell what never reached the server.

Usage: smtp_recorder.py --port PORT --messages DIR [--chunking] [--starttls] [--greeting-delay S]
                        [--tls-cert CERT --tls-key KEY] [--auth USER:PASSWORD]
"""

import argparse
import asyncio
import itertools
import logging
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, syntax


class RecordingHandler:
    """Writes each message's content, exactly the bytes received, to DIR/NNNNNN.eml."""

    def __init__(self, directory, extensions):
        self.directory = directory
        self.extensions = extensions
        self.numbers = itertools.count(1)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        extra = ["250-" + name for name in self.extensions]
        return responses[:-1] + extra + responses[-1:]

    async def handle_DATA(self, server, session, envelope):
        number = next(self.numbers)
        final = os.path.join(self.directory, "%06d.eml" % number)
        partial = final + ".part"
        with open(partial, "wb") as out:
            out.write(envelope.original_content)
        os.replace(partial, final)
        print("recorded %s from=%s to=%s octets=%d" % (os.path.basename(final), envelope.mail_from,
                                                          ",".join(envelope.rcpt_tos),
                                                          len(envelope.original_content)), flush=True)
        return "250 2.0.0 Ok: queued as %06d" % number


class RecordingSmtp(SMTP):
    """aiosmtpd's SMTP with BDAT, and an optional delay before the greeting."""

    def __init__(self, handler, chunking, greeting_delay, **kwargs):
        super().__init__(handler, **kwargs)
        self.chunking = chunking
        self.greeting_delay = greeting_delay

    async def _handle_client(self):
        # A late greeting gives a client that talks first (pregreet) time to show itself.
        if self.greeting_delay:
            await asyncio.sleep(self.greeting_delay)
        await super()._handle_client()

    @syntax("BDAT chunk-size [LAST]")
    async def smtp_BDAT(self, arg):
        if not self.chunking:
            await self.push("502 5.5.1 BDAT not implemented")
            return
        words = (arg or "").split()
        if len(words) not in (1, 2) or not words[0].isdigit() or words[1:] not in ([], ["LAST"]):
            await self.push("501 5.5.4 Syntax: BDAT chunk-size [LAST]")
            return
        size, last = int(words[0]), len(words) == 2
        # The chunk is read whatever happens next: that is what keeps client and server framed alike.
        chunk = await self._reader.readexactly(size)
        refusal = self.bdat_refusal()
        if refusal:
            self.envelope.chunks = []
            await self.push(refusal)
            return
        self.envelope.chunks = getattr(self.envelope, "chunks", []) + [chunk]
        if not last:
            await self.push("250 2.0.0 %d octets received" % size)
            return
        content = b"".join(self.envelope.chunks)
        self.envelope.content = content
        self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)

    def bdat_refusal(self):
        if not self.session.host_name:
            return "503 5.5.1 Error: send HELO first"
        if not self.envelope.rcpt_tos:
            return "503 5.5.1 Error: need RCPT command"
        return None

    @syntax("DATA")
    async def smtp_DATA(self, arg):
        if getattr(self.envelope, "chunks", []):
            await self.push("503 5.5.1 Error: DATA after BDAT in the same transaction")
            return
        await super().smtp_DATA(arg)


def tls_context(cert, key):
    """A server TLS context with the given certificate, or None (no STARTTLS served)."""
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def authenticator(credentials):
    """Accepts exactly USER:PASSWORD, with any mechanism aiosmtpd offers (PLAIN, LOGIN); or None."""
    if not credentials:
        return None
    user, password = credentials.split(":", 1)

    def check(server, session, envelope, mechanism, auth_data):
        accepted = isinstance(auth_data, LoginPassword) and auth_data == (user.encode(), password.encode())
        print("auth mechanism=%s accepted=%s" % (mechanism, accepted), flush=True)
        return AuthResult(success=accepted)
    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--messages", required=True)
    parser.add_argument("--chunking", action="store_true", help="advertise and serve BDAT")
    parser.add_argument("--starttls", action="store_true", help="advertise STARTTLS only (it is not served)")
    parser.add_argument("--smtputf8", action="store_true", help="advertise and accept SMTPUTF8")
    parser.add_argument("--greeting-delay", type=float, default=0.0)
    parser.add_argument("--tls-cert", help="serve STARTTLS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="offer AUTH PLAIN and LOGIN, accept this user only")
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(name)s %(message)s")
    # With a certificate aiosmtpd advertises and serves STARTTLS itself.
    extensions = ["PIPELINING"] + (["CHUNKING"] if args.chunking else []) + (["STARTTLS"] if args.starttls else [])
    handler = RecordingHandler(args.messages, extensions)

    context = tls_context(args.tls_cert, args.tls_key)
    check = authenticator(args.auth)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def session():
        return RecordingSmtp(handler, args.chunking, args.greeting_delay, hostname="recorder.example",
                             ident="ESMTP recorder", loop=loop, tls_context=context,
                             authenticator=check, auth_require_tls=False, enable_SMTPUTF8=args.smtputf8)

    server = loop.run_until_complete(loop.create_server(session, "127.0.0.1", args.port))
    print("listening on 127.0.0.1:%d, advertising %s" % (args.port, " ".join(extensions)), flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
