"""The only switches in symnet. Environment variables map onto them at import.

* ``memory_plan`` (``SYMNET_MEMORY_PLAN=0`` to disable): plan buffer reuse and in-place
  execution at bind time. Off, every entry gets its own buffer (for debugging).
"""
from __future__ import annotations

import os

memory_plan: bool = os.environ.get("SYMNET_MEMORY_PLAN", "1") != "0"
