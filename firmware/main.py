# classlab board entry point: runs at boot (MicroPython executes main.py after boot.py).
# Press Ctrl-C in a REPL (mpremote) to stop; the app is in app.py.
import micropython

micropython.alloc_emergency_exception_buf(100)  # tracebacks from hard IRQs

import app  # noqa: E402

app.main()
