"""CardDAV (RFC 6352): address books as WebDAV collections of vCards."""

from __future__ import annotations

from tiegraph.connectors.webdav import CollectionKind

ADDRESS_BOOK = CollectionKind(
    label="address book",
    namespace="urn:ietf:params:xml:ns:carddav",
    collection="addressbook",
    home_set="addressbook-home-set",
    multiget="addressbook-multiget",
    data="address-data",
)
