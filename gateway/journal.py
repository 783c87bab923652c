"""The journal: SQLite in WAL mode, the gateway's local source of truth. One row per frame.

Tables::

    boards(id, site, board, meta, status, clock)      meta/status: last JSON seen; clock: BoardClock.state()
    frames(id, board_id, kind, seq, t0_ns, dt_ns, count, nch, channels, dtype, n_values, dropped,
           tick_first, t_tx, arrival_ns, flags, data)
    cursors(name, last_id)                            how far a forwarder (e.g. InfluxDB) has got
    info(key, value)                                  schema version

``data`` is the frame's payload as sent by the board (interleaved raw samples, or 6-byte events, or the
status JSON); ``t0_ns`` is the UTC time of the first sample (or the events' reference tick) and
``dt_ns`` the sample spacing in UTC ns, so sample *i* is at ``t0_ns + i × dt_ns``.

Writes come in batches, one transaction each (``append``), with ``synchronous=FULL``: a frame is
acknowledged to the broker only after the commit that holds it returned.

**Size bound** (``max_bytes``): the live pages of the database are kept under ``max_bytes`` by deleting
the oldest frames (freed pages are reused, so the file stops growing). Whole 64 KiB pages count, about
ten of them for tables and indexes: a bound near the 1 MiB minimum holds only ~0.5 MiB of frames.
Frames a forwarder has not sent
yet are deleted last: when the journal passes ``WARN_FRACTION`` of the bound and unforwarded frames would
be next, ``warning`` says so (``/api/health`` shows it); only when the bound is reached are they deleted,
and counted (``evicted_unforwarded``). With no forwarder configured, the journal is a ring of the newest
frames.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1"
PAGE_SIZE = 65536  # bytes (SQLite's largest): ~16 frames of 4 KiB per page
CHECKPOINT_BYTES = 16 << 20  # WAL copied into the database file every ~16 MiB written
WARN_FRACTION = 0.9
FLAG_ARRIVAL = 1  # stamped by arrival time (clock fallback)
FLAG_SHIFTED = 2  # start moved later to keep the board's timestamps strictly increasing
FLAG_AFTER_GAP = 4  # frames were missing just before this one

SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS boards (
    id INTEGER PRIMARY KEY, site TEXT NOT NULL, board TEXT NOT NULL,
    meta TEXT, status TEXT, clock TEXT, UNIQUE (site, board));
CREATE TABLE IF NOT EXISTS frames (
    id INTEGER PRIMARY KEY,
    board_id INTEGER NOT NULL REFERENCES boards (id),
    kind INTEGER NOT NULL, seq INTEGER NOT NULL,
    t0_ns INTEGER NOT NULL, dt_ns REAL NOT NULL,
    count INTEGER NOT NULL, nch INTEGER NOT NULL, channels BLOB NOT NULL, dtype TEXT,
    n_values INTEGER NOT NULL, dropped INTEGER NOT NULL,
    tick_first INTEGER NOT NULL, t_tx INTEGER NOT NULL, arrival_ns INTEGER NOT NULL,
    flags INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
"""
INSERT = "INSERT INTO frames (board_id, kind, seq, t0_ns, dt_ns, count, nch, channels, dtype, n_values, " \
         "dropped, tick_first, t_tx, arrival_ns, flags, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
