"""Email addresses: one normalized form per mailbox, its domain, whether it is free mail, a
role or list address, or one of the organization's own."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "email_domain",
    "is_free_mail_domain",
    "is_own_domain",
    "is_role_address",
    "normalize_email",
    "own_domains",
    "registered_domain",
    "sign_in_email",
]


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a data table written as text."""
    return frozenset(text.split())


# Printable ASCII allowed unquoted in a dot-atom local part (RFC 5322 atext); non-ASCII letters
# and digits are allowed as well (RFC 6531). Quoted local parts ("john doe"@x) are refused: they
# are vanishingly rare in address books and usually mean a display name leaked into the field.
_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ANGLE = re.compile(r"<([^<>]*)>")
# The common case, an ASCII dot-atom at an ASCII domain, checked in one pass (5x faster).
_PLAIN = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.+[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
)

# Free-mail providers. An address there says nothing about the employer, so its domain must
# never be taken as a company domain. Exact domains first, then brands that are free mail under
# every country suffix (yahoo.co.uk, hotmail.fr, gmx.at ...).
_FREE_MAIL_DOMAINS = _words(
    """
    gmail.com googlemail.com icloud.com me.com mac.com proton.me protonmail.com protonmail.ch
    pm.me tutanota.com tutanota.de tuta.io tuta.com fastmail.com fastmail.fm hey.com zohomail.com
    aol.com aim.com msn.com passport.com ymail.com rocketmail.com mail.com email.com usa.com
    post.com inbox.com hushmail.com lycos.com rediffmail.com
    comcast.net verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net
    earthlink.net optonline.net juno.com netzero.net pacbell.net swbell.net prodigy.net
    mindspring.com flash.net netcom.com
    btinternet.com sky.com virginmedia.com ntlworld.com talktalk.net blueyonder.co.uk
    web.de t-online.de freenet.de arcor.de posteo.de mailbox.org online.de
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr bbox.fr
    libero.it virgilio.it tiscali.it alice.it tin.it
    telenet.be skynet.be ziggo.nl kpnmail.nl planet.nl home.nl bluewin.ch
    seznam.cz centrum.cz wp.pl o2.pl interia.pl onet.pl op.pl
    mail.ru inbox.ru list.ru bk.ru rambler.ru ukr.net abv.bg
    qq.com 163.com 126.com yeah.net sina.com sina.cn sohu.com aliyun.com
    naver.com hanmail.net daum.net nate.com
    uol.com.br bol.com.br terra.com.br ig.com.br
    bigpond.com bigpond.net.au optusnet.com.au shaw.ca rogers.com sympatico.ca telus.net
    """
)
_FREE_MAIL_BRANDS = _words("yahoo hotmail outlook live windowslive gmx yandex ya protonmail")


# Local parts that name a function, a robot or a list rather than a person: mail with them
# says nothing about who knows whom, so they never become persons.
_ROLE_LOCALS = _words(
    """
    abuse accounts accounting admin administrator alerts announce announcements auto-reply
    autoreply billing bounce bounces careers community contact contactus customercare
    customerservice daemon digest editor enquiries enquiry events feedback help helpdesk hello
    hostmaster hr info information inquiries inquiry invoice invoices jobs legal list listserv
    mail mailer-daemon mailerdaemon majordomo marketing media news newsletter newsletters
    notification notifications notify office operations orders postmaster press privacy
    receptionist recruiting register registration reply reservations root sales security service
    services subscribe subscriptions support team test unsubscribe updates webmaster welcome
    """
)
_ROLE_PREFIXES = ("noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
                  "bounce", "mailer-daemon", "owner-", "notification", "newsletter")  # fmt: skip
_ROLE_SUFFIXES = ("-request", "-bounces", "-owner", "-admin", "-unsubscribe", "-subscribe",
                  "-announce", "-digest", "-list", "-l", "-noreply")  # fmt: skip
_SECOND_LEVELS = _words("co com net org ac gov edu ne or go gob nic ltd plc gv mil")
_LIST_HOST_LABELS = frozenset({"lists", "list", "listserv", "bounce", "bounces", "mailer"})


def is_role_address(email: str) -> bool:
    """Whether a normalized address is a role, no-reply or mailing-list address, not a person's.

    Judged from the address alone (`support@`, `noreply-123@`, `team-request@`,
    `x@lists.example.org`): a header's display name is too often a person's on a list's mail.
    """
    local, _, domain = email.rpartition("@")
    base = local.split("+", 1)[0]
    if base in _ROLE_LOCALS or base.startswith(_ROLE_PREFIXES) or base.endswith(_ROLE_SUFFIXES):
        return True
    return domain.split(".", 1)[0] in _LIST_HOST_LABELS


