"""WebDAV as CardDAV and CalDAV sync needs it: find collections, list changes, fetch resources.

Changes come from the server's sync-collection REPORT (RFC 6578) when it offers a sync token,
else from a listing of hrefs and ETags. Resources are fetched with the kind's multiget REPORT.
Nothing is ever written to the server.
"""

from __future__ import annotations

import ssl
import xml.etree.ElementTree as ET
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

import httpx

from tiegraph.connectors.errors import ConnectorError

DAV = "{DAV:}"
_XML = {"Content-Type": "application/xml; charset=utf-8"}
_HREF_SAFE = "/:@!$&'()*+,;=~"


@dataclass(frozen=True)
class CollectionKind:
    """What tells CardDAV from CalDAV: the namespace and the names of a few elements."""

    label: str  # "address book", "calendar"
    namespace: str
    collection: str  # resourcetype element of a collection of this kind
    home_set: str  # principal property naming the folder of such collections
    multiget: str
    data: str  # element holding a resource's content in a multiget answer

    def tag(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"


@dataclass(frozen=True)
class Collection:
    href: str  # the collection's path, unquoted
    sync_token: str | None  # None when the server offers no sync-collection REPORT


@dataclass(frozen=True)
class Resource:
    href: str
    etag: str


@dataclass(frozen=True)
class Changes:
    token: str  # where the next sync starts from
    changed: list[Resource]  # new or edited since the token given
    removed: list[str]


@dataclass(frozen=True)
class Fetched:
    href: str
    etag: str
    data: bytes | None  # None: the resource is gone (deleted upstream)


class InvalidSyncToken(ConnectorError):
    """The server no longer knows the token given: start again from an empty one."""


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer` (RFC 6750) with a connected account's access token; a 401 asks
    `token(True)` for a fresh one and tries once more."""

    def __init__(self, token: Callable[[bool], str]) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token(False)}"
        answer = yield request
        if answer.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self.token(True)}"
            yield request


class DavClient:
    """A read-only WebDAV session with one server, authenticated with HTTP Basic, or with an
    OAuth bearer token when `token` is given (`token(refresh)`, as BearerApi takes it)."""

    def __init__(
        self,
        url: str,
        username: str = "",
        password: str | None = None,
        *,
        timeout: float = 30.0,
        token: Callable[[bool], str] | None = None,
    ) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.timeout = timeout
        auth: httpx.Auth | None = None
        self.bearer = token is not None
        if token is not None:
            auth = BearerAuth(token)
        elif username:
            auth = httpx.BasicAuth(username, password or "")
        self.http = httpx.Client(
            auth=auth,
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": "tiegraph-sync"},
        )

    def __enter__(self) -> DavClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.http.close()

    # --- discovery ---------------------------------------------------------------------

    def collections(self, kind: CollectionKind) -> list[Collection]:
        """The collections of this kind at the URL: itself, its children, or the user's home."""
        home_set = f"<k:{kind.home_set}/>"
        props = f"<d:resourcetype/><d:sync-token/><d:current-user-principal/>{home_set}"
        here = self._propfind(self.url, props, "0", kind)
        found = [_collection(r, kind) for r in here if _is(r, kind)]
        if found:
            return found
        found = self._children(self.url, kind)
        if found:
            return found
        principal = _first_href(here, f"{DAV}current-user-principal")
        if principal:
            home = _first_href(
                self._propfind(principal, home_set, "0", kind), kind.tag(kind.home_set)
            )
            if home:
                found = self._children(home, kind)
        if not found:
            raise ConnectorError(f"{_where(self.url)}: no {kind.label} found at this URL")
        return found

    def _children(self, href: str, kind: CollectionKind) -> list[Collection]:
        responses = self._propfind(href, "<d:resourcetype/><d:sync-token/>", "1", kind)
        return [_collection(r, kind) for r in responses if _is(r, kind)]

    # --- changes -----------------------------------------------------------------------

    def changes(self, collection: Collection, token: str | None) -> Changes:
        """What changed since `token` ("" or None: everything), following truncated answers."""
        changed: dict[str, Resource] = {}
        removed: dict[str, None] = {}
        token = token or ""
        while True:
            body = (
                '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">'
                f"<d:sync-token>{escape(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
                "<d:prop><d:getetag/></d:prop></d:sync-collection>"
            )
            response = self._send("REPORT", collection.href, body, "0")
            if token and response.status_code in (400, 403, 409, 412):
                raise InvalidSyncToken(f"{_where(self.url)}: sync token refused")
            root = self._multistatus(response, "REPORT sync-collection")
            truncated = False
            for href, status, etag in _members(root, self.url):
                if href == collection.href:
                    truncated = truncated or status == 507
                elif status == 404:
                    removed[href] = None
                    changed.pop(href, None)
                elif status == 200 and not href.endswith("/"):
                    changed[href] = Resource(href, etag)
                    removed.pop(href, None)
            new_token = root.findtext(f"{DAV}sync-token") or ""
            if not new_token:
                raise ConnectorError(f"{_where(self.url)}: sync-collection answer without a token")
            if not truncated or new_token == token:
                return Changes(new_token, list(changed.values()), list(removed))
            token = new_token

    def listing(self, collection: Collection) -> list[Resource]:
        """Every resource of the collection with its ETag (for servers without sync tokens)."""
        response = self._send(
            "PROPFIND", collection.href, _propfind_body("<d:getetag/>", None), "1"
        )
        root = self._multistatus(response, "PROPFIND")
        return [
            Resource(href, etag)
            for href, status, etag in _members(root, self.url)
            if status == 200 and href != collection.href and not href.endswith("/")
        ]

    # --- content -----------------------------------------------------------------------

    def fetch(
        self, collection: Collection, kind: CollectionKind, hrefs: Sequence[str]
    ) -> list[Fetched]:
        """The content of these resources; one missing from the answer is left out."""
        if not hrefs:
            return []
        wanted = "".join(f"<d:href>{escape(_quoted(h))}</d:href>" for h in hrefs)
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><k:{kind.multiget} xmlns:d="DAV:" '
            f'xmlns:k="{kind.namespace}"><d:prop><d:getetag/><k:{kind.data}/></d:prop>'
            f"{wanted}</k:{kind.multiget}>"
        )
        root = self._multistatus(self._send("REPORT", collection.href, body, None), kind.multiget)
        asked = set(hrefs)
        found: list[Fetched] = []
        for response in root.iter(f"{DAV}response"):
            href = _href(response, self.url)
            if href not in asked:
                continue
            status = _status(response)
            if status == 404 or status == 410:
                found.append(Fetched(href, "", None))
                continue
            for propstat in response.iter(f"{DAV}propstat"):
                data = propstat.findtext(f".//{kind.tag(kind.data)}")
                if _status(propstat) == 200 and data is not None:
                    etag = propstat.findtext(f".//{DAV}getetag") or ""
                    found.append(Fetched(href, etag.strip(), data.encode("utf-8")))
        return found

    # --- HTTP --------------------------------------------------------------------------

    def _propfind(
        self, href: str, props: str, depth: str, kind: CollectionKind
    ) -> list[ET.Element]:
        response = self._send("PROPFIND", href, _propfind_body(props, kind), depth)
        return list(self._multistatus(response, "PROPFIND").iter(f"{DAV}response"))

    def _send(self, method: str, href: str, body: str, depth: str | None) -> httpx.Response:
        headers = dict(_XML)
        if depth is not None:
            headers["Depth"] = depth
        url = urljoin(self.url, _quoted(href))
        try:
            return self.http.request(method, url, content=body.encode("utf-8"), headers=headers)
        except httpx.TimeoutException:
            raise ConnectorError(
                f"{_where(self.url)}: no answer within {self.timeout:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise ConnectorError(f"{_where(self.url)}: {_reason(exc)}") from None

    def _multistatus(self, response: httpx.Response, what: str) -> ET.Element:
        if response.status_code == 401:
            why = (
                "the token was refused, fresh too" if self.bearer else "check username and password"
            )
            raise ConnectorError(f"{_where(self.url)}: login refused ({why})")
        if response.status_code != 207:
            raise ConnectorError(
                f"{_where(self.url)}: {what} answered HTTP {response.status_code}, "
                "expected 207 Multi-Status"
            )
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError:
            raise ConnectorError(
                f"{_where(self.url)}: {what} answered something that is not WebDAV XML"
            ) from None
        if root.tag != f"{DAV}multistatus":
            raise ConnectorError(f"{_where(self.url)}: {what} answered no multistatus")
        return root


def _propfind_body(props: str, kind: CollectionKind | None) -> str:
    namespace = f' xmlns:k="{kind.namespace}"' if kind else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"{namespace}>'
        f"<d:prop>{props}</d:prop></d:propfind>"
    )


def _is(response: ET.Element, kind: CollectionKind) -> bool:
    return response.find(f".//{DAV}resourcetype/{kind.tag(kind.collection)}") is not None


def _collection(response: ET.Element, kind: CollectionKind) -> Collection:
    token = response.findtext(f".//{DAV}sync-token")
    href = response.findtext(f"{DAV}href") or ""
    return Collection(_path(href), token.strip() or None if token else None)


def _first_href(responses: list[ET.Element], prop: str) -> str:
    for response in responses:
        found = response.findtext(f".//{prop}/{DAV}href")
        if found:
            return _path(found.strip())
    return ""


def _members(root: ET.Element, base: str) -> Iterator[tuple[str, int, str]]:
    """(href, status, etag) of each response; the status is the response's or its propstat's."""
    for response in root.iter(f"{DAV}response"):
        etag = ""
        status = _status(response)
        for propstat in response.iter(f"{DAV}propstat"):
            value = propstat.findtext(f".//{DAV}getetag")
            if value is not None and _status(propstat) == 200:
                etag, status = value.strip(), 200
        yield _href(response, base), status, etag


def _href(response: ET.Element, base: str) -> str:
    return _path(urljoin(base, (response.findtext(f"{DAV}href") or "").strip()))


def _status(element: ET.Element) -> int:
    """The HTTP code of a <status> child ("HTTP/1.1 404 Not Found"), 0 when there is none."""
    text = element.findtext(f"{DAV}status") or ""
    parts = text.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def _path(href: str) -> str:
    return unquote(urlsplit(href).path)


def _quoted(href: str) -> str:
    return quote(href, safe=_HREF_SAFE)


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"


def _reason(exc: httpx.HTTPError) -> str:
    cause: BaseException | None = exc
    while cause is not None:  # httpx wraps httpcore's error, which wraps ssl's
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "the server's TLS certificate is not trusted"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect (server down or wrong address)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server broke the HTTP exchange"
    return type(exc).__name__
