"""Append-only landing files, written with group commit: a request's lines are acknowledged only
after they are written and fsync'd, and every request that arrives while one fsync runs shares
the next one, so a busy collector pays one fsync per group, not per event.

A file is written as `<name>.ndjson.open` under an exclusive lock held for the writer's life,
and closed by renaming it to `<name>.ndjson` once it is `rotate_seconds` old or `rotate_bytes`
long. The load step reads closed files whole and open ones up to their last complete line, so
it needs no collector to be running. A file left open by a collector that died (no lock held)
is closed by whoever finds it next (the next writer or the load step), its torn last line, which
no client was told was stored, cut off."""

import asyncio
import contextlib
import fcntl
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from collector.settings import LandingSettings

OPEN_SUFFIX = ".ndjson.open"
CLOSED_SUFFIX = ".ndjson"


class LandingUnavailableError(Exception):
    """The landing area could not store the lines (disk full, unwritable folder): a 503."""


class LandingWriter:
    """One writer per collector process; all file work runs on one thread, in order."""

    def __init__(self, settings: LandingSettings) -> None:
        self.settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="landing")
        self._pending: list[bytes] = []
        self._waiters: list[asyncio.Future] = []
        self._flusher: asyncio.Task | None = None
        self._timer: asyncio.Task | None = None
        self._file: _OpenFile | None = None
        # Why the latest write failed, until one succeeds again (the health endpoint reports it).
        self.last_error: str | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, close_orphans, self.settings.directory)
        self._timer = asyncio.create_task(self._rotate_when_due())

    async def append(self, lines: bytes) -> None:
        """Return once `lines` are on disk; LandingUnavailableError if they could not be stored."""
        waiter = asyncio.get_running_loop().create_future()
        self._pending.append(lines)
        self._waiters.append(waiter)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await waiter

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._flusher is not None:
            await self._flusher
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close_file)
        self._executor.shutdown()

    def writable(self) -> bool:
        """True when the landing folder exists (or can be made) and accepts a new file."""
        try:
            self.settings.directory.mkdir(parents=True, exist_ok=True)
            return os.access(self.settings.directory, os.W_OK | os.X_OK)
        except OSError:
            return False

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            data, waiters = b"".join(self._pending), self._waiters
            self._pending, self._waiters = [], []
            try:
                await loop.run_in_executor(self._executor, self._write, data)
            except OSError as error:
                self.last_error = f"landing area {self.settings.directory}: {error.strerror}"
                failure = LandingUnavailableError(self.last_error)
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(failure)
            else:
                self.last_error = None
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)

    async def _rotate_when_due(self) -> None:
        loop = asyncio.get_running_loop()
        interval = min(self.settings.rotate_seconds / 4, 0.25)
        while True:
            await asyncio.sleep(interval)
            # A failure here is reported to the client of the next append.
            with contextlib.suppress(OSError):
                await loop.run_in_executor(self._executor, self._rotate_if_due)

    # Everything below runs on the landing thread.

    def _write(self, data: bytes) -> None:
        if self._file is None:
            self._file = _OpenFile.create(self.settings.directory)
        try:
            self._file.append(data)
        except OSError:
            # What reached the file is unknown: cut it back to what was acknowledged and start
            # a new file with the next request.
            broken, self._file = self._file, None
            broken.abandon()
            raise
        self._rotate_if_due()

    def _rotate_if_due(self) -> None:
        current = self._file
        if current is None:
            return
        if current.size >= self.settings.rotate_bytes or current.age() >= self.settings.rotate_seconds:
            self._close_file()

    def _close_file(self) -> None:
        if self._file is not None:
            current, self._file = self._file, None
            current.close()


class _OpenFile:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd
        self.size = 0
        self.opened = time.monotonic()

    @classmethod
    def create(cls, directory: Path) -> "_OpenFile":
        directory.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        name = f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        # Made under a name close_orphans does not look at, and locked before it gets its open
        # name, so no one can take a new file for an orphan.
        making = directory / f".{name}.new"
        path = directory / f"{name}{OPEN_SUFFIX}"
        fd = os.open(making, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(making, path)
            _sync_directory(directory)
        except OSError:
            os.close(fd)
            making.unlink(missing_ok=True)
            raise
        return cls(path, fd)

    def age(self) -> float:
        return time.monotonic() - self.opened

    def append(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        os.fsync(self.fd)
        self.size += len(data)

    def abandon(self) -> None:
        """After a failed write: keep only what was acknowledged, then close the file."""
        try:
            os.ftruncate(self.fd, self.size)
            os.fsync(self.fd)
        except OSError:
            # The load step cuts a torn last line; a whole line never acknowledged is at worst a
            # duplicate of the client's retry, which staging removes.
            pass
        try:
            self.close()
        except OSError:
            os.close(self.fd)

    def close(self) -> None:
        closed = closed_name(self.path)
        if self.size:
            os.rename(self.path, closed)
        else:
            self.path.unlink()
        _sync_directory(self.path.parent)
        os.close(self.fd)


def open_landed(path: Path):
    """A landing file opened for reading by the name it was listed under, or by its closed name
    when its writer closed it since (the rename keeps every byte)."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        if not path.name.endswith(OPEN_SUFFIX):
            raise
        return open(closed_name(path), "rb")


def closed_name(open_path: Path) -> Path:
    return open_path.with_name(open_path.name.removesuffix(OPEN_SUFFIX) + CLOSED_SUFFIX)


def close_orphans(directory: Path) -> list[Path]:
    """Close every open file no live writer holds: cut a torn last line, rename it closed."""
    closed = []
    if not directory.is_dir():
        return closed
    for path in sorted(directory.glob(f"*{OPEN_SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            continue  # its writer closed it meanwhile
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live collector is writing it
            length = complete_length(fd)
            os.ftruncate(fd, length)
            os.fsync(fd)
            target = closed_name(path)
            if length:
                os.rename(path, target)
                closed.append(target)
            else:
                path.unlink()
        finally:
            os.close(fd)
    if closed:
        _sync_directory(directory)
    return closed


def complete_length(fd: int) -> int:
    """Bytes up to and including the file's last newline (the lines a client could have been told
    were stored)."""
    size = os.fstat(fd).st_size
    position = size
    chunk = 64 * 1024
    while position > 0:
        start = max(0, position - chunk)
        block = os.pread(fd, position - start, start)
        newline = block.rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        position = start
    return 0


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