# Rows go in by statements of 64, 32, ... 1 rows (16 × 64 = 1024 parameters, well under SQLite's 32766):
# executemany would step once per row, and Python's sqlite3 releases and retakes the GIL at every step,
# a thread handoff per frame while the MQTT thread wants the GIL (bench/ingest.py: the writer's CPU per
# frame 53 → 38 µs, gateway/bare rate 0.75–0.80 → 0.85).
INSERT_SIZES = (64, 32, 16, 8, 4, 2, 1)
_INSERTS = {n: INSERT.replace("VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              "VALUES " + ",".join(["(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"] * n))
            for n in INSERT_SIZES}
Row = tuple[Any, ...]  # in INSERT's column order


class JournalError(Exception):
    """The journal cannot be opened or written (disk full, not a classlab journal, permissions)."""


class Journal:
    def __init__(self, path: str | Path, max_bytes: int | None = None, forwarder: str | None = None,
                 check_every: int = 64) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.forwarder = forwarder  # cursor name whose unforwarded frames are kept longest
        self.check_every = check_every
        self.evicted = 0
        self.evicted_unforwarded = 0
        self.warning: str | None = None
        self._commits = 0
        self._live_bytes = 0
        self._backlog = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            # 64 KiB pages: ~16 frames of 4 KiB per page. CPU per 4 KiB frame written (WAL + checkpoint,
            # checkpoint every 16 MiB either way): 4 KiB pages ~33 µs (a page + an overflow page each),
            # 16 KiB ~28 µs, 64 KiB ~18 µs (fewer page headers, WAL frame headers/checksums and syscalls).
            # Only takes effect on a new file; an existing journal keeps its page size.
            self.db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA journal_size_limit=67108864")
            (page,) = self.db.execute("PRAGMA page_size").fetchone()
            self.db.execute(f"PRAGMA wal_autocheckpoint={max(1, CHECKPOINT_BYTES // int(page))}")
            self.db.executescript(SCHEMA)
            row = self.db.execute("SELECT value FROM info WHERE key='schema'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO info VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise JournalError(f"{self.path}: journal schema {row[0]}, this gateway writes {SCHEMA_VERSION}")
            if forwarder:
                self.db.execute("INSERT OR IGNORE INTO cursors VALUES (?, 0)", (forwarder,))
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"cannot open the journal {self.path}: {exc}") from exc
        self._check_size()

    # --- boards --------------------------------------------------------------------------------
    def board_id(self, site: str, board: str) -> int:
        row = self.db.execute("SELECT id FROM boards WHERE site=? AND board=?", (site, board)).fetchone()
        if row:
            return int(row[0])
        cur = self.db.execute("INSERT INTO boards (site, board) VALUES (?, ?)", (site, board))
        return int(cur.lastrowid or 0)

    def board_info(self, board_id: int) -> dict[str, Any]:
        meta, status, clock = self.db.execute(
            "SELECT meta, status, clock FROM boards WHERE id=?", (board_id,)).fetchone()
        return {"meta": json.loads(meta) if meta else None, "status": json.loads(status) if status else None,
                "clock": json.loads(clock) if clock else None}

    def recent(self, board_id: int, n: int = 4096) -> list[tuple[int, int]]:
        """(seq, t_tx) of the board's last ``n`` frames, oldest first."""
        rows = self.db.execute("SELECT seq, t_tx FROM frames WHERE board_id=? ORDER BY id DESC LIMIT ?",
                               (board_id, n)).fetchall()
        return [(int(s), int(t)) for s, t in reversed(rows)]

    # --- writes --------------------------------------------------------------------------------
    def append(self, rows: Sequence[Row], boards: Iterable[tuple[str, int, str]] = ()) -> None:
        """One transaction: insert ``rows``, set board fields (``(column, board_id, json)``), commit."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                k, n = 0, len(rows)
                for size in INSERT_SIZES:
                    sql = _INSERTS[size]
                    while n - k >= size:
                        self.db.execute(sql, tuple(chain.from_iterable(rows[k:k + size])))
                        k += size
                for column, bid, value in boards:
                    assert column in ("meta", "status", "clock")
                    self.db.execute(f"UPDATE boards SET {column}=? WHERE id=?", (value, bid))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"journal write failed ({self.path}): {exc}") from exc
        self._commits += 1
        if self._commits % self.check_every == 0:
            self._check_size()

    def _page_bytes(self) -> int:
        (page,) = self.db.execute("PRAGMA page_size").fetchone()
        (count,) = self.db.execute("PRAGMA page_count").fetchone()
        (free,) = self.db.execute("PRAGMA freelist_count").fetchone()
        return int((count - free) * page)

    def _check_size(self) -> None:
        self._live_bytes = self._page_bytes()
        self._backlog = backlog = self.backlog()
        if not self.max_bytes:
            return
        self.warning = None
        if self._live_bytes >= WARN_FRACTION * self.max_bytes and backlog:
            self.warning = (f"journal at {self._live_bytes / self.max_bytes:.0%} of max_bytes with {backlog} "
                            f"frames not yet forwarded: they are deleted when it is full "
                            f"(raise [journal] max_bytes or fix the forwarder)")
        guard = 0
        while self._live_bytes > self.max_bytes and guard < 100:
            guard += 1
            if not self._evict():
                break
            self._live_bytes = self._page_bytes()

    def _evict(self) -> bool:
        """Delete the oldest ~5 % of frames (forwarded ones first). False if there is nothing to delete."""
        (n,) = self.db.execute("SELECT count(*) FROM frames").fetchone()
        if not n:
            return False
        k = max(1, n // 20)
        fwd = self._cursor()
        with self.db:
            if fwd is not None:
                cur = self.db.execute("DELETE FROM frames WHERE id IN (SELECT id FROM frames WHERE id<=? "
                                      "ORDER BY id LIMIT ?)", (fwd, k))
                if cur.rowcount:
                    self.evicted += cur.rowcount
                    return True
            cur = self.db.execute("DELETE FROM frames WHERE id IN (SELECT id FROM frames ORDER BY id LIMIT ?)", (k,))
            self.evicted += cur.rowcount
            if fwd is not None:
                self.evicted_unforwarded += cur.rowcount
        return cur.rowcount > 0

    # --- forwarding cursor ---------------------------------------------------------------------
    def _cursor(self) -> int | None:
        if not self.forwarder:
            return None
        row = self.db.execute("SELECT last_id FROM cursors WHERE name=?", (self.forwarder,)).fetchone()
        return int(row[0]) if row else 0

    def backlog(self) -> int:
        """Frames the forwarder has not sent yet (0 without a forwarder)."""
        fwd = self._cursor()
        if fwd is None:
            return 0
        (n,) = self.db.execute("SELECT count(*) FROM frames WHERE id>?", (fwd,)).fetchone()
        return int(n)

    # --- reads and shutdown --------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        return {"path": str(self.path), "live_bytes": self._live_bytes, "max_bytes": self.max_bytes,
                "evicted": self.evicted, "evicted_unforwarded": self.evicted_unforwarded,
                "warning": self.warning, "commits": self._commits, "backlog": self._backlog}

    def close(self) -> None:
        """Checkpoint the WAL into the database file and close: the file alone is then complete."""
        try:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.db.close()


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection (for tests, exports and tools) that does not disturb the writer."""
    return sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
