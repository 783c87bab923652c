# Fake `micropython` module for running firmware under CPython (MicroPython has the real one built in,
# which takes precedence over this file). schedule() queues; the fake machine.Timer runs the queue
# after each callback as the MicroPython VM would. heap_lock() is a no-op here: allocation checks
# only mean something under real MicroPython.
_queue = []
SCHEDULE_DEPTH = 8


def const(x):
    return x


def schedule(func, arg):
    if len(_queue) >= SCHEDULE_DEPTH:
        raise RuntimeError("schedule queue full")
    _queue.append((func, arg))


def run_scheduled():
    while _queue:
        func, arg = _queue.pop(0)
        func(arg)


def heap_lock():
    return 0


def heap_unlock():
    return 0


def alloc_emergency_exception_buf(n):
    pass


def mem_info(verbose=False):
    print("mem: fake (CPython)")


def opt_level(level=None):
    return 0
