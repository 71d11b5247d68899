"""glibc malloc settings for a long-lived threaded worker: one heap, fixed thresholds."""

from __future__ import annotations

import ctypes

# mallopt() parameters, from glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
# glibc's largest mmap threshold on 64-bit; above every prepared body and argon2id's 19 MiB.
LARGE_BLOCK = 32 * 1024 * 1024


def use_one_heap() -> bool:
    """Serve every thread's blocks (up to 32 MiB) from one heap that keeps its free memory.

    glibc's defaults make a worker's memory depend on its history rather than on what it holds:
    each thread may get an arena of its own, and memory freed in one arena is not reused by the
    others; a block over 128 KiB gets a mapping of its own until the first such block is freed,
    after which the threshold rises to that block's size (a login's 19 MiB argon2id buffer, a
    6.4 MiB list body) and the next ones come from a heap. Measured under uwsgi.ini at 1000 x 100,
    a worker then peaked 16.6 to 30.4 MiB above its idle footprint for the same requests; with
    one heap and fixed thresholds (and the bodies kept as jsonio.Pieces) 16.6 to 17.6, of which
    the three prepared bodies are 14.4.

    The heap keeps up to 32 MiB free rather than handing it back: returning argon2id's buffer
    after each login made the next hash 60 % slower (20 to 33 ms) from page faults alone.
    Python threads allocate under the GIL, so sharing one heap costs them next to no waiting.
    False where glibc's mallopt() is missing (musl, macOS): the defaults then stay.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    settings = ((M_ARENA_MAX, 1), (M_MMAP_THRESHOLD, LARGE_BLOCK), (M_TRIM_THRESHOLD, LARGE_BLOCK))
    return all(mallopt(parameter, value) == 1 for parameter, value in settings)
