"""Benchmark: tiegraph's mbox metadata reader against the stdlib header parser alone.

Generates a synthetic mbox (default 100,000 messages) shaped like a real work mailbox:
header blocks as Gmail, Microsoft 365 and small self-hosted servers write them (Received
chains, DKIM and ARC signatures, anti-spam reports, folded To/Cc lists, encoded-word and
`"Last, First"` display names), correspondents drawn from a population with a Zipf-like
frequency (a few colleagues write often, most people rarely), a body of a few KB with an
occasional `>From ` line. Then it measures, in the same run:

- baseline: `email.parser.BytesHeaderParser().parsebytes(header_block)` over the header
  blocks of the same messages (already cut out of the file: parsing only, no I/O, and
  no address or date decoding at all);
- tiegraph: `iter_messages(mbox)` end to end (open, map, find messages, pick the fields,
  decode addresses and dates, build records).

Run: .venv/bin/python bench/bench_mail_parse.py [--messages 100000] [--population 3000]
`--population` sets how many distinct correspondents there are; a very large one makes
nearly every address unique, the least favourable case for tiegraph's reader.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path

from tiegraph.formats.mail import iter_messages
from tiegraph.formats.records import MessageHeaders

FIRST = ("Anna", "Jürgen", "Zoë", "Marie", "José", "Li", "Olu", "Sven", "Chloé", "Raj", "Tom")
LAST = ("Müller", "Smith", "Núñez", "Öztürk", "Brown", "Dubois", "Kowalski", "Tanaka", "Lee")
WORDS = ("the", "of", "and", "to", "in", "for", "on", "with", "pipeline", "deal", "renewal")
OWNER = '"Dana Owner" <dana.owner@example.com>'


def correspondents(rng: random.Random, count: int) -> list[str]:
    """Each person formatted once, the way their own mail client writes them."""
    domains = [
        f"{rng.choice(WORDS)}{i}.example.{rng.choice(['com', 'org', 'de'])}" for i in range(60)
    ]
    people = []
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = f"{first}.{last}{index}".lower().encode("ascii", "ignore").decode()
        email = f"{local}@{rng.choice(domains)}"
        style = rng.random()
        if not f"{first}{last}".isascii() and style < 0.5:
            encoded = base64.b64encode(f"{first} {last}".encode()).decode()
            people.append(f"=?UTF-8?B?{encoded}?= <{email}>")
        elif style < 0.55:
            people.append(f'"{first} {last}" <{email}>')
        elif style < 0.7:
            people.append(f'"{last}, {first}" <{email}>')
        elif style < 0.85:
            people.append(f"{first} {last} <{email}>".encode("ascii", "replace").decode())
        else:
            people.append(email)
    return people


def blob(rng: random.Random, size: int, indent: str = "\n\t") -> str:
    text = base64.b64encode(rng.randbytes(size)).decode()
    return indent.join(text[i : i + 72] for i in range(0, len(text), 72))


def received(rng: random.Random, when: datetime, hop: int, style: str) -> str:
    stamp = (when - timedelta(seconds=hop * 2)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    if style == "o365":
        return (
            f"Received: from SN{rng.randint(1000, 9999)}.namprd{hop}.prod.outlook.com "
            f"(2603:10b6:806:{rng.randint(100, 999)}::{hop})\n by "
            f"PH{rng.randint(1000, 9999)}.namprd.prod.outlook.com (2603:10b6:510::8) with "
            "Microsoft SMTP Server (version=TLS1_2,\n "
            "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) "
            f"id 15.20.{rng.randint(1000, 9999)}.{rng.randint(10, 99)}; {stamp}"
        )
    ip = ".".join(str(rng.randint(1, 254)) for _ in range(4))
    return (
        f"Received: from mail-{rng.randint(1, 99)}.example.net (mail.example.net. [{ip}])\n"
        f"        by mx.google.com with ESMTPS id {blob(rng, 9, '')}.{rng.randint(10, 99)}\n"
        f"        for <dana.owner@example.com>\n"
        f"        (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);\n        {stamp}"
    )


def signatures(rng: random.Random) -> list[str]:
    return [
        f"ARC-Seal: i=1; a=rsa-sha256; t={rng.getrandbits(31)}; cv=none; d=example.net; s=arc;\n"
        f"\tb={blob(rng, 256)}",
        "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=arc;\n"
        "\th=to:subject:message-id:date:from:mime-version:dkim-signature;\n"
        f"\tbh={blob(rng, 32, '')}=;\n\tb={blob(rng, 256)}",
        "ARC-Authentication-Results: i=1; mx.example.net;\n"
        "       dkim=pass header.i=@example.net header.s=s1 header.b=Xq3;\n"
        "       spf=pass (domain of sender designates permitted sender) smtp.mailfrom=x;\n"
        "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.net",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=s1;\n"
        f"\th=from:to:cc:subject:date:message-id; bh={blob(rng, 32, '')}=;\n\tb={blob(rng, 256)}",
    ]


def vendor_lines(rng: random.Random, style: str) -> list[str]:
    if style == "gmail":
        return [
            f"X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n\tb={blob(rng, 256)}",
            f"X-Gm-Message-State: {blob(rng, 60, '')}",
            f"X-Google-Smtp-Source: {blob(rng, 60, '')}",
            f"X-Received: by 2002:a17:90a:{rng.randint(1000, 9999)} with SMTP id x; Mon",
        ]
    if style == "o365":
        lines = [f"X-MS-Exchange-CrossTenant-{k}: {blob(rng, 18, '')}" for k in range(8)]
        lines += [
            f"Thread-Index: {blob(rng, 40, '')}",
            "X-MS-Has-Attach:",
            "X-MS-TNEF-Correlator:",
            "Accept-Language: en-US",
            f"X-MS-Office365-Filtering-Correlation-Id: {rng.getrandbits(128):x}",
            f"X-Microsoft-Antispam: BCL:0;ARA:{blob(rng, 90, '')}",
            f"X-Microsoft-Antispam-Message-Info:\n\t{blob(rng, 700)}",
            f"X-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;LANG:en;\n {blob(rng, 200)}",
            f"X-MS-Exchange-AntiSpam-MessageData-0:\n\t{blob(rng, 900)}",
        ]
        return lines
    return [
        "List-Id: <team.lists.example.org>",
        "List-Unsubscribe: <mailto:leave@lists.example.org>",
        "Precedence: list",
    ]


def message(rng: random.Random, pick: Callable[[int], list[str]], when: datetime) -> bytes:
    outgoing = rng.random() < 0.25
    sender = OWNER if outgoing else pick(1)[0]
    to = pick(rng.randint(1, 4)) if outgoing else [OWNER, *pick(rng.randint(0, 4))]
    style = rng.choices(["gmail", "o365", "plain"], weights=[4, 3, 3])[0]
    envelope = sender.rsplit("<", 1)[-1].rstrip(">")
    lines = [f"From {envelope} {when.strftime('%a %b %d %H:%M:%S %Y')}"]
    lines += ["Delivered-To: dana.owner@example.com", f"Return-Path: <{envelope}>"]
    lines += [received(rng, when, hop, style) for hop in range(rng.randint(2, 6))]
    lines += signatures(rng) if style != "plain" else signatures(rng)[3:]
    lines += vendor_lines(rng, style)
    lines += [f"From: {sender}", "To: " + ",\n\t".join(to)]
    if rng.random() < 0.35:
        lines.append("Cc: " + ",\n ".join(pick(rng.randint(1, 4))))
    lines.append(f"Subject: {' '.join(rng.choices(WORDS, k=6))}")
    lines.append(f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}")
    lines.append(f"Message-ID: <{rng.getrandbits(64):x}.{rng.getrandbits(32):x}@example.net>")
    if rng.random() < 0.5:
        parent = f"<{rng.getrandbits(64):x}@example.net>"
        lines += [
            f"In-Reply-To: {parent}",
            f"References: <{rng.getrandbits(64):x}@x.net>\n {parent}",
        ]
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"', ""]
    body = [" ".join(rng.choices(WORDS, k=12)) for _ in range(rng.randint(20, 70))]
    if rng.random() < 0.05:
        body.insert(3, ">From the archive, quoted")
    return ("\n".join(lines) + "\n" + "\n".join(body) + "\n\n").encode("utf-8")


def write_mbox(path: Path, count: int, population: int, seed: int) -> list[bytes]:
    """Write the mbox; return each message's header block for the baseline."""
    rng = random.Random(seed)
    people = correspondents(rng, population)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(population)))

    def pick(k: int) -> list[str]:
        return list(dict.fromkeys(rng.choices(people, cum_weights=weights, k=k)))

    when = datetime(2023, 1, 1, tzinfo=UTC)
    blocks: list[bytes] = []
    with path.open("wb") as out:
        for _ in range(count):
            when += timedelta(seconds=rng.randint(30, 900))
            raw = message(rng, pick, when)
            blocks.append(raw[raw.index(b"\n") + 1 : raw.index(b"\n\n") + 2])
            out.write(raw)
    return blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--population", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        mbox = Path(folder, "bench.mbox")
        blocks = write_mbox(mbox, args.messages, args.population, args.seed)
        mean_header = sum(len(b) for b in blocks) / len(blocks)
        print(
            f"mbox: {args.messages:,} messages from {args.population:,} correspondents, "
            f"{mbox.stat().st_size / 1e6:.0f} MB, mean header block {mean_header:,.0f} B"
        )

        stdlib = BytesHeaderParser()
        began = time.perf_counter()
        for block in blocks:
            stdlib.parsebytes(block)
        baseline = len(blocks) / (time.perf_counter() - began)

        read = rejected = 0
        began = time.perf_counter()
        for record in iter_messages(mbox):
            if isinstance(record, MessageHeaders):
                read += 1
            else:
                rejected += 1
        ours = (read + rejected) / (time.perf_counter() - began)

    print(f"BytesHeaderParser().parsebytes(header block): {baseline:>9,.0f} messages/s")
    print(f"tiegraph iter_messages(mbox), end to end:    {ours:>9,.0f} messages/s")
    print(f"  read {read:,}, rejected {rejected:,}")
    print(f"ratio: {ours / baseline:.2f}x")


if __name__ == "__main__":
    main()
