# Old MicroPython name of `socket`; same fake.
from socket import *  # noqa: F401,F403
from socket import Broker, socket  # noqa: F401