def registered_domain(domain: str) -> str:
    """The domain an organization registered: `mail.eu.acme.co.uk` -> `acme.co.uk`.

    Without a public-suffix list: the last two labels, or three under a country's second level
    (co.uk, com.au, ac.jp). A wrong guess only makes a coarser or finer company.
    """
    labels = domain.strip().rstrip(".").lower().split(".")
    second_level = len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVELS
    return ".".join(labels[-3:] if second_level else labels[-2:])


def own_domains(member_emails: Iterable[str]) -> frozenset[str]:
    """The organization's own mail domains, as its members' addresses show them.

    A member writing from free mail does not make gmail.com the organization's.
    """
    domains = {email_domain(e) for e in member_emails}
    return frozenset(registered_domain(d) for d in domains if d and not is_free_mail_domain(d))


def is_own_domain(domain: str, own: frozenset[str]) -> bool:
    """Whether `domain` is one of `own`, or under one (ect.enron.com under enron.com)."""
    labels = domain.split(".")
    return any(".".join(labels[i:]) in own for i in range(len(labels) - 1))


def normalize_email(raw: str) -> str | None:
    """The address in `raw` as one comparable string, or None when `raw` is not an address.

    Accepts `mailto:` URIs and `Name <addr>` forms; lowercases; writes internationalized domains
    as ASCII (punycode). Gmail dots and `+tags` are kept on purpose: stripping them would merge
    two addresses that may belong to two people (a shared family account, `me+work@`), and a
    wrong merge of people is worse than a missed one, which a person can still confirm.
    """
    if raw.isascii():
        plain = raw.strip().lower()
        fits = len(plain) <= 254 and plain.find("@") <= 64
        if fits and _PLAIN.fullmatch(plain) and not plain.rpartition(".")[2].isdigit():
            return plain
    text = unicodedata.normalize("NFKC", raw).strip()
    inside = _ANGLE.findall(text)
    if inside:
        text = inside[-1].strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].split("?", 1)[0].strip()
    text = text.strip('"').strip()
    if text.count("@") != 1:
        return None
    local, domain = text.split("@")
    local = local.lower()
    ascii_domain = _ascii_domain(domain)
    if ascii_domain is None or not _valid_local(local):
        return None
    return f"{local}@{ascii_domain}"


# Default-ignorable code points that are not format characters (category Cf, dropped as a
# class): they draw nothing, so "ryan\u3164@x" looks like "ryan@x" on any screen.
_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)


def _drawn(ch: str) -> bool:
    if ch in _IGNORABLE or "\U000e0100" <= ch <= "\U000e01ef":  # variation selectors 17-256
        return False
    return unicodedata.category(ch) not in ("Cf", "Cc")


def sign_in_email(raw: str) -> str:
    """What someone typed to sign in, in the one form used both to find the account and to
    count failed attempts, so that no other spelling of it is another account to a limiter.

    NFKC (fullwidth letters are letters), invisible and control characters removed, spaces and
    a domain's trailing dot stripped, lower case; then the address's normal form, or the cleaned
    text itself when it is not an address (still one key per way of writing it).
    """
    text = "".join(ch for ch in unicodedata.normalize("NFKC", raw) if _drawn(ch))
    text = text.strip().rstrip(".").lower()
    return normalize_email(text) or text


def email_domain(email: str) -> str:
    """The domain of an address ("" when there is none), lowercased."""
    _, at, domain = email.rpartition("@")
    return domain.strip().rstrip(".").lower() if at else ""


def is_free_mail_domain(domain: str) -> bool:
    """Whether `domain` (or a domain it is under) belongs to a free-mail provider."""
    labels = domain.strip().rstrip(".").lower().split(".")
    for i in range(len(labels) - 1):
        if ".".join(labels[i:]) in _FREE_MAIL_DOMAINS:
            return True
        if labels[i] in _FREE_MAIL_BRANDS and _looks_like_public_suffix(labels[i + 1 :]):
            return True
    return False


def _looks_like_public_suffix(labels: list[str]) -> bool:
    # "com", "de", "co.uk", "com.br": one or two short labels. Good enough to tell
    # yahoo.co.uk (free) from yahoo.example.org (someone's company), without a suffix list.
    return 1 <= len(labels) <= 2 and all(1 < len(label) <= 3 for label in labels)


def _valid_local(local: str) -> bool:
    # Consecutive dots break RFC 5322 yet are real: Enron's server issued "d..steffes@enron.com"
    # to thousands of correspondents. A dot at either end is still refused.
    if not local or len(local) > 64 or local[0] == "." or local[-1] == ".":
        return False
    return all(ch in _ATEXT or ch == "." or (ord(ch) > 127 and ch.isalnum()) for ch in local)


def _ascii_domain(domain: str) -> str | None:
    domain = domain.strip().rstrip(".")
    if not domain or domain.startswith("["):  # domain literals ([192.0.2.1]) are not mailboxes
        return None
    if not domain.isascii():
        try:
            # The stdlib codec applies nameprep (case folding, NFKC) then punycode per label.
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    domain = domain.lower()
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253:
        return None
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit():  # 10.0.0.1 and the like
        return None
    return domain
