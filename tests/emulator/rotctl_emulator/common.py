"""What the emulator's modules share: the lock around moto's state, and the
emulator's own endpoint (which the rotation functions call back into)."""

from __future__ import annotations

import threading

# One lock around every request and every background change to moto's state:
# moto's backends are plain dicts, and rotations now run on their own threads.
STATE = threading.RLock()
ENDPOINT = {"url": ""}
