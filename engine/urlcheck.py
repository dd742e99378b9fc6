"""Which `fileUrl`s may be fetched: public http(s) addresses, and files under FILE_URL_DIRS.

The host is resolved and every address must be public unless URL_ALLOWLIST names
the host or a range holding it: loopback, private, link-local (cloud metadata),
carrier-grade NAT, multicast and reserved ranges are refused. So is every IPv6
form that carries an IPv4 address (IPv4-mapped and -translated, IPv4-compatible,
NAT64, 6to4, Teredo, ISATAP) unless the IPv4 address inside is public itself:
`[64:ff9b::7f00:1]` is 127.0.0.1 by another name.

`file://` URLs need ALLOW_FILE_URLS=true and may only point into the folders
named in FILE_URL_DIRS (after following symlinks and `..`).
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import unquote, urlsplit

from engine.config import Settings
from engine.errors import DownloadError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not globally reachable although Python's tables say so, and embedding IPv4 at
# places that depend on the prefix: refused outright.
_NEVER_PUBLIC = (ipaddress.ip_network("64:ff9b:1::/48"),)  # local-use NAT64 (RFC 8215)
_WELL_KNOWN_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # IPv4-translated (SIIT, RFC 7915)
_COMPATIBLE = ipaddress.ip_network("::/96")  # IPv4-compatible (deprecated, RFC 4291)
_ISATAP_IDS = (0x00005EFE, 0x02005EFE)  # interface identifier ::0:5efe:a.b.c.d (RFC 5214)


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address carries (empty for a plain IPv6 address)."""
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    if address in _WELL_KNOWN_NAT64 or address in _TRANSLATED:
        return [low32]
    if address in _COMPATIBLE and int(address) > 1:  # :: and ::1 are themselves
        return [low32]
    if (int(address) >> 32) & 0xFFFFFFFF in _ISATAP_IDS:
        return [low32]
    return []


def is_public(address: IPAddress) -> bool:
    """A globally reachable unicast address, also through any IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in net for net in _NEVER_PUBLIC):
            return False
        inner = embedded_ipv4(address)
        if inner:
            return all(is_public(v4) for v4 in inner)
    return bool(address.is_global and not address.is_multicast)


def address_allowed(host: str, address: IPAddress, settings: Settings) -> bool:
    """Public, or named by URL_ALLOWLIST (the host name, or a range holding the address or its IPv4)."""
    candidates: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        candidates += embedded_ipv4(address)
    for entry in settings.url_allowlist_entries:
        if entry.lower() == host.lower():
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if any(a.version == network.version and a in network for a in candidates):
            return True
    return is_public(address)


def resolve_allowed(host: str, port: int, settings: Settings) -> IPAddress:
    """The first address of `host`, after checking that every address is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DownloadError(f"Cannot resolve host {host!r}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        if not address_allowed(host, address, settings):
            raise DownloadError(
                f"Refusing to fetch from {host!r}: it resolves to {address}, a non-public address "
                "(add it to URL_ALLOWLIST to allow it)"
            )
    return addresses[0]


def check_url(url: str, settings: Settings) -> None:
    """Refuse what may never be fetched: other schemes, forbidden hosts, files outside FILE_URL_DIRS."""
    parts = urlsplit(url)
    if parts.scheme == "file" and settings.allow_file_urls:
        local_path(url, settings)
        return
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"fileUrl must be an http or https URL, got {url[:200]!r}")
    resolve_allowed(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), settings)


def local_path(url: str, settings: Settings) -> Path:
    """The file a file:// URL names, if it lies inside one of FILE_URL_DIRS."""
    parts = urlsplit(url)
    roots = settings.file_url_roots
    if parts.netloc not in ("", "localhost"):
        raise DownloadError(f"{url[:200]!r} names another machine; only local files under FILE_URL_DIRS")
    if not roots:
        raise DownloadError("file:// URLs are allowed only inside FILE_URL_DIRS, and it names no folder")
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise DownloadError(f"{url[:200]!r} is outside FILE_URL_DIRS ({', '.join(map(str, roots))})")
    return path
