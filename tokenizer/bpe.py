"""Byte-level BPE: the merge table, how it is applied to one pre-split chunk, and which merges
the whole-characters rule allows.

Ids 0-255 are the raw bytes; merge number i creates id 256 + i, so an id is also the merge's
rank and a smaller id always merges first (minbpe and tiktoken semantics). Applying the merges
in rank order to a chunk is done two ways that give identical ids: a short readable loop for
ordinary chunks and a heap over a linked list for long ones, which keeps a megabyte-long chunk
(a consonant followed by a storm of marks is one akshara, so one chunk) near O(n log n).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

Pair = tuple[int, int]
Merges = dict[Pair, int]  # (left id, right id) -> new id

# Above this many bytes a chunk is encoded with the heap; below it the simple loop is faster.
LONG_CHUNK = 64


def pair_counts(ids: Sequence[int], counts: dict[Pair, int] | None = None) -> dict[Pair, int]:
    """Count adjacent pairs: [1, 2, 3, 1, 2] -> {(1, 2): 2, (2, 3): 1, (3, 1): 1}."""
    counts = {} if counts is None else counts
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def merge(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """Replace every non-overlapping occurrence of pair, left to right, by new_id."""
    out: list[int] = []
    i, n = 0, len(ids)
    while i < n:
        if i < n - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def encode_ids(ids: list[int], merges: Merges) -> list[int]:
    """Apply merges to initial ids in rank order; picks the algorithm by length."""
    if len(ids) > LONG_CHUNK:
        return encode_ids_heap(ids, merges)
    return encode_ids_simple(ids, merges)


def encode_ids_simple(ids: list[int], merges: Merges) -> list[int]:
    """minbpe's loop: merge the lowest-ranked pair present, everywhere, until none is left."""
    inf = float("inf")
    while len(ids) >= 2:
        pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, inf))
        if pair not in merges:
            break
        ids = merge(ids, pair, merges[pair])
    return ids


def encode_ids_heap(ids: list[int], merges: Merges) -> list[int]:
    """Same result as encode_ids_simple in O(n log n): a heap of (rank, position) over a linked list.

    Ties in rank are taken leftmost first, and every pair a merge creates contains the new id and so
    ranks after it; hence the order of merges equals the simple loop's.
    """
    ids = list(ids)
    n = len(ids)
    nxt = list(range(1, n + 1))  # n marks the end
    prv = list(range(-1, n - 1))
    alive = [True] * n
    heap = [(merges[p], i) for i, p in enumerate(zip(ids, ids[1:])) if p in merges]
    heapq.heapify(heap)
    while heap:
        rank, i = heapq.heappop(heap)
        if not alive[i]:
            continue
        j = nxt[i]
        if j >= n or merges.get((ids[i], ids[j])) != rank:
            continue  # stale: a neighbour was merged away since this entry was pushed
        ids[i] = rank
        alive[j] = False
        nxt[i] = nxt[j]
        if nxt[j] < n:
            prv[nxt[j]] = i
        p = prv[i]
        if p >= 0 and (r := merges.get((ids[p], rank))) is not None:
            heapq.heappush(heap, (r, p))
        k = nxt[i]
        if k < n and (r := merges.get((rank, ids[k]))) is not None:
            heapq.heappush(heap, (r, i))
    return [t for t, a in zip(ids, alive, strict=True) if a]


def utf8_kind(data: bytes) -> str:
    """'whole' (valid UTF-8), 'part' (a proper prefix of one character) or 'mixed'."""
    try:
        data.decode("utf-8")
        return "whole"
    except UnicodeDecodeError:
        pass
    lead = data[0]
    need = 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 0
    if len(data) < need and all(b >> 6 == 0b10 for b in data[1:]):
        return "part"
    return "mixed"


def whole_characters_ok(left: bytes, right: bytes) -> bool:
    """Whether merging left + right keeps tokens either inside one character or made of whole
    characters (the `whole_characters` rule of a recipe: no slot goes to "a letter plus the first
    bytes of the next one")."""
    return utf8_kind(left + right) != "mixed" and (
        utf8_kind(left) == utf8_kind(right) == "whole" or utf8_kind(left) == "part"
    )


def character_merges(chars: str, limit: int | None = None) -> Merges:
    """Merges that make each of chars one token, whether training sees it or not: its UTF-8 bytes
    joined from the left (lead byte + next byte, then that + the next), the order BPE learns them in,
    so that the rank rule (tiktoken's, Hugging Face's) gives the same tokens. A prefix that several
    characters share is made once; ids are 256, 257, ... in the order of chars; at most `limit`
    merges (a vocabulary too small for them all keeps the first ones)."""
    merges: Merges = {}
    ids = {bytes([i]): i for i in range(256)}
    for c in dict.fromkeys(chars):
        data = c.encode("utf-8")
        for k in range(2, len(data) + 1):
            if data[:k] not in ids and (limit is None or len(merges) < limit):
                merges[(ids[data[: k - 1]], data[k - 1])] = ids[data[:k]] = 256 + len(merges)
    return merges


def build_vocab(merges: Iterable[tuple[Pair, int]], byte_ids: Sequence[int] | None = None) -> dict[int, bytes]:
    """id -> bytes for the byte tokens and every merge (merges given in rank order)."""
    if byte_ids is None:
        byte_ids = range(256)
    vocab = {byte_ids[b]: bytes([b]) for b in range(256)}
    for (a, b), new_id in merges:
        vocab[new_id] = vocab[a] + vocab[b]
    return vocab


def render_token(token: bytes) -> str:
    """A printable form of a token: its text, with bytes that are not whole characters as <E0 A4>."""
    out: list[str] = []
    stray: list[str] = []
    i = 0
    while i < len(token):
        for size in (1, 2, 3, 4):
            try:
                ch = token[i : i + size].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if stray:
                out.append("<" + " ".join(stray) + ">")
                stray = []
            out.append(_visible(ch))
            i += size
            break
        else:
            stray.append(f"{token[i]:02X}")
            i += 1
    if stray:
        out.append("<" + " ".join(stray) + ">")
    return "".join(out)


_VISIBLE = {" ": "␣", "\n": "↵", "\r": "␍", "\t": "⇥"}


def _visible(ch: str) -> str:
    if ch in _VISIBLE:
        return _VISIBLE[ch]
    if ch.isprintable() or ch in "\u200c\u200d":
        return ch
    return f"<U+{ord(ch):04X}>"
